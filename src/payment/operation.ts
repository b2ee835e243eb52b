import type { Rejection } from "../errors.ts";
import type { Money } from "../money/money.ts";
import type { OperationStatus } from "./operation_machine.ts";

/** The four kinds of request Genstore sends; each has its own id namespace per shop. */
export type OperationKind = "payment" | "capture" | "void" | "refund";

export interface OperationKey {
  readonly shop: string;
  readonly kind: OperationKind;
  /** Genstore's id: paymentId, captureId, voidId or refundId. */
  readonly operationId: string;
}

/** The synchronous answer to a Genstore request, stored on first answer and replayed verbatim afterwards. */
export interface OperationAnswer {
  readonly pspReference?: string;
  readonly redirectUrl?: string;
  readonly error?: string;
}

/**
 * One Genstore request and its result. Doubles as the idempotency record: the fingerprint of the first
 * body and the first answer.
 */
export interface Operation extends OperationKey {
  readonly paymentId: string;
  readonly extension: string;
  readonly test: boolean;
  /** The gateway's reference, `{shop}.{token}`, sent to the PSP as merchant reference. */
  readonly reference: string;
  readonly fingerprint: string;
  readonly status: OperationStatus;
  /** Absent for voids, and for requests naming a payment that does not exist (then `amountText` is kept). */
  readonly amount?: Money;
  readonly amountText?: string;
  readonly pspReference?: string;
  readonly error?: Rejection;
  /** How many times this operation was (re)started at the PSP with a new idempotency key. */
  readonly attempt: number;
  readonly pspIdempotencyKey: string;
  readonly answer?: OperationAnswer;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** When reconciliation should look at this operation next (unsettled operations only). */
  readonly nextCheckAt?: number;
  readonly checks: number;
  /** Since when the outcome has been unknown past its deadline, waiting for a person in the review queue. */
  readonly reviewSince?: number;
  /**
   * Until when a call under the current idempotency key that can have an effect (a pay call with the card, a
   * modification, a continue) may still reach the PSP: every such call's deadline is capped by it. A PSP's
   * "no record of this call" settles nothing before it has passed by a PSP timeout.
   */
  readonly sentUntil?: number;
  /** Who holds the lease in `nextCheckAt` while the operation is open: a request, or reconciliation. */
  readonly claimedBy?: "request" | "reconcile";
  /** While the buyer must act: when the payment fails if they have not come back with what the PSP accepts. */
  readonly actionDeadline?: number;
  /** How many buyer returns were taken to the PSP (each continue call has its own idempotency key). */
  readonly returns: number;
  /** What last changed the operation (kept with each change in the audit trail). */
  readonly lastSource?: ChangeSource;
  /** The call `pspIdempotencyKey` belongs to: the request itself, or the continue after a buyer's return. */
  readonly keyFor: "request" | "continue";
}

/** Builds the PSP idempotency key of an operation's attempt. The token is unique per operation. */
export function pspIdempotencyKey(reference: string, attempt: number, step = "p"): string {
  const token = reference.slice(reference.lastIndexOf(".") + 1);
  return `gw-${token}-${step}${attempt}`;
}

/** The idempotency key of the n-th buyer return taken to the PSP (a refused return leaves room for another). */
export function continueKey(reference: string, returns: number): string {
  return pspIdempotencyKey(reference, returns, "c");
}

/** Whether a string can be a gateway reference at all; anything else is not looked up. */
export function isGatewayReference(text: string): boolean {
  return /^[a-z0-9][a-z0-9-]{0,62}\.[a-z2-7]{16,32}$/.test(text);
}

/** The shop a gateway reference belongs to (references are `{shop}.{token}`). */
export function shopOfReference(reference: string): string | undefined {
  const dot = reference.lastIndexOf(".");
  return dot > 0 ? reference.slice(0, dot) : undefined;
}

/**
 * What moved an operation, for its timeline: the request itself (recorded, or refused before the PSP), the
 * PSP's answer to the gateway's call, the PSP's answer to the buyer's return, a PSP notification, the
 * gateway's own question to the PSP (or its action deadline), or an operator settling it by hand.
 */
export type ChangeSource =
  | "request"
  | "psp_answer"
  | "buyer_return"
  | "notification"
  | "reconciliation"
  | "operator";

/** Which Genstore callback reports an operation's final result. */
export type CallbackKind = "payment" | "pre_authorize" | "capture" | "void" | "refund" | "account_authorize";

/**
 * A final result to report to Genstore, in core vocabulary. The Genstore client adapter renders it to the
 * wire body; rendering is deterministic, so a resend is byte-identical.
 */
export interface CallbackMessage {
  readonly kind: CallbackKind;
  /** The Genstore id in the callback path (empty for account_authorize). */
  readonly targetId: string;
  /** Orders callbacks of one payment: its own result before any capture, void or refund result. */
  readonly paymentId: string;
  readonly succeeded: boolean;
  /** The PSP's reference, or the gateway's own reference when the PSP never assigned one. */
  readonly channelId: string;
  /** Decimal string with exactly the currency's minor digits; the raw text when the currency is unknown. */
  readonly amount?: string;
  readonly currency?: string;
  readonly test: boolean;
  readonly error?: string;
  readonly card?: {
    readonly token: string;
    readonly brand?: string;
    readonly last4?: string;
    readonly expiryMonth?: string;
    readonly expiryYear?: string;
  };
  readonly extension?: string;
}
