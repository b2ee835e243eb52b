/**
 * PayPal's `money` objects read into integer minor units, with PayPal's refusals: a currency it does not
 * process (422 INVALID_CURRENCY_CODE), more decimals than the currency has (422 DECIMAL_PRECISION, or
 * DECIMALS_NOT_SUPPORTED for a currency without decimals in Payments v2), zero or less (422
 * CANNOT_BE_ZERO_OR_NEGATIVE), a value that is not a decimal number (400 INVALID_PARAMETER_SYNTAX).
 * @module
 */
import { currencyExponent, type Money } from "../../../src/plugin_api.ts";
import { type ErrorFamily, invalid, type PayPalError, unprocessable } from "./errors.ts";

/**
 * The currencies PayPal's REST APIs accept (developer.paypal.com/api/rest/reference/currency-codes), less HUF
 * and TWD, which PayPal processes without the decimals ISO 4217 gives them: the emulator leaves them out
 * rather than answer differently from PayPal.
 */
export const PAYPAL_CURRENCIES: readonly string[] = [
  "AUD",
  "BRL",
  "CAD",
  "CHF",
  "CNY",
  "CZK",
  "DKK",
  "EUR",
  "GBP",
  "HKD",
  "ILS",
  "JPY",
  "MXN",
  "MYR",
  "NOK",
  "NZD",
  "PHP",
  "PLN",
  "SEK",
  "SGD",
  "THB",
  "USD",
];

export type MoneyRead = { readonly ok: true; readonly money: Money } | {
  readonly ok: false;
  readonly error: PayPalError;
};

/** Reads `value` at JSON pointer `field` (`/purchase_units/0/amount`). */
export function readMoney(value: unknown, field: string, family: ErrorFamily): MoneyRead {
  const refuse = (error: PayPalError): MoneyRead => ({ ok: false, error });
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return refuse(invalid(family, "MISSING_REQUIRED_PARAMETER", field));
  }
  const { currency_code: currency, value: amount } = value as Record<string, unknown>;
  if (typeof currency !== "string") {
    return refuse(invalid(family, "MISSING_REQUIRED_PARAMETER", `${field}/currency_code`));
  }
  if (typeof amount !== "string") {
    return refuse(invalid(family, "MISSING_REQUIRED_PARAMETER", `${field}/value`));
  }
  const exponent = currencyExponent(currency);
  if (exponent === undefined || !PAYPAL_CURRENCIES.includes(currency)) {
    return refuse(unprocessable(family, "INVALID_CURRENCY_CODE", `${field}/currency_code`));
  }
  const match = amount.match(/^(-?)(\d{1,15})(?:\.(\d+))?$/);
  if (match === null) return refuse(invalid(family, "INVALID_PARAMETER_SYNTAX", `${field}/value`, amount));
  const [, sign, whole, fraction = ""] = match;
  if (fraction.length > exponent) {
    const issue = exponent === 0 && family !== "orders" ? "DECIMALS_NOT_SUPPORTED" : "DECIMAL_PRECISION";
    return refuse(unprocessable(family, issue, `${field}/value`));
  }
  const minor = Number(whole) * 10 ** exponent + Number(fraction.padEnd(exponent, "0") || "0");
  if (sign === "-" || minor <= 0) {
    return refuse(unprocessable(family, "CANNOT_BE_ZERO_OR_NEGATIVE", `${field}/value`));
  }
  if (!Number.isSafeInteger(minor)) {
    return refuse(invalid(family, "INVALID_PARAMETER_VALUE", `${field}/value`));
  }
  return { ok: true, money: { amountMinor: minor, currency } };
}
