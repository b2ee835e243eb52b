import type { ChangeSource, Operation } from "../payment/operation.ts";
import type { Payment } from "../payment/payment.ts";
import type { PspOutcome } from "../ports/psp_plugin.ts";

/** The outcomes the payment rules apply; the two statements about a call itself are read first. */
export type SettlingOutcome = Exclude<PspOutcome, { kind: "not_received" } | { kind: "return_refused" }>;

/**
 * What an outcome means for an operation now, in the vocabulary the payment rules apply.
 *
 * - `not_received`, the PSP's own answer that it has no record of the call under the operation's key, fails
 *   the operation, but only once no copy of that call can still reach the PSP: past `sentUntil` (every call
 *   that can have an effect ends by then) plus one PSP timeout for a copy still on its way. Before that it is
 *   unknown, and asked about again. Only a query may say it; from any other call it means nothing.
 * - `return_refused`, the PSP's refusal of what the buyer's browser brought back, leaves the payment waiting
 *   for the buyer where it was (the same redirect), until its action deadline.
 */
export function interpretOutcome(
  operation: Operation,
  payment: Payment,
  outcome: PspOutcome,
  context: {
    readonly now: number;
    readonly pspTimeoutMs: number;
    readonly source: ChangeSource;
    /** The plugin declares buyer actions (3-D Secure or offsite pages); without them none is believed. */
    readonly buyerActions: boolean;
  },
): SettlingOutcome {
  switch (outcome.kind) {
    case "requires_action":
      // Only a payment sends a buyer anywhere, and only through a plugin that says it does.
      if (operation.kind !== "payment" || !context.buyerActions) {
        return { kind: "unknown", detail: "the plugin asked for a buyer action it does not declare" };
      }
      return outcome;
    case "not_received": {
      const settledAt = (operation.sentUntil ?? operation.createdAt) + context.pspTimeoutMs;
      if (context.source !== "reconciliation") {
        return { kind: "unknown", detail: `a call answered that it was not received: ${outcome.detail}` };
      }
      if (context.now < settledAt) {
        return { kind: "unknown", detail: `${outcome.detail}; a copy of the call may still reach the PSP` };
      }
      return {
        kind: "failed",
        code: "processing_error",
        message: `not received by the PSP: ${outcome.detail}`,
      };
    }
    case "return_refused":
      if (payment.redirect === undefined) {
        return { kind: "unknown", detail: `the PSP refused the buyer's return: ${outcome.detail}` };
      }
      return {
        kind: "requires_action",
        redirect: payment.redirect,
        resume: payment.resume ?? {},
        pspReference: payment.pspReference,
      };
    default:
      return outcome;
  }
}
