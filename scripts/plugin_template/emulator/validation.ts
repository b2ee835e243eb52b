/**
 * Request validation, as the template API documents it. A request that fails validation is answered 400
 * `invalid_request` and neither processed nor stored under its idempotency key.
 * @module
 */
import { passesLuhn } from "./test_cards.ts";

export type Json = Record<string, unknown>;

export interface Amount {
  readonly value: number;
  readonly currency: string;
}

export interface Card {
  readonly number: string;
  readonly expiryMonth: string;
  readonly expiryYear: string;
}

export interface PaymentRequest {
  readonly reference: string;
  readonly amount: Amount;
  readonly capture: boolean;
  readonly card: Card;
}

export type Checked<T> = { readonly ok: true; readonly value: T } | {
  readonly ok: false;
  readonly message: string;
};

function invalid(message: string): { ok: false; message: string } {
  return { ok: false, message };
}

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function checkReference(value: unknown): Checked<string> {
  return typeof value === "string" && value.length >= 1 && value.length <= 128
    ? { ok: true, value }
    : invalid("reference must be a string of 1 to 128 characters");
}

export function checkAmount(value: unknown): Checked<Amount> {
  if (!isObject(value)) return invalid("amount must be an object with value and currency");
  if (!Number.isSafeInteger(value.value) || (value.value as number) <= 0) {
    return invalid("amount.value must be a positive integer of minor units");
  }
  if (typeof value.currency !== "string" || !/^[A-Z]{3}$/.test(value.currency)) {
    return invalid("amount.currency must be an ISO 4217 code");
  }
  return { ok: true, value: { value: value.value as number, currency: value.currency } };
}

export function checkPayment(body: Json, now: number): Checked<PaymentRequest> {
  const reference = checkReference(body.reference);
  if (!reference.ok) return reference;
  const amount = checkAmount(body.amount);
  if (!amount.ok) return amount;
  if (typeof body.capture !== "boolean") return invalid("capture must be a boolean");
  const card = checkCard(body.card, now);
  if (!card.ok) return card;
  return {
    ok: true,
    value: { reference: reference.value, amount: amount.value, capture: body.capture, card: card.value },
  };
}

function checkCard(value: unknown, now: number): Checked<Card> {
  if (!isObject(value)) return invalid("card must be an object");
  const { number, expiryMonth, expiryYear, cvc } = value;
  if (typeof number !== "string" || !passesLuhn(number)) {
    return invalid("card.number is not a valid card number");
  }
  if (typeof expiryMonth !== "string" || !/^(0[1-9]|1[0-2])$/.test(expiryMonth)) {
    return invalid("card.expiryMonth must be two digits, 01 to 12");
  }
  if (typeof expiryYear !== "string" || !/^\d{4}$/.test(expiryYear)) {
    return invalid("card.expiryYear must be four digits");
  }
  if (typeof cvc !== "string" || !/^\d{3,4}$/.test(cvc)) return invalid("card.cvc must be 3 or 4 digits");
  const today = new Date(now);
  const expired = Number(expiryYear) < today.getUTCFullYear() ||
    (Number(expiryYear) === today.getUTCFullYear() && Number(expiryMonth) < today.getUTCMonth() + 1);
  if (expired) return invalid("card has expired");
  return { ok: true, value: { number, expiryMonth, expiryYear } };
}
