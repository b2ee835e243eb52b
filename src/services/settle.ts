import { errorText, type Rejection } from "../errors.ts";
import { formatAmount } from "../money/money.ts";
import type { CallbackMessage, Operation, OperationAnswer } from "../payment/operation.ts";
import { isFinalStatus, type OperationEvent, transitionOperation } from "../payment/operation_machine.ts";
import {
  type CaptureRules,
  type Payment,
  type PaymentOutcomeEvent,
  settleCapture,
  settlePayment,
  settleRefund,
  settleVoid,
} from "../payment/payment.ts";
import type { PspOutcome } from "../ports/psp_plugin.ts";
import { err, ok, type Result } from "../result.ts";
import { cleanText } from "../text.ts";
import type { SettlingOutcome } from "./interpret_outcome.ts";

/** The result of applying one PSP outcome to an operation and its payment. */
export interface Settlement {
  readonly operation: Operation;
  readonly payment: Payment;
  /** Present exactly when the operation reached its final status now. */
  readonly callback?: CallbackMessage;
}

export interface SettleContext {
  readonly now: number;
  readonly rules: CaptureRules;
  /** When to look at the operation again if it stays open. */
  readonly nextCheckAt: number;
  /** The gateway URL that sends the buyer to a POST redirect. */
  readonly redirectPageUrl: string;
}

export interface SettleProblem {
  readonly kind: "invalid_transition" | "already_final";
  readonly detail: string;
}

/**
 * The PSP may only confirm what was asked. An answer for another amount or currency is not trusted: the
 * outcome becomes unknown, so reconciliation (or a person) settles it.
 */
/** PSP text (references, refusal messages) as it may be stored: see cleanText. */
export function cleanOutcome(outcome: PspOutcome): PspOutcome {
  const reference = (value: string | undefined) => value === undefined ? undefined : cleanText(value, 200);
  switch (outcome.kind) {
    case "succeeded":
      return {
        ...outcome,
        pspReference: cleanText(outcome.pspReference, 200),
        storedCard: outcome.storedCard === undefined ? undefined : {
          pspToken: cleanText(outcome.storedCard.pspToken, 200),
          brand: reference(outcome.storedCard.brand),
          last4: reference(outcome.storedCard.last4),
          expiryMonth: reference(outcome.storedCard.expiryMonth),
          expiryYear: reference(outcome.storedCard.expiryYear),
        },
      };
    case "failed":
      return {
        ...outcome,
        code: cleanText(outcome.code, 64),
        message: cleanText(outcome.message, 500),
        pspReference: reference(outcome.pspReference),
      };
    case "requires_action":
      return { ...outcome, pspReference: reference(outcome.pspReference) };
    case "pending":
      return { ...outcome, pspReference: cleanText(outcome.pspReference, 200) };
    case "unknown":
      return {
        ...outcome,
        detail: cleanText(outcome.detail, 500),
        pspReference: reference(outcome.pspReference),
      };
    case "not_received":
    case "return_refused":
      return { ...outcome, detail: cleanText(outcome.detail, 500) };
  }
}

export function checkAnsweredAmount(operation: Operation, outcome: SettlingOutcome): SettlingOutcome {
  if (outcome.kind !== "succeeded" || outcome.amount === undefined || operation.amount === undefined) {
    return outcome;
  }
  const asked = operation.amount;
  if (outcome.amount.amountMinor === asked.amountMinor && outcome.amount.currency === asked.currency) {
    return outcome;
  }
  return {
    kind: "unknown",
    pspReference: outcome.pspReference,
    detail: "the PSP confirmed a different amount or currency than requested",
  };
}

function operationEvent(outcome: SettlingOutcome): OperationEvent {
  switch (outcome.kind) {
    case "succeeded":
      return "psp_succeeded";
    case "failed":
      return "psp_failed";
    case "requires_action":
      return "psp_requires_action";
    case "pending":
      return "psp_pending";
    case "unknown":
      return "psp_unknown";
  }
}

function paymentEvent(payment: Payment, outcome: SettlingOutcome): PaymentOutcomeEvent {
  switch (outcome.kind) {
    case "succeeded":
      return payment.captureMode === "sale" ? "psp_paid" : "psp_authorized";
    case "failed":
      return "psp_declined";
    case "requires_action":
      return "psp_requires_action";
    case "pending":
      return "psp_pending";
    case "unknown":
      return "psp_outcome_unknown";
  }
}

/** Applies a PSP outcome: the pure heart of every payment, capture, void and refund. */
export function settle(
  operation: Operation,
  payment: Payment,
  outcome: SettlingOutcome,
  context: SettleContext,
): Result<Settlement, SettleProblem> {
  if (isFinalStatus(operation.status)) {
    return err({ kind: "already_final", detail: `operation is ${operation.status}` });
  }
  const nextStatus = transitionOperation(operation.status, operationEvent(outcome));
  if (!nextStatus.ok) {
    return err({ kind: "invalid_transition", detail: `${operation.status} + ${outcome.kind}` });
  }
  const status = nextStatus.value;
  const final = isFinalStatus(status);
  const succeeded = status === "succeeded";
  const pspReference = ("pspReference" in outcome ? outcome.pspReference : undefined) ??
    operation.pspReference;
  const error: Rejection | undefined = outcome.kind === "failed"
    ? { code: outcome.code, message: outcome.message }
    : undefined;
  const nextOperation: Operation = {
    ...operation,
    status,
    pspReference,
    error,
    updatedAt: context.now,
    nextCheckAt: final ? undefined : context.nextCheckAt,
  };

  const nextPayment = settlePaymentSide(operation, payment, outcome, final, succeeded, context);
  if (!nextPayment.ok) return nextPayment;
  return ok({
    operation: nextOperation,
    payment: nextPayment.value,
    callback: final ? callbackFor(nextOperation, nextPayment.value) : undefined,
  });
}

