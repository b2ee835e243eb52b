/**
 * Reads the card Adyen stored out of an Authorised answer or an AUTHORISATION notification
 * (docs.adyen.com/online-payments/tokenization/create-tokens): the token in
 * `additionalData["tokenization.storedPaymentMethodId"]` (v68 and later; it replaced
 * `recurring.recurringDetailReference`), the shopper in `tokenization.shopperReference`, the brand in
 * `paymentMethod.brand` (v69 and later) or `additionalData.paymentMethod`, the last four digits in
 * `additionalData.cardSummary` and the expiry in `additionalData.expiryDate` ("3/2030" or "03/2030").
 * @module
 */
import type { CardDetails, StoredCard } from "../../src/plugin_api.ts";
import { isObject } from "../kit/mod.ts";

/** What the caller knows about the card it asked Adyen to store. */
export interface StoringExpectation {
  /** The shopperReference the card was stored under; an answer naming another shopper is not believed. */
  readonly shopperReference?: string;
  /** The card that was sent: a fallback for the summary fields, and a guard against a token holding card data. */
  readonly card?: CardDetails;
}

// Adyen's tokens are 16 alphanumerics; the v71 schema bounds storedPaymentMethodId at 64 characters.
const TOKEN_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const BRAND_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;

/** The stored card an answer reports, or undefined when it reports none the gateway can believe. */
export function readStoredCard(
  additionalData: unknown,
  brand: unknown,
  expectation: StoringExpectation,
): StoredCard | undefined {
  if (!isObject(additionalData)) return undefined;
  const token = additionalData["tokenization.storedPaymentMethodId"];
  if (typeof token !== "string" || !TOKEN_PATTERN.test(token)) return undefined;
  const storedFor = additionalData["tokenization.shopperReference"];
  if (
    expectation.shopperReference !== undefined && typeof storedFor === "string" &&
    storedFor !== expectation.shopperReference
  ) {
    return undefined;
  }
  const card = expectation.card;
  const number = card?.number.replace(/[\s-]/g, "");
  // Fail closed: whatever Adyen answers, a card number never leaves the plugin as a token.
  if (number !== undefined && number.length >= 12 && token.includes(number)) return undefined;
  const stored: { -readonly [K in keyof StoredCard]: StoredCard[K] } = { pspToken: token };
  const brandName = [brand, additionalData.paymentMethod].find((value): value is string =>
    typeof value === "string" && BRAND_PATTERN.test(value)
  );
  if (brandName !== undefined) stored.brand = brandName;
  const summary = additionalData.cardSummary;
  const last4 = typeof summary === "string" && /^\d{4}$/.test(summary) ? summary : number?.slice(-4);
  if (last4 !== undefined && /^\d{4}$/.test(last4)) stored.last4 = last4;
  const expiry = parseExpiry(additionalData.expiryDate) ??
    (card === undefined ? undefined : parseExpiry(`${card.expiryMonth}/${card.expiryYear}`));
  if (expiry !== undefined) {
    stored.expiryMonth = expiry.month;
    stored.expiryYear = expiry.year;
  }
  return stored;
}

/** "3/2030", "03/2030" or "03/30" as a two-digit month and a four-digit year. */
export function parseExpiry(value: unknown): { month: string; year: string } | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(value);
  if (match === null) return undefined;
  const month = Number(match[1]);
  if (month < 1 || month > 12) return undefined;
  return { month: String(month).padStart(2, "0"), year: match[2].length === 2 ? `20${match[2]}` : match[2] };
}
