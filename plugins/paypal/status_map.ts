/**
 * The one mapping from PayPal's words to the core's: order, capture, authorization and refund statuses (the
 * enums of `order_status`, `capture_status`, `authorization_status` and `refund_status` in the vendored Orders
 * v2 and Payments v2 documents), the `details[].issue` codes of 422 answers per flow, and webhook event types.
 * Every list is exhaustive over the spec's enum and typed so that a status without a rule does not compile;
 * any string outside the lists is unknown, never a success.
 * @module
 */

/** Every `order_status` of Orders v2. */
export const ORDER_STATUSES = [
  "CREATED",
  "SAVED",
  "APPROVED",
  "VOIDED",
  "COMPLETED",
  "PAYER_ACTION_REQUIRED",
] as const;
export type OrderStatus = typeof ORDER_STATUSES[number];

/** Every `capture_status.status` of Orders v2 and Payments v2. */
export const CAPTURE_STATUSES = [
  "COMPLETED",
  "DECLINED",
  "PARTIALLY_REFUNDED",
  "PENDING",
  "REFUNDED",
  "FAILED",
] as const;
export type CaptureStatus = typeof CAPTURE_STATUSES[number];

/** Every `authorization_status.status` of Orders v2 and Payments v2. */
export const AUTHORIZATION_STATUSES = [
  "CREATED",
  "CAPTURED",
  "DENIED",
  "PARTIALLY_CAPTURED",
  "VOIDED",
  "PENDING",
] as const;
export type AuthorizationStatus = typeof AUTHORIZATION_STATUSES[number];

/** Every `refund_status.status` of Orders v2 and Payments v2. */
export const REFUND_STATUSES = ["CANCELLED", "FAILED", "PENDING", "COMPLETED"] as const;
export type RefundStatus = typeof REFUND_STATUSES[number];

/** What a status says about the operation that produced it. */
export type ResultRule =
  | { readonly kind: "succeeded" }
  | { readonly kind: "pending" }
  | { readonly kind: "failed"; readonly code: string }
  | { readonly kind: "unknown"; readonly why: string };

/** What an order's status means once the gateway acts on it (the buyer's return, or a question about it). */
export type OrderRule =
  /** The buyer has not approved it: nothing can be captured or authorized yet. */
  | { readonly kind: "awaiting_buyer" }
  /** Approved and not yet captured or authorized: the gateway's capture or authorize call is due. */
  | { readonly kind: "approved" }
  /** Captured or authorized: the capture or authorization in it tells the result. */
  | { readonly kind: "completed" }
  | { readonly kind: "failed"; readonly code: string }
  | { readonly kind: "unknown"; readonly why: string };

export const ORDER_RULES: { readonly [S in OrderStatus]: OrderRule } = {
  CREATED: { kind: "awaiting_buyer" },
  PAYER_ACTION_REQUIRED: { kind: "awaiting_buyer" },
  // The gateway never saves orders (v2/checkout/orders/{id}/save): a saved order is not one of its own.
  SAVED: { kind: "unknown", why: "the order is saved, which the gateway never asks for" },
  APPROVED: { kind: "approved" },
  COMPLETED: { kind: "completed" },
  // Voided by the buyer, by PayPal (expiry) or in the merchant's dashboard: nothing can be captured any more.
  VOIDED: { kind: "failed", code: "payment_canceled" },
};

/** A capture as the result of a sale's capture or of an authorization's capture. */
export const CAPTURE_RULES: { readonly [S in CaptureStatus]: ResultRule } = {
  COMPLETED: { kind: "succeeded" },
  // Captured, then (partly) refunded: the capture itself happened.
  PARTIALLY_REFUNDED: { kind: "succeeded" },
  REFUNDED: { kind: "succeeded" },
  // e.g. ECHECK, PENDING_REVIEW, RECEIVING_PREFERENCE_MANDATES_MANUAL_ACTION: PayPal tells the end later.
  PENDING: { kind: "pending" },
  DECLINED: { kind: "failed", code: "payment_declined" },
  FAILED: { kind: "failed", code: "capture_failed" },
};

/** An authorization as the result of authorizing an order (a payment with manual capture). */
export const AUTHORIZATION_RULES: { readonly [S in AuthorizationStatus]: ResultRule } = {
  CREATED: { kind: "succeeded" },
  // Authorized, then captured in part or in full by later calls: the authorization itself happened.
  CAPTURED: { kind: "succeeded" },
  PARTIALLY_CAPTURED: { kind: "succeeded" },
  PENDING: { kind: "pending" },
  DENIED: { kind: "failed", code: "payment_declined" },
  // Nothing can be captured from a voided authorization, whoever voided it.
  VOIDED: { kind: "failed", code: "authorization_voided" },
};

