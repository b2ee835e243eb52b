/**
 * What an operator reads about payments: a search over them and one payment's whole story (amounts,
 * operations, callbacks, incidents and a timeline of everything that happened to it, in time order). The
 * console, the `/admin/payments` routes and `deno task ops payment` all show these same values.
 * @module
 */

import { PAYMENT_STATES, type PaymentState } from "../../src/mod.ts";

/** The states a payment can be in (the domain's, as the `payments.state` column holds them). */
export { PAYMENT_STATES };
export type PaymentStateName = PaymentState;

export interface PaymentSearch {
  readonly shop?: string;
  /** Genstore's payment id. */
  readonly paymentId?: string;
  /** A PSP reference of the payment or of any of its operations. */
  readonly pspReference?: string;
  readonly state?: PaymentStateName;
  /** The extension (payment method): card, wallet, bank. */
  readonly method?: string;
  /** Created at or after this instant (ISO 8601). */
  readonly from?: string;
  /** Created before this instant (ISO 8601). */
  readonly to?: string;
  /** The `next` of the previous page. */
  readonly after?: string;
  /** 1–200, 50 when left out. */
  readonly limit?: number;
}

export interface PaymentSummary {
  readonly shop: string;
  readonly paymentId: string;
  readonly extension: string;
  readonly plugin: string;
  readonly test: boolean;
  readonly captureMode: "sale" | "authorize";
  readonly state: PaymentStateName;
  readonly currency: string;
  readonly amountMinor: number;
  readonly authorizedMinor: number;
  readonly capturedMinor: number;
  readonly refundedMinor: number;
  readonly pspReference: string | null;
  /** Why the payment failed, when it did: the payment operation's error code and message. */
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface PaymentPage {
  readonly payments: readonly PaymentSummary[];
  /** Pass as `after` for the next page; absent on the last page. */
  readonly next?: string;
}

export interface OperationSummary {
  readonly kind: "payment" | "capture" | "void" | "refund";
  readonly operationId: string;
  readonly status: "processing" | "requires_action" | "unknown" | "succeeded" | "failed";
  readonly amountMinor: number | null;
  readonly currency: string | null;
  readonly pspReference: string | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  /** What last moved it: request, psp_answer, buyer_return, notification, reconciliation, operator. */
  readonly source: string | null;
  /** In the review queue since (ISO 8601), or null. */
  readonly reviewSince: string | null;
  readonly createdAt: string;
  readonly finalizedAt: string | null;
}

export interface CallbackSummary {
  readonly seq: number;
  /** The Genstore mutation: payment, capture, void, refund result. */
  readonly kind: string;
  readonly targetId: string;
  readonly status: "pending" | "delivered" | "dead";
  readonly attempts: number;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  /** When the next attempt is due (ISO 8601), while pending. */
  readonly nextAttemptAt: string | null;
  readonly deliveredAt: string | null;
}

export interface IncidentSummary {
  readonly id: number;
  readonly kind: string;
  readonly operation: string;
  readonly reported: string;
  readonly pspSays: string;
  readonly recommendedAction: string;
  readonly createdAt: string;
  readonly resolvedAt: string | null;
  readonly resolution: string | null;
}

/** What an entry of the timeline is about. */
export type TimelineType = "state" | "psp" | "callback" | "incident" | "operator";

export interface TimelineEntry {
  /** ISO 8601, the audit entry's time. */
  readonly at: string;
  readonly type: TimelineType;
  /** The audit entry's kind, e.g. `operation.update`, `psp.exchange`, `callback.attempt`. */
  readonly kind: string;
  /** What it is about: `payment/<id>`, `capture/<id>`, `outbox/<seq>`, `incident/<id>`. */
  readonly subject: string;
  /** One line for people, e.g. "capture c1: processing → succeeded (psp_answer)". */
  readonly summary: string;
  /** The audit payload's scalar fields (never a body, a card or a secret: the audit trail holds none). */
  readonly details: Readonly<Record<string, string | number | boolean | null>>;
  /** Its place on the shop's audit chain; null until the sealer has chained it. */
  readonly seq: number | null;
}

export interface PaymentStory {
  readonly payment: PaymentSummary & {
    readonly description: string | null;
    readonly capturePendingMinor: number;
    readonly refundPendingMinor: number;
    readonly voidPending: boolean;
    /** Authorized and not captured (nor pending capture, nor voided). */
    readonly remainingToCaptureMinor: number;
    /** Captured and not refunded (nor pending refund). */
    readonly remainingToRefundMinor: number;
  };
  readonly operations: readonly OperationSummary[];
  readonly callbacks: readonly CallbackSummary[];
  readonly incidents: readonly IncidentSummary[];
  readonly timeline: readonly TimelineEntry[];
}
