import { type Rejection, rejection } from "../errors.ts";
import { formatAmount, type Money } from "../money/money.ts";
import type { RedirectAction } from "../ports/psp_plugin.ts";
import { err, ok, type Result } from "../result.ts";
import {
  type InvalidPaymentTransition,
  type PaymentEvent,
  type PaymentState,
  transitionPayment,
} from "./payment_machine.ts";

export type CaptureMode = "sale" | "authorize";

/** What a successful card-on-file payment tells Genstore about the stored card. */
export interface StoredCardSummary {
  readonly token?: string;
  readonly brand?: string;
  readonly last4?: string;
  readonly expiryMonth?: string;
  readonly expiryYear?: string;
}

/**
 * The payment aggregate: its lifecycle state and running sums, all in integer minor units of `amount.currency`.
 * Pending sums reserve room for captures and refunds in flight, so two concurrent requests can never together
 * exceed what is allowed.
 */
export interface Payment {
  readonly shop: string;
  readonly paymentId: string;
  readonly extension: string;
  /** The plugin that took the payment; it handles every later step even if the shop rebinds the extension. */
  readonly plugin: string;
  readonly test: boolean;
  /** The gateway's reference, sent to the PSP as merchant reference. */
  readonly reference: string;
  readonly amount: Money;
  readonly captureMode: CaptureMode;
  readonly state: PaymentState;
  readonly pspReference?: string;
  readonly authorizedMinor: number;
  readonly capturedMinor: number;
  readonly refundedMinor: number;
  readonly capturePendingMinor: number;
  readonly refundPendingMinor: number;
  readonly voidPending: boolean;
  /** Where Genstore wants the buyer after a challenge or offsite page. */
  readonly genstoreReturnUrl?: string;
  /** Plugin state kept between requires_action and continue. */
  readonly resume?: Readonly<Record<string, string>>;
  /** Where the buyer is sent while the payment requires action. */
  readonly redirect?: RedirectAction;
  /** Parameters the buyer brought back to the return URL, kept so that an unanswered continue can be asked about. */
  readonly returnParams?: Readonly<Record<string, string>>;
  readonly card?: StoredCardSummary;
  /** Card-on-file: store the card under this shopper reference when the payment succeeds. */
  readonly storeCard?: { readonly shopperReference: string };
  /** The order's description as Genstore sent it (PSPs show it to the buyer; a query replays it). */
  readonly description?: string;
}

/** What a plugin can do, as far as the payment rules care. */
export interface CaptureRules {
  readonly multiplePartialCaptures: boolean;
  readonly partialRefunds: boolean;
  readonly void: boolean;
}

export function newPayment(
  fields: Omit<
    Payment,
    | "state"
    | "authorizedMinor"
    | "capturedMinor"
    | "refundedMinor"
    | "capturePendingMinor"
    | "refundPendingMinor"
    | "voidPending"
  >,
): Payment {
  return {
    ...fields,
    state: "processing",
    authorizedMinor: 0,
    capturedMinor: 0,
    refundedMinor: 0,
    capturePendingMinor: 0,
    refundPendingMinor: 0,
    voidPending: false,
  };
}

function move(payment: Payment, event: PaymentEvent): Result<Payment, InvalidPaymentTransition> {
  const next = transitionPayment(payment.state, event);
  return next.ok ? ok({ ...payment, state: next.value }) : next;
}

/** The PSP's answer to the payment itself. */
export type PaymentOutcomeEvent = Extract<
  PaymentEvent,
  | "psp_requires_action"
  | "psp_authorized"
  | "psp_paid"
  | "psp_declined"
  | "psp_outcome_unknown"
  | "psp_pending"
  | "rejected"
>;

export function settlePayment(
  payment: Payment,
  event: PaymentOutcomeEvent,
  pspReference?: string,
): Result<Payment, InvalidPaymentTransition> {
  const moved = move(payment, event);
  if (!moved.ok) return moved;
  const withReference = { ...moved.value, pspReference: pspReference ?? payment.pspReference };
  switch (event) {
    case "psp_authorized":
      return ok({ ...withReference, authorizedMinor: payment.amount.amountMinor });
    case "psp_paid":
      return ok({
        ...withReference,
        authorizedMinor: payment.amount.amountMinor,
        capturedMinor: payment.amount.amountMinor,
      });
    case "psp_requires_action":
    case "psp_declined":
    case "psp_outcome_unknown":
    case "psp_pending":
    case "rejected":
      return ok(withReference);
  }
}

const CAPTURABLE: readonly PaymentState[] = ["authorized", "partially_captured"];
const REFUNDABLE: readonly PaymentState[] = ["succeeded", "partially_captured", "captured"];

