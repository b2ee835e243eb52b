/**
 * What the demo shop shows of one payment, derived from the payment's story as the database tells it: its
 * amounts in major units, whether the PSP still owes an answer, its final result and reason, and only the
 * actions its state allows (so the page never offers a button the gateway would refuse).
 * @module
 */
import { formatAmount } from "../../src/money/money.ts";
import type { PaymentStateName, PaymentStory } from "../operations/payment_story.ts";

/** The card acquirer emulator's cards (contract section 7), each with the outcome it produces. */
export const SANDBOX_CARDS: readonly { readonly number: string; readonly outcome: string }[] = [
  { number: "4242424242424242", outcome: "approved" },
  { number: "4000000000000002", outcome: "declined: card_declined" },
  { number: "4000000000009995", outcome: "declined: insufficient_funds" },
  { number: "4000000000003220", outcome: "3-D Secure challenge" },
  { number: "4000000000000119", outcome: "PSP error 500, then asked" },
  { number: "4000000000006975", outcome: "PSP timeout, then asked" },
];

export const METHODS = ["card", "wallet", "bank"] as const;
export type DemoMethod = typeof METHODS[number];

/** States in which the payment waits on the PSP or the buyer (the page refreshes itself until none is left). */
const WAITING_STATES: readonly PaymentStateName[] = ["processing", "requires_action", "unknown"];

export interface RowView {
  readonly paymentId: string;
  readonly method: string;
  readonly amount: string;
  readonly captured: string;
  readonly refunded: string;
  readonly state: PaymentStateName;
  readonly tone: "ok" | "bad" | "wait";
  /** The PSP (or the buyer at the PSP) still owes an answer: the row says so and the page refreshes. */
  readonly waiting: boolean;
  /** Why it failed, or why its last capture / void / refund failed: `code: message`. */
  readonly reason?: string;
  /** Which operation the reason belongs to, when it is not the payment itself. */
  readonly reasonOf?: string;
  /** The amount the capture field is prefilled with (major units), when a capture is possible. */
  readonly capture?: string;
  readonly void: boolean;
  readonly refund?: string;
}

function major(amountMinor: number, currency: string): string {
  try {
    return formatAmount({ amountMinor, currency });
  } catch {
    return String(amountMinor);
  }
}

function reasonText(code: string | null, message: string | null): string | undefined {
  if (code === null) return undefined;
  return message === null ? code : `${code}: ${message}`;
}

export function rowView(story: PaymentStory): RowView {
  const p = story.payment;
  const money = (minor: number) => `${major(minor, p.currency)} ${p.currency}`;
  const pendingOperation = p.capturePendingMinor > 0 || p.refundPendingMinor > 0 || p.voidPending;
  const waiting = WAITING_STATES.includes(p.state) || pendingOperation;
  // The latest capture, void or refund that failed explains why the amounts did not move.
  const lastOperation = story.operations.filter((op) => op.kind !== "payment").at(-1);
  const failedOperation = lastOperation?.status === "failed" ? lastOperation : undefined;
  const reason = p.state === "failed"
    ? reasonText(p.errorCode, p.errorMessage)
    : failedOperation === undefined
    ? undefined
    : reasonText(failedOperation.errorCode, failedOperation.errorMessage);
  const authorized = p.state === "authorized" || p.state === "partially_captured";
  return {
    paymentId: p.paymentId,
    method: p.extension,
    amount: money(p.amountMinor),
    captured: money(p.capturedMinor),
    refunded: money(p.refundedMinor),
    state: p.state,
    tone: waiting ? "wait" : p.state === "failed" ? "bad" : "ok",
    waiting,
    reason,
    reasonOf: p.state === "failed" || failedOperation === undefined
      ? undefined
      : `${failedOperation.kind} ${failedOperation.operationId}`,
    capture: !waiting && authorized && p.remainingToCaptureMinor > 0
      ? major(p.remainingToCaptureMinor, p.currency)
      : undefined,
    void: !waiting && p.state === "authorized" && p.capturedMinor === 0,
    refund: !waiting && p.remainingToRefundMinor > 0
      ? major(p.remainingToRefundMinor, p.currency)
      : undefined,
  };
}
