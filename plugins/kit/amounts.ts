/**
 * Amounts as PSPs write them: decimal strings with the currency's minor digits ("10.00" USD, "1000" JPY).
 * @module
 */
import { formatAmount, type Money, parseAmount } from "../../src/plugin_api.ts";

/** The decimal string of an amount with exactly the currency's minor digits, as PayPal and Mollie want it. */
export function decimalAmount(money: Money): string {
  return formatAmount(money);
}

/**
 * An amount a PSP wrote as a decimal string, in minor units (zero included); undefined when it is not a valid
 * amount of that currency, so a plugin reads it as an answer it cannot trust, never as zero.
 */
export function moneyFromDecimal(value: unknown, currency: unknown): Money | undefined {
  if (typeof value !== "string" || typeof currency !== "string") return undefined;
  if (/^0+(\.0+)?$/.test(value)) {
    return parseAmount("1", currency).ok ? { amountMinor: 0, currency } : undefined;
  }
  const parsed = parseAmount(value, currency);
  return parsed.ok ? parsed.value : undefined;
}