function settlePaymentSide(
  operation: Operation,
  payment: Payment,
  outcome: SettlingOutcome,
  final: boolean,
  succeeded: boolean,
  context: SettleContext,
): Result<Payment, SettleProblem> {
  const invalid = (detail: string) => err<SettleProblem>({ kind: "invalid_transition", detail });
  switch (operation.kind) {
    case "payment": {
      const settled = settlePayment(
        payment,
        paymentEvent(payment, outcome),
        "pspReference" in outcome ? outcome.pspReference : undefined,
      );
      if (!settled.ok) return invalid(`payment ${settled.error.from} + ${settled.error.event}`);
      if (outcome.kind !== "requires_action") return ok({ ...settled.value, redirect: undefined });
      return ok({ ...settled.value, redirect: outcome.redirect, resume: outcome.resume });
    }
    case "capture": {
      if (!final) return ok(payment);
      const settled = settleCapture(payment, amountOf(operation), succeeded, context.rules);
      return settled.ok ? settled : invalid(`payment ${settled.error.from} + ${settled.error.event}`);
    }
    case "void": {
      if (!final) return ok(payment);
      const settled = settleVoid(payment, succeeded);
      return settled.ok ? settled : invalid(`payment ${settled.error.from} + ${settled.error.event}`);
    }
    case "refund":
      return ok(final ? settleRefund(payment, amountOf(operation), succeeded) : payment);
  }
}

function amountOf(operation: Operation): number {
  if (operation.amount === undefined) {
    throw new Error(`Cannot settle an operation without an amount: ${operation.reference}`);
  }
  return operation.amount.amountMinor;
}

/**
 * Refuses a request before it reaches the PSP: the operation fails at once (and its payment, for a
 * payment), and the refusal is reported like any other final result.
 */
export function reject(
  operation: Operation,
  payment: Payment | undefined,
  reason: Rejection,
  now: number,
): { operation: Operation; payment?: Payment; callback: CallbackMessage } {
  const status = transitionOperation(operation.status, "rejected");
  if (!status.ok) {
    throw new Error(`Cannot reject an operation that is ${operation.status}: ${operation.reference}`);
  }
  const rejected: Operation = {
    ...operation,
    status: status.value,
    error: reason,
    updatedAt: now,
    nextCheckAt: undefined,
  };
  let nextPayment = payment;
  if (operation.kind === "payment" && payment !== undefined) {
    const settled = settlePayment(payment, "rejected");
    if (!settled.ok) {
      throw new Error(`Cannot reject a payment that is ${payment.state}: ${payment.reference}`);
    }
    nextPayment = settled.value;
  }
  return { operation: rejected, payment: nextPayment, callback: callbackFor(rejected, nextPayment) };
}

/** The callback that reports an operation's final result. */
export function callbackFor(operation: Operation, payment: Payment | undefined): CallbackMessage {
  if (!isFinalStatus(operation.status)) {
    throw new Error(`Cannot report an operation that is not final: ${operation.reference}`);
  }
  const succeeded = operation.status === "succeeded";
  const kind = operation.kind === "payment"
    ? (payment?.captureMode === "authorize" ? "pre_authorize" : "payment")
    : operation.kind;
  const amount = operation.amount !== undefined
    ? { amount: formatAmount(operation.amount), currency: operation.amount.currency }
    : operation.amountText !== undefined
    ? { amount: operation.amountText }
    : {};
  const card = succeeded && operation.kind === "payment" && payment?.card?.token !== undefined
    ? { ...payment.card, token: payment.card.token }
    : undefined;
  return {
    kind,
    targetId: operation.operationId,
    paymentId: operation.paymentId,
    succeeded,
    channelId: operation.pspReference ?? operation.reference,
    ...amount,
    test: operation.test,
    error: operation.error === undefined ? undefined : errorText(operation.error),
    card,
  };
}

/**
 * The synchronous answer that describes an operation as it stands. Stored the first time it is given and
 * replayed verbatim for duplicates.
 */
export function answerOf(
  operation: Operation,
  payment: Payment | undefined,
  redirectPageUrl: string,
): OperationAnswer {
  const pspReference = operation.pspReference;
  switch (operation.status) {
    case "failed":
      return { pspReference, error: operation.error === undefined ? undefined : errorText(operation.error) };
    case "requires_action": {
      const redirect = payment?.redirect;
      const direct = redirect !== undefined && redirect.method === "GET" && redirect.data === undefined;
      return { pspReference, redirectUrl: direct ? redirect.url : redirectPageUrl };
    }
    case "succeeded":
    case "processing":
    case "unknown":
      return { pspReference };
  }
}
