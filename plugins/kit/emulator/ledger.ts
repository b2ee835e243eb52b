/**
 * The amount accounting of one payment at a PSP, in integer minor units: what was authorised, captured,
 * refunded and voided, and which modification the balance allows. Pure functions over plain data, so an
 * emulator stores the ledger in its state and decides every capture, void and refund against the balance the
 * previous one left. Each PSP states its own rules (multiple partial captures, void after a partial capture);
 * the refusal names are the kit's, and each emulator words them as its PSP does.
 * @module
 */
import type { Money } from "../../../src/plugin_api.ts";

export interface Ledger {
  readonly currency: string;
  readonly authorized: number;
  readonly captured: number;
  readonly refunded: number;
  /** The rest of the authorisation was released (a void, or a partial capture that closed it). */
  readonly voided: boolean;
  /** No further capture is possible: fully captured, a final capture, or voided. */
  readonly captureClosed: boolean;
}

export interface LedgerRules {
  /** Several partial captures of one authorisation; without, the first capture releases the rest. */
  readonly multipleCaptures: boolean;
  /** A void after a partial capture releases the rest; without, a captured payment cannot be voided. */
  readonly voidAfterPartialCapture: boolean;
}

export type LedgerRefusal =
  | "invalid_amount"
  | "currency_mismatch"
  | "voided"
  | "capture_closed"
  | "exceeds_authorized"
  | "already_voided"
  | "already_captured"
  | "not_captured"
  | "exceeds_captured";

export type LedgerResult =
  | { readonly ok: true; readonly ledger: Ledger }
  | { readonly ok: false; readonly refusal: LedgerRefusal };

/** An authorisation, nothing captured yet. */
export function authorization(amount: Money): Ledger {
  return {
    currency: amount.currency,
    authorized: amount.amountMinor,
    captured: 0,
    refunded: 0,
    voided: false,
    captureClosed: false,
  };
}

/** A sale: authorised and captured at once. */
export function sale(amount: Money): Ledger {
  return { ...authorization(amount), captured: amount.amountMinor, captureClosed: true };
}

/** What can still be captured. */
export function capturable(ledger: Ledger): number {
  return ledger.captureClosed ? 0 : ledger.authorized - ledger.captured;
}

/** What can still be refunded. */
export function refundable(ledger: Ledger): number {
  return ledger.captured - ledger.refunded;
}

/** Captures `amount`; `final` closes the authorisation after it (PayPal's final_capture). */
export function capture(
  ledger: Ledger,
  amount: Money,
  rules: LedgerRules,
  options: { readonly final?: boolean } = {},
): LedgerResult {
  const invalid = checkAmount(ledger, amount);
  if (invalid !== undefined) return refuse(invalid);
  if (ledger.voided) return refuse("voided");
  if (ledger.captureClosed) return refuse("capture_closed");
  if (amount.amountMinor > ledger.authorized - ledger.captured) return refuse("exceeds_authorized");
  const captured = ledger.captured + amount.amountMinor;
  const closes = options.final === true || !rules.multipleCaptures || captured === ledger.authorized;
  return { ok: true, ledger: { ...ledger, captured, captureClosed: closes } };
}

/** Releases what is not captured. */
export function voidRemaining(ledger: Ledger, rules: LedgerRules): LedgerResult {
  if (ledger.voided) return refuse("already_voided");
  if (ledger.captured > 0 && (!rules.voidAfterPartialCapture || ledger.captureClosed)) {
    return refuse("already_captured");
  }
  return { ok: true, ledger: { ...ledger, voided: true, captureClosed: true } };
}

/** Refunds `amount` of what was captured; refunds never add up to more than the captures. */
export function refund(ledger: Ledger, amount: Money): LedgerResult {
  const invalid = checkAmount(ledger, amount);
  if (invalid !== undefined) return refuse(invalid);
  if (ledger.captured === 0) return refuse("not_captured");
  if (amount.amountMinor > refundable(ledger)) return refuse("exceeds_captured");
  return { ok: true, ledger: { ...ledger, refunded: ledger.refunded + amount.amountMinor } };
}

/** Gives back a refund accepted earlier that failed later (a bank refund that bounced). */
export function reverseRefund(ledger: Ledger, amount: Money): LedgerResult {
  const invalid = checkAmount(ledger, amount);
  if (invalid !== undefined) return refuse(invalid);
  if (amount.amountMinor > ledger.refunded) return refuse("exceeds_captured");
  return { ok: true, ledger: { ...ledger, refunded: ledger.refunded - amount.amountMinor } };
}

function checkAmount(ledger: Ledger, amount: Money): LedgerRefusal | undefined {
  if (!Number.isSafeInteger(amount.amountMinor) || amount.amountMinor <= 0) return "invalid_amount";
  if (amount.currency !== ledger.currency) return "currency_mismatch";
  return undefined;
}

function refuse(refusal: LedgerRefusal): LedgerResult {
  return { ok: false, refusal };
}
