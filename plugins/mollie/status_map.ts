/**
 * The one mapping from Mollie's payment and refund statuses to the core's outcomes. Sources: the
 * `payment-status` and `refund-status` enums of Mollie's Payments API v2 reference, and
 * https://docs.mollie.com/docs/status-change (which statuses are final, and when the webhook is called).
 * @module
 */

/** Every payment `status` of Mollie's Payments API v2. */
export const MOLLIE_PAYMENT_STATUSES = [
  "open",
  "pending",
  "authorized",
  "paid",
  "canceled",
  "expired",
  "failed",
] as const;

export type MolliePaymentStatus = typeof MOLLIE_PAYMENT_STATUSES[number];

/** Every refund `status` of Mollie's Refunds API v2. */
export const MOLLIE_REFUND_STATUSES = [
  "queued",
  "pending",
  "processing",
  "refunded",
  "failed",
  "canceled",
] as const;

export type MollieRefundStatus = typeof MOLLIE_REFUND_STATUSES[number];

export type StatusRule =
  | { readonly kind: "succeeded" }
  | { readonly kind: "failed"; readonly code: string }
  | { readonly kind: "pending" }
  /**
   * The buyer has not finished on Mollie's pages. What it means depends on who asks: after the buyer's return
   * it is `return_refused` (nothing changed, keep waiting); to a create or a query it is `requires_action`
   * with the checkout link; in a webhook it is no news at all.
   */
  | { readonly kind: "awaiting_buyer" }
  | { readonly kind: "unknown"; readonly why: string };

/** Exhaustive over Mollie's list: a status added to the list without a rule does not compile. */
export const PAYMENT_STATUS_RULES: { readonly [S in MolliePaymentStatus]: StatusRule } = {
  // Created; the buyer has not completed (or not even started) the payment on Mollie's checkout.
  open: { kind: "awaiting_buyer" },
  // The buyer finished, and the bank or Mollie is still processing it (e.g. a bank transfer, SEPA checks).
  pending: { kind: "pending" },
  // Only methods with an authorization step (captureMode "manual", Klarna-like pay-later) reach it, and the
  // plugin never asks for one: funds held but not captured is not the sale that was asked for, nor a
  // refusal. Reconciliation keeps asking; a later capture makes it `paid`, a release `canceled`.
  authorized: { kind: "unknown", why: "authorized but not captured, which this plugin never asks for" },
  paid: { kind: "succeeded" },
  canceled: { kind: "failed", code: "payment_canceled" },
  // Final: the buyer abandoned Mollie's checkout, or the bank never confirmed in time.
  expired: { kind: "failed", code: "payment_expired" },
  failed: { kind: "failed", code: "payment_failed" },
};

/** Refunds are asynchronous at Mollie: accepted first, then `refunded` (final) or `failed`/`canceled`. */
export const REFUND_STATUS_RULES: { readonly [S in MollieRefundStatus]: StatusRule } = {
  // Waiting for enough balance on the Mollie account; it still goes through once there is.
  queued: { kind: "pending" },
  pending: { kind: "pending" },
  processing: { kind: "pending" },
  refunded: { kind: "succeeded" },
  failed: { kind: "failed", code: "refund_failed" },
  // Canceled by the merchant (Dashboard or API) before Mollie sent it to the bank.
  canceled: { kind: "failed", code: "refund_canceled" },
};

/** The rule for a payment status; any value outside Mollie's list is unknown, never a success. */
export function paymentStatusRule(status: unknown): StatusRule {
  if (typeof status === "string" && Object.hasOwn(PAYMENT_STATUS_RULES, status)) {
    return PAYMENT_STATUS_RULES[status as MolliePaymentStatus];
  }
  return { kind: "unknown", why: "unrecognised payment status" };
}

/** The rule for a refund status; any value outside Mollie's list is unknown, never a success. */
export function refundStatusRule(status: unknown): StatusRule {
  if (typeof status === "string" && Object.hasOwn(REFUND_STATUS_RULES, status)) {
    return REFUND_STATUS_RULES[status as MollieRefundStatus];
  }
  return { kind: "unknown", why: "unrecognised refund status" };
}

/** Whether a refund status is final (a webhook reports only these). */
export function isFinalRefundRule(rule: StatusRule): boolean {
  return rule.kind === "succeeded" || rule.kind === "failed";
}
