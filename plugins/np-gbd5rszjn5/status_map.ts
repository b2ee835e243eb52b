/**
 * The one place where Np Gbd5rszjn5's words become the core's: payment and modification statuses, decline and
 * failure codes, and notification event types. Each vocabulary is a list taken from the PSP's documentation
 * and a rule table typed over it, so a status added to the list without a rule does not compile. Any string
 * outside the lists is `unknown`: never a success, never a failure on a guess.
 * @module
 */
import type { NotificationEvent } from "../../src/plugin_api.ts";

// TODO(np-gbd5rszjn5): every value of your PSP's payment status field, from its API reference.
/** Every `status` of a Payment in the template API. */
export const PAYMENT_STATUSES = [
  "requires_action",
  "authorized",
  "captured",
  "declined",
  "canceled",
  "expired",
  "failed",
  "processing",
] as const;
export type PaymentStatus = typeof PAYMENT_STATUSES[number];

// TODO(np-gbd5rszjn5): every value of your PSP's capture, void and refund status fields.
/** Every `status` of a Modification (capture, void, refund) in the template API. */
export const MODIFICATION_STATUSES = ["succeeded", "failed", "processing"] as const;
export type ModificationStatus = typeof MODIFICATION_STATUSES[number];

/** What a status means for the core. */
export type StatusRule =
  /** `captured` (payments only): whether the money was taken, as opposed to only reserved. */
  | { readonly kind: "succeeded"; readonly captured?: boolean }
  /** `fallbackCode`: the core code when the answer's own code is missing or not in FAILURE_CODES. */
  | { readonly kind: "failed"; readonly fallbackCode: string }
  /** The buyer has to act on the PSP's page (`redirectUrl`). */
  | { readonly kind: "requires_action" }
  | { readonly kind: "pending" }
  | { readonly kind: "unknown"; readonly why: string };

export const PAYMENT_STATUS_RULES: { readonly [S in PaymentStatus]: StatusRule } = {
  // An offsite payment the buyer has not finished on the hosted page.
  requires_action: { kind: "requires_action" },
  authorized: { kind: "succeeded", captured: false },
  captured: { kind: "succeeded", captured: true },
  // The issuer (or the buyer on the hosted page) said no: final, with the decline code.
  declined: { kind: "failed", fallbackCode: "card_declined" },
  // The buyer cancelled on the hosted page: final, nothing was charged.
  canceled: { kind: "failed", fallbackCode: "payment_cancelled" },
  // The buyer never finished on the hosted page and the PSP gave up: final.
  expired: { kind: "failed", fallbackCode: "payment_expired" },
  // The PSP could not process the payment and says so: final, unlike a 5xx, which says nothing.
  failed: { kind: "failed", fallbackCode: "processing_error" },
  // Accepted; the final result comes in a notification, or from a query.
  processing: { kind: "pending" },
};

/** The fallback code of a failed capture, void or refund: `capture_failed`, `void_failed`, `refund_failed`. */
export const BY_OPERATION = "by_operation";

export const MODIFICATION_STATUS_RULES: { readonly [S in ModificationStatus]: StatusRule } = {
  succeeded: { kind: "succeeded" },
  failed: { kind: "failed", fallbackCode: BY_OPERATION },
  processing: { kind: "pending" },
};

// TODO(np-gbd5rszjn5): your PSP's decline and error codes, mapped to stable snake_case core codes.
/**
 * The PSP's decline, failure and error codes → the core's failure codes (stable snake_case, shown to the
 * merchant). A code missing here falls back to the status rule's code: a decline is still a decline.
 */
export const FAILURE_CODES: Readonly<Record<string, string>> = Object.freeze({
  // Declines (Payment.declineCode)
  card_declined: "card_declined",
  do_not_honor: "card_declined",
  insufficient_funds: "insufficient_funds",
  expired_card: "expired_card",
  incorrect_cvc: "incorrect_cvc",
  suspected_fraud: "fraud",
  payment_declined: "payment_declined",
  // Modification failures (Modification.failureCode), by the PSP's accounting rules
  not_capturable: "payment_not_capturable",
  exceeds_authorized: "amount_exceeds_authorized",
  not_voidable: "payment_not_voidable",
  already_captured: "void_after_capture",
  not_refundable: "payment_not_refundable",
  exceeds_captured: "amount_exceeds_captured",
  currency_mismatch: "invalid_amount",
  // Request errors (error.code of a 400 or 404 answer)
  invalid_request: "invalid_request",
  payment_not_found: "payment_not_found",
});

// TODO(np-gbd5rszjn5): your PSP's notification event types, and which operation each one settles.
/** Every notification event type of the template API, and the operation whose result it carries. */
export const EVENT_OPERATIONS = {
  "payment.updated": "pay",
  "capture.updated": "capture",
  "void.updated": "void",
  "refund.updated": "refund",
} as const satisfies Readonly<Record<string, NotificationEvent["operation"]>>;
export type EventType = keyof typeof EVENT_OPERATIONS;

const UNRECOGNISED: StatusRule = { kind: "unknown", why: "unrecognised status" };

/** The rule for a payment status; anything outside PAYMENT_STATUSES is unknown. */
export function paymentRule(status: unknown): StatusRule {
  return typeof status === "string" && Object.hasOwn(PAYMENT_STATUS_RULES, status)
    ? PAYMENT_STATUS_RULES[status as PaymentStatus]
    : UNRECOGNISED;
}

/** The rule for a modification status; anything outside MODIFICATION_STATUSES is unknown. */
export function modificationRule(status: unknown): StatusRule {
  return typeof status === "string" && Object.hasOwn(MODIFICATION_STATUS_RULES, status)
    ? MODIFICATION_STATUS_RULES[status as ModificationStatus]
    : UNRECOGNISED;
}

/** The core code for a PSP code, or the fallback when the PSP gave none or one not in FAILURE_CODES. */
export function failureCode(pspCode: unknown, fallback: string): string {
  return typeof pspCode === "string" && Object.hasOwn(FAILURE_CODES, pspCode)
    ? FAILURE_CODES[pspCode]
    : fallback;
}

/** The operation an event type settles, or undefined for event types the plugin does not act on. */
export function eventOperation(type: unknown): NotificationEvent["operation"] | undefined {
  return typeof type === "string" && Object.hasOwn(EVENT_OPERATIONS, type)
    ? EVENT_OPERATIONS[type as EventType]
    : undefined;
}