/** Checks a capture request and reserves its amount. */
export function reserveCapture(
  payment: Payment,
  amountMinor: number,
  rules: CaptureRules,
): Result<Payment, Rejection> {
  if (!CAPTURABLE.includes(payment.state) || payment.voidPending) {
    return err(rejection("payment_not_capturable", `The payment is ${describeState(payment)}`));
  }
  if (!rules.multiplePartialCaptures && (payment.capturedMinor > 0 || payment.capturePendingMinor > 0)) {
    return err(rejection("capture_not_supported"));
  }
  const room = payment.authorizedMinor - payment.capturedMinor - payment.capturePendingMinor;
  if (amountMinor > room) {
    return err(
      rejection(
        "amount_exceeds_authorized",
        `At most ${describeAmount(payment, room)} can still be captured`,
      ),
    );
  }
  return ok({ ...payment, capturePendingMinor: payment.capturePendingMinor + amountMinor });
}

/** Applies the final result of a capture reserved with reserveCapture. */
export function settleCapture(
  payment: Payment,
  amountMinor: number,
  succeeded: boolean,
  rules: CaptureRules,
): Result<Payment, InvalidPaymentTransition> {
  const released = { ...payment, capturePendingMinor: payment.capturePendingMinor - amountMinor };
  if (!succeeded) return ok(released);
  const capturedMinor = payment.capturedMinor + amountMinor;
  // A plugin with a single capture releases the rest of the authorization with it.
  const complete = capturedMinor === payment.authorizedMinor || !rules.multiplePartialCaptures;
  const moved = move(released, complete ? "capture_succeeded_fully" : "capture_succeeded_partially");
  return moved.ok ? ok({ ...moved.value, capturedMinor }) : moved;
}

/** Checks a void request: only an authorization with nothing captured or being captured. */
export function reserveVoid(payment: Payment, rules: CaptureRules): Result<Payment, Rejection> {
  if (payment.capturedMinor > 0 || payment.capturePendingMinor > 0 || payment.state === "succeeded") {
    return err(rejection("void_after_capture"));
  }
  if (payment.state !== "authorized" || payment.voidPending || !rules.void) {
    return err(rejection("payment_not_voidable", `The payment is ${describeState(payment)}`));
  }
  return ok({ ...payment, voidPending: true });
}

export function settleVoid(payment: Payment, succeeded: boolean): Result<Payment, InvalidPaymentTransition> {
  const released = { ...payment, voidPending: false };
  return succeeded ? move(released, "void_succeeded") : ok(released);
}

/** Checks a refund request against what was captured and not yet refunded (or being refunded). */
export function reserveRefund(
  payment: Payment,
  amountMinor: number,
  rules: CaptureRules,
): Result<Payment, Rejection> {
  if (!REFUNDABLE.includes(payment.state)) {
    return err(rejection("payment_not_refundable", `The payment is ${describeState(payment)}`));
  }
  const room = payment.capturedMinor - payment.refundedMinor - payment.refundPendingMinor;
  if (amountMinor > room) {
    return err(
      rejection("amount_exceeds_captured", `At most ${describeAmount(payment, room)} can still be refunded`),
    );
  }
  if (!rules.partialRefunds && (amountMinor !== payment.capturedMinor || payment.refundedMinor > 0)) {
    return err(rejection("partial_refund_not_supported"));
  }
  return ok({ ...payment, refundPendingMinor: payment.refundPendingMinor + amountMinor });
}

export function settleRefund(payment: Payment, amountMinor: number, succeeded: boolean): Payment {
  return {
    ...payment,
    refundPendingMinor: payment.refundPendingMinor - amountMinor,
    refundedMinor: succeeded ? payment.refundedMinor + amountMinor : payment.refundedMinor,
  };
}

function describeAmount(payment: Payment, amountMinor: number): string {
  return `${formatAmount({ amountMinor, currency: payment.amount.currency })} ${payment.amount.currency}`;
}

function describeState(payment: Payment): string {
  if (payment.voidPending) return "being voided";
  return payment.state.replaceAll("_", " ");
}

/**
 * The invariants every stored payment satisfies; the database checks the same ones.
 * Returns the first broken rule, or undefined.
 */
export function brokenInvariant(payment: Payment): string | undefined {
  const sums = [
    payment.authorizedMinor,
    payment.capturedMinor,
    payment.refundedMinor,
    payment.capturePendingMinor,
    payment.refundPendingMinor,
  ];
  if (!sums.every((sum) => Number.isSafeInteger(sum) && sum >= 0)) {
    return "sums must be non-negative integers";
  }
  if (payment.authorizedMinor > payment.amount.amountMinor) return "authorized above the payment amount";
  if (payment.capturedMinor + payment.capturePendingMinor > payment.authorizedMinor) {
    return "captures above the authorization";
  }
  if (payment.refundedMinor + payment.refundPendingMinor > payment.capturedMinor) {
    return "refunds above captures";
  }
  if (payment.state === "voided" && payment.capturedMinor > 0) return "voided after a capture";
  return undefined;
}
