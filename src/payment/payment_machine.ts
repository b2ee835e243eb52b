import type { Result } from "../result.ts";
import { type InvalidTransition, terminalStates, transition, type TransitionTable } from "./state_machine.ts";

/**
 * The lifecycle of one Genstore payment. `unknown` means a PSP call was sent but its result is not known:
 * only an answer from the PSP (query or notification) may move it, never a blind retry.
 */
export const PAYMENT_STATES = [
  "processing",
  "requires_action",
  "unknown",
  "authorized",
  "succeeded",
  "partially_captured",
  "captured",
  "voided",
  "failed",
] as const;
export type PaymentState = typeof PAYMENT_STATES[number];

export const PAYMENT_EVENTS = [
  "psp_requires_action",
  "psp_authorized",
  "psp_paid",
  "psp_declined",
  "psp_outcome_unknown",
  "psp_pending",
  "rejected",
  "capture_succeeded_partially",
  "capture_succeeded_fully",
  "void_succeeded",
] as const;
export type PaymentEvent = typeof PAYMENT_EVENTS[number];

type Table = TransitionTable<PaymentState, PaymentEvent>;

/** Legal moves only. An absent edge is an illegal move; there is deliberately no default. */
export const PAYMENT_TRANSITIONS: Table = {
  processing: {
    psp_requires_action: "requires_action",
    psp_authorized: "authorized",
    psp_paid: "succeeded",
    psp_declined: "failed",
    psp_outcome_unknown: "unknown",
    // The PSP accepted the payment and will tell the result later.
    psp_pending: "processing",
    // Refused by the gateway itself before reaching the PSP (no credentials, unreadable card, ...).
    rejected: "failed",
  },
  // A PSP may ask for a second step (e.g. a fingerprint, then a challenge).
  requires_action: {
    psp_requires_action: "requires_action",
    psp_authorized: "authorized",
    psp_paid: "succeeded",
    psp_declined: "failed",
    psp_outcome_unknown: "unknown",
    psp_pending: "processing",
    // The buyer never came back in time; safe because the PSP only authorizes after the gateway continues.
    rejected: "failed",
  },
  // Reconciliation settles an unknown payment; a PSP may also still ask the buyer to act.
  unknown: {
    // Asked again and still unknown: it stays unknown, and reconciliation backs off.
    psp_outcome_unknown: "unknown",
    psp_requires_action: "requires_action",
    psp_authorized: "authorized",
    psp_paid: "succeeded",
    psp_declined: "failed",
    psp_pending: "processing",
  },
  authorized: {
    capture_succeeded_partially: "partially_captured",
    capture_succeeded_fully: "captured",
    void_succeeded: "voided",
  },
  partially_captured: {
    capture_succeeded_partially: "partially_captured",
    capture_succeeded_fully: "captured",
  },
  succeeded: {},
  captured: {},
  voided: {},
  failed: {},
};

/** States no event leaves (refunds change sums, never the state). */
export const TERMINAL_PAYMENT_STATES: readonly PaymentState[] = terminalStates(
  PAYMENT_STATES,
  PAYMENT_TRANSITIONS,
);

/** States in which the payment's own result (payment or pre_authorize callback) is still open. */
export const UNSETTLED_PAYMENT_STATES: readonly PaymentState[] = ["processing", "requires_action", "unknown"];

export type InvalidPaymentTransition = InvalidTransition<PaymentState, PaymentEvent>;

export function transitionPayment(
  from: PaymentState,
  event: PaymentEvent,
): Result<PaymentState, InvalidPaymentTransition> {
  return transition(PAYMENT_TRANSITIONS, from, event);
}
