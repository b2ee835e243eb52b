import { err, ok, type Result } from "../result.ts";
import { currencyExponent } from "./currency.ts";

/** An amount in integer minor units of an ISO 4217 currency (cents for USD, yen for JPY, fils for KWD). */
export interface Money {
  readonly amountMinor: number;
  readonly currency: string;
}

export type AmountError =
  | { readonly kind: "not_a_number"; readonly message: string }
  | { readonly kind: "negative"; readonly message: string }
  | { readonly kind: "zero"; readonly message: string }
  | { readonly kind: "too_many_digits"; readonly message: string }
  | { readonly kind: "too_large"; readonly message: string }
  | { readonly kind: "unknown_currency"; readonly message: string };

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses Genstore's decimal string ("10", "10.5", "10.50") into minor units, without ever passing through a
 * floating-point number.
 */
export function parseAmount(text: string, currency: string): Result<Money, AmountError> {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) {
    return err({ kind: "unknown_currency", message: "Currency is not an active ISO 4217 code" });
  }
  const trimmed = text.trim();
  if (trimmed.startsWith("-")) {
    return err({ kind: "negative", message: "Amount must not be negative" });
  }
  const match = DECIMAL.exec(trimmed);
  if (match === null) {
    return err({ kind: "not_a_number", message: 'Amount must be a decimal string such as "10.00"' });
  }
  const [, whole, fraction = ""] = match;
  // Digits are counted as written: "10.000" is refused for USD even though its value fits, because the
  // contract allows at most the currency's minor digits.
  if (fraction.length > exponent) {
    return err({
      kind: "too_many_digits",
      message: `Amount has more than ${exponent} decimal digits allowed for ${currency}`,
    });
  }
  const minorText = (whole + fraction.padEnd(exponent, "0")).replace(/^0+(?=\d)/, "");
  const minor = BigInt(minorText);
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) {
    return err({ kind: "too_large", message: "Amount is too large" });
  }
  if (minor === 0n) {
    return err({ kind: "zero", message: "Amount must be greater than zero" });
  }
  return ok({ amountMinor: Number(minor), currency });
}

/** Formats minor units as a decimal string with exactly the currency's minor digits ("10.00", "1000", "1.500"). */
export function formatAmount(money: Money): string {
  const exponent = currencyExponent(money.currency);
  if (exponent === undefined) throw new RangeError(`Cannot format an unknown currency: ${money.currency}`);
  if (!Number.isSafeInteger(money.amountMinor) || money.amountMinor < 0) {
    throw new RangeError(`Cannot format a non-integer or negative amount: ${money.amountMinor}`);
  }
  const digits = String(money.amountMinor).padStart(exponent + 1, "0");
  if (exponent === 0) return digits;
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