/** An authorization as the result of voiding it. */
export const VOID_RULES: { readonly [S in AuthorizationStatus]: ResultRule } = {
  VOIDED: { kind: "succeeded" },
  CREATED: { kind: "unknown", why: "the authorization is still open after the void" },
  PENDING: { kind: "unknown", why: "the authorization is still pending after the void" },
  PARTIALLY_CAPTURED: { kind: "failed", code: "void_after_capture" },
  CAPTURED: { kind: "failed", code: "void_after_capture" },
  DENIED: { kind: "unknown", why: "the authorization was denied, so there was nothing to void" },
};

/** A refund as the result of refunding a capture. */
export const REFUND_RULES: { readonly [S in RefundStatus]: ResultRule } = {
  COMPLETED: { kind: "succeeded" },
  // e.g. ECHECK: the contract reports a refund once PayPal says it is final.
  PENDING: { kind: "pending" },
  FAILED: { kind: "failed", code: "refund_failed" },
  CANCELLED: { kind: "failed", code: "refund_cancelled" },
};

function ruleOf<S extends string, R>(rules: { readonly [K in S]: R }, status: unknown): R | undefined {
  return typeof status === "string" && Object.hasOwn(rules, status) ? rules[status as S] : undefined;
}

const UNRECOGNISED: ResultRule = { kind: "unknown", why: "unrecognised status" };

export function orderRule(status: unknown): OrderRule {
  return ruleOf(ORDER_RULES, status) ?? { kind: "unknown", why: "unrecognised order status" };
}

export function captureRule(status: unknown): ResultRule {
  return ruleOf(CAPTURE_RULES, status) ?? UNRECOGNISED;
}

export function authorizationRule(status: unknown): ResultRule {
  return ruleOf(AUTHORIZATION_RULES, status) ?? UNRECOGNISED;
}

export function voidRule(status: unknown): ResultRule {
  return ruleOf(VOID_RULES, status) ?? UNRECOGNISED;
}

export function refundRule(status: unknown): ResultRule {
  return ruleOf(REFUND_RULES, status) ?? UNRECOGNISED;
}

/**
 * What a 422 `details[].issue` means in one flow. An issue without a rule is a refusal with the default code
 * (`invalid_request`): PayPal documents every 422 as an action it did not perform.
 */
export type IssueRule =
  | { readonly kind: "failed"; readonly code: string }
  /** PayPal may have acted after all (or is still acting): ask again. */
  | { readonly kind: "unknown" }
  /** The order is past the step asked for (already captured, authorized, voided): read what it holds. */
  | { readonly kind: "look_up" }
  /** The buyer has not approved the order: nothing changed at PayPal. */
  | { readonly kind: "not_approved" }
  /** What was asked is already true (a void of a voided authorization). */
  | { readonly kind: "done" };

export type IssueTable = Readonly<Record<string, IssueRule>>;

export function issueRule(table: IssueTable, issue: string | undefined): IssueRule | undefined {
  return issue !== undefined && Object.hasOwn(table, issue) ? table[issue] : undefined;
}

const DECLINED: IssueRule = { kind: "failed", code: "payment_declined" };
const MERCHANT: IssueRule = { kind: "failed", code: "merchant_account_restricted" };
const MAYBE_DONE: IssueRule = { kind: "unknown" };

/** Issues the payer's or the payee's account raise, whatever the call. */
export const ACCOUNT_ISSUES: IssueTable = {
  PAYER_ACCOUNT_LOCKED_OR_CLOSED: DECLINED,
  PAYER_ACCOUNT_RESTRICTED: DECLINED,
  PAYER_CANNOT_PAY: DECLINED,
  TRANSACTION_REFUSED: DECLINED,
  TRANSACTION_LIMIT_EXCEEDED: DECLINED,
  PAYEE_ACCOUNT_LOCKED_OR_CLOSED: MERCHANT,
  PAYEE_ACCOUNT_RESTRICTED: MERCHANT,
  PAYEE_ACCOUNT_INVALID: MERCHANT,
  PAYEE_BLOCKED_TRANSACTION: MERCHANT,
  TRANSACTION_BLOCKED_BY_PAYEE: MERCHANT,
  TRANSACTION_RECEIVING_LIMIT_EXCEEDED: MERCHANT,
  COMPLIANCE_VIOLATION: MERCHANT,
  // A transaction with this invoice_id (our operation's reference) exists: possibly our own earlier attempt.
  DUPLICATE_INVOICE_ID: MAYBE_DONE,
};

