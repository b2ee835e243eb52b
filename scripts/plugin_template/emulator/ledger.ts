/**
 * The emulator's record of payments, and the accounting rules of modifications: capture only an authorized,
 * uncaptured remainder (several partial captures allowed); void only an authorization with nothing captured;
 * refund only what was captured and not yet refunded. A modification that breaks a rule is answered, stored
 * under its key and notified as `failed` with a failure code.
 * @module
 */
import type { Amount } from "./validation.ts";

export type PaymentStatus = "authorized" | "captured" | "declined" | "failed" | "processing";
export type ModificationType = "capture" | "void" | "refund";

export interface PaymentRecord {
  readonly id: string;
  /** The API key that created it: another account cannot see or modify it. */
  readonly apiKey: string;
  readonly reference: string;
  readonly amount: Amount;
  readonly brand: string;
  readonly last4: string;
  status: PaymentStatus;
  declineCode?: string;
  message: string;
  /** Minor units captured so far (the whole amount for a sale). */
  captured: number;
  refunded: number;
  voided: boolean;
}

export type Decision =
  | { readonly ok: true }
  | { readonly ok: false; readonly failureCode: string; readonly message: string };

function refuse(failureCode: string, message: string): Decision {
  return { ok: false, failureCode, message };
}

/** Decides a modification and, when it is allowed, books it at once (before any notification). */
export function applyModification(
  payment: PaymentRecord,
  type: ModificationType,
  amount: Amount | undefined,
): Decision {
  if (amount !== undefined && amount.currency !== payment.amount.currency) {
    return refuse("currency_mismatch", "The currency differs from the payment's");
  }
  switch (type) {
    case "capture": {
      if (payment.status !== "authorized" || payment.voided) {
        return refuse("not_capturable", "Only an authorized payment can be captured");
      }
      if (amount === undefined) return refuse("not_capturable", "A capture needs an amount");
      if (amount.value > payment.amount.value - payment.captured) {
        return refuse("exceeds_authorized", "The amount exceeds what remains authorized");
      }
      payment.captured += amount.value;
      return { ok: true };
    }
    case "void": {
      if (payment.captured > 0) return refuse("already_captured", "A captured payment cannot be voided");
      if (payment.status !== "authorized" || payment.voided) {
        return refuse("not_voidable", "Only an authorized payment can be voided");
      }
      payment.voided = true;
      return { ok: true };
    }
    case "refund": {
      if (payment.captured === 0) {
        return refuse("not_refundable", "Nothing was captured, so nothing can be refunded");
      }
      if (amount === undefined) return refuse("not_refundable", "A refund needs an amount");
      if (payment.refunded + amount.value > payment.captured) {
        return refuse("exceeds_captured", "The amount exceeds what was captured and not refunded");
      }
      payment.refunded += amount.value;
      return { ok: true };
    }
  }
}

/** A PSP id: the prefix and 16 random base32 characters, like `pay_3k7q...`. */
export function newId(prefix: string): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `${prefix}_${Array.from(bytes, (byte) => alphabet[byte % 32]).join("")}`;
}