/** POST /v2/checkout/orders. */
export const CREATE_ORDER_ISSUES: IssueTable = {
  ...ACCOUNT_ISSUES,
  INVALID_CURRENCY_CODE: { kind: "failed", code: "currency_not_supported" },
  MULTI_CURRENCY_ORDER: { kind: "failed", code: "currency_not_supported" },
  DECIMAL_PRECISION: { kind: "failed", code: "invalid_amount" },
  MAX_VALUE_EXCEEDED: { kind: "failed", code: "invalid_amount" },
  CANNOT_BE_ZERO_OR_NEGATIVE: { kind: "failed", code: "invalid_amount" },
};

/** POST /v2/checkout/orders/{id}/capture and /authorize, after the buyer's return. */
export const ORDER_ACTION_ISSUES: IssueTable = {
  ...ACCOUNT_ISSUES,
  ORDER_NOT_APPROVED: { kind: "not_approved" },
  PAYER_ACTION_REQUIRED: { kind: "not_approved" },
  ORDER_ALREADY_CAPTURED: { kind: "look_up" },
  ORDER_ALREADY_AUTHORIZED: { kind: "look_up" },
  ORDER_COMPLETED_OR_VOIDED: { kind: "look_up" },
  ORDER_COMPLETION_IN_PROGRESS: MAYBE_DONE,
  ORDER_EXPIRED: { kind: "failed", code: "payment_expired" },
  INSTRUMENT_DECLINED: DECLINED,
  DECLINED_DUE_TO_RELATED_TXN: DECLINED,
  REDIRECT_PAYER_FOR_ALTERNATE_FUNDING: DECLINED,
  MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED: DECLINED,
  AUTH_CAPTURE_NOT_ENABLED: { kind: "failed", code: "authorization_not_enabled" },
  ACTION_DOES_NOT_MATCH_INTENT: { kind: "failed", code: "invalid_request" },
};

/** POST /v2/payments/authorizations/{id}/capture. */
export const CAPTURE_ISSUES: IssueTable = {
  ...ACCOUNT_ISSUES,
  AUTHORIZATION_VOIDED: { kind: "failed", code: "authorization_voided" },
  AUTHORIZATION_EXPIRED: { kind: "failed", code: "authorization_expired" },
  AUTHORIZATION_DENIED: DECLINED,
  AUTHORIZATION_ALREADY_CAPTURED: { kind: "failed", code: "payment_not_capturable" },
  MAX_CAPTURE_AMOUNT_EXCEEDED: { kind: "failed", code: "amount_exceeds_authorized" },
  MAX_CAPTURE_COUNT_EXCEEDED: { kind: "failed", code: "capture_not_supported" },
  AUTH_CAPTURE_CURRENCY_MISMATCH: { kind: "failed", code: "invalid_amount" },
};

/** POST /v2/payments/authorizations/{id}/void. */
export const VOID_ISSUES: IssueTable = {
  PREVIOUSLY_CAPTURED: { kind: "failed", code: "void_after_capture" },
  PREVIOUSLY_VOIDED: { kind: "done" },
  CANNOT_BE_VOIDED: { kind: "failed", code: "payment_not_voidable" },
};

/** POST /v2/payments/captures/{id}/refund. */
export const REFUND_ISSUES: IssueTable = {
  ...ACCOUNT_ISSUES,
  CAPTURE_FULLY_REFUNDED: { kind: "failed", code: "amount_exceeds_captured" },
  REFUND_AMOUNT_EXCEEDED: { kind: "failed", code: "amount_exceeds_captured" },
  PARTIAL_REFUND_NOT_ALLOWED: { kind: "failed", code: "partial_refund_not_supported" },
  REFUND_TIME_LIMIT_EXCEEDED: { kind: "failed", code: "refund_time_limit_exceeded" },
  REFUND_FAILED_INSUFFICIENT_FUNDS: { kind: "failed", code: "insufficient_funds" },
  REFUND_NOT_ALLOWED: { kind: "failed", code: "refund_not_allowed" },
  REFUND_IS_RESTRICTED: { kind: "failed", code: "refund_not_allowed" },
  MAX_NUMBER_OF_REFUNDS_EXCEEDED: { kind: "failed", code: "refund_not_allowed" },
  PENDING_CAPTURE: { kind: "failed", code: "refund_not_allowed" },
  REFUND_NOT_PERMITTED_DUE_TO_CHARGEBACK: { kind: "failed", code: "refund_not_allowed" },
  TRANSACTION_DISPUTED: { kind: "failed", code: "refund_not_allowed" },
  REFUND_AMOUNT_TOO_LOW: { kind: "failed", code: "invalid_amount" },
  REFUND_CAPTURE_CURRENCY_MISMATCH: { kind: "failed", code: "invalid_amount" },
  CURRENCY_MISMATCH: { kind: "failed", code: "invalid_amount" },
};
