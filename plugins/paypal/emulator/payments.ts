/**
 * Payments v2: capture an authorization (partially, several times while `final_capture` is false), void it,
 * refund a capture (partially, several times), and show authorizations, captures and refunds. The amounts
 * follow the kit's ledger with PayPal's rules (several captures; a void releases what a partial capture left);
 * refusals are PayPal's 422 issues.
 * @module
 */
import {
  capture as captureLedger,
  type LedgerRefusal,
  refund as refundLedger,
  refundable,
  sale,
  type StateTransaction,
  type StateView,
  voidRemaining,
} from "../../kit/emulator/mod.ts";
import type { Money } from "../../../src/plugin_api.ts";
import type { PayPalEmulatorApp } from "./accounts.ts";
import { readMoney } from "./amounts.ts";
import type { Handler, Outcome, ResourceRef } from "./api_call.ts";
import type { EmulatorContext } from "./context.ts";
import { type ErrorFamily, invalid, notFound, type PayPalError, unprocessable } from "./errors.ts";
import { resourceId } from "./ids.ts";
import {
  type AuthorizationRecord,
  AUTHORIZATIONS,
  type CaptureRecord,
  CAPTURES,
  type OrderRecord,
  ORDERS,
  ownRecord,
  type RefundRecord,
  REFUNDS,
} from "./records.ts";
import { renderAuthorization, renderCapture, renderRefund } from "./render.ts";

type Json = Record<string, unknown>;

const RULES = { multipleCaptures: true, voidAfterPartialCapture: true } as const;

function rejected(error: PayPalError): Outcome {
  return { kind: "rejected", error };
}

function text(body: Json, name: string, max: number, family: ErrorFamily): string | undefined | PayPalError {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") return invalid(family, "INVALID_PARAMETER_SYNTAX", `/${name}`);
  if (value.length < 1 || value.length > max) return invalid(family, "INVALID_STRING_LENGTH", `/${name}`);
  return value;
}

/** The amount of a body, or the rest when it names none. */
function amountOf(body: Json, rest: Money, family: ErrorFamily): Money | PayPalError {
  if (body.amount === undefined) return rest;
  const read = readMoney(body.amount, "/amount", family);
  return read.ok ? read.money : read.error;
}

const CAPTURE_REFUSALS: Readonly<Record<LedgerRefusal, string>> = {
  invalid_amount: "CANNOT_BE_ZERO_OR_NEGATIVE",
  currency_mismatch: "AUTH_CAPTURE_CURRENCY_MISMATCH",
  voided: "AUTHORIZATION_VOIDED",
  capture_closed: "AUTHORIZATION_ALREADY_CAPTURED",
  // PayPal lets a merchant capture up to 115% of an authorization; the emulator allows no overage.
  exceeds_authorized: "MAX_CAPTURE_AMOUNT_EXCEEDED",
  already_voided: "AUTHORIZATION_VOIDED",
  already_captured: "AUTHORIZATION_ALREADY_CAPTURED",
  not_captured: "AUTHORIZATION_ALREADY_CAPTURED",
  exceeds_captured: "MAX_CAPTURE_AMOUNT_EXCEEDED",
};

const REFUND_REFUSALS: Readonly<Record<LedgerRefusal, string>> = {
  invalid_amount: "CANNOT_BE_ZERO_OR_NEGATIVE",
  currency_mismatch: "REFUND_CAPTURE_CURRENCY_MISMATCH",
  voided: "REFUND_NOT_ALLOWED",
  capture_closed: "REFUND_NOT_ALLOWED",
  exceeds_authorized: "REFUND_AMOUNT_EXCEEDED",
  already_voided: "REFUND_NOT_ALLOWED",
  already_captured: "REFUND_NOT_ALLOWED",
  not_captured: "REFUND_NOT_ALLOWED",
  exceeds_captured: "REFUND_AMOUNT_EXCEEDED",
};

/** POST /v2/payments/authorizations/{id}/capture. */
export function captureAuthorizationHandler(ctx: EmulatorContext, id: string): Handler {
  return (app, body, tx) => {
    const auth = ownRecord<AuthorizationRecord>(tx, AUTHORIZATIONS, id, app.clientId);
    if (auth === undefined) return rejected(notFound("payments", "authorization_id"));
    const issue = auth.status === "VOIDED"
      ? "AUTHORIZATION_VOIDED"
      : auth.status === "DENIED"
      ? "AUTHORIZATION_DENIED"
      : auth.status === "CAPTURED"
      ? "AUTHORIZATION_ALREADY_CAPTURED"
      : auth.expiresAt <= ctx.now()
      ? "AUTHORIZATION_EXPIRED"
      : undefined;
    if (issue !== undefined) return rejected(unprocessable("payments", issue));
    const rest = {
      amountMinor: auth.ledger.authorized - auth.ledger.captured,
      currency: auth.amount.currency,
    };
    const amount = amountOf(body, rest, "payments");
    if ("status" in amount) return rejected(amount);
    const invoiceId = text(body, "invoice_id", 127, "payments");
    if (typeof invoiceId === "object") return rejected(invoiceId);
    if (body.final_capture !== undefined && typeof body.final_capture !== "boolean") {
      return rejected(invalid("payments", "INVALID_PARAMETER_SYNTAX", "/final_capture"));
    }
    const final = body.final_capture === true;
    const booked = captureLedger(auth.ledger, amount, RULES, { final });
    if (!booked.ok) return rejected(unprocessable("payments", CAPTURE_REFUSALS[booked.refusal], "/amount"));
    const now = ctx.now();
    const capture: CaptureRecord = {
      id: resourceId(),
      orderId: auth.orderId,
      app: app.clientId,
      authorizationId: auth.id,
      status: "COMPLETED",
      amount,
      // The capture inherits the authorization's custom_id; invoice_id is the capture's own when given.
      customId: auth.customId,
      invoiceId: invoiceId ?? auth.invoiceId,
      finalCapture: final,
      ledger: sale(amount),
      createdAt: now,
      updatedAt: now,
    };
    const closed = booked.ledger.captureClosed;
    tx.put(CAPTURES, capture.id, capture);
    tx.put(AUTHORIZATIONS, auth.id, {
      ...auth,
      ledger: booked.ledger,
      status: closed ? "CAPTURED" : "PARTIALLY_CAPTURED",
      updatedAt: now,
    });
    appendToOrder(tx, auth.orderId, "captureIds", capture.id, now);
    tx.afterCommit(() => {
      void ctx.webhooks.emit(
        app,
        "PAYMENT.CAPTURE.COMPLETED",
        "capture",
        renderCapture(capture, ctx.publicUrl, true),
      );
    });
    return { kind: "answered", status: 201, ref: { table: CAPTURES, id: capture.id } };
  };
}

/** POST /v2/payments/authorizations/{id}/void. */
export function voidAuthorizationHandler(ctx: EmulatorContext, id: string): Handler {
  return (app, _body, tx) => {
    const auth = ownRecord<AuthorizationRecord>(tx, AUTHORIZATIONS, id, app.clientId);
    if (auth === undefined) return rejected(notFound("authorizations.void", "authorization_id"));
    if (auth.status === "VOIDED") return rejected(unprocessable("authorizations.void", "PREVIOUSLY_VOIDED"));
    if (auth.status === "CAPTURED") {
      return rejected(unprocessable("authorizations.void", "PREVIOUSLY_CAPTURED"));
    }
    if (auth.status === "DENIED") return rejected(unprocessable("authorizations.void", "CANNOT_BE_VOIDED"));
    const voided = voidRemaining(auth.ledger, RULES);
    if (!voided.ok) return rejected(unprocessable("authorizations.void", "PREVIOUSLY_CAPTURED"));
    const now = ctx.now();
    const next: AuthorizationRecord = { ...auth, ledger: voided.ledger, status: "VOIDED", updatedAt: now };
    tx.put(AUTHORIZATIONS, auth.id, next);
    tx.afterCommit(() => {
      void ctx.webhooks.emit(
        app,
        "PAYMENT.AUTHORIZATION.VOIDED",
        "authorization",
        renderAuthorization(next, ctx.publicUrl, true),
      );
    });
    return {
      kind: "answered",
      status: 200,
      emptyWhenMinimal: true,
      ref: { table: AUTHORIZATIONS, id: auth.id },
    };
  };
}

/** POST /v2/payments/captures/{id}/refund. */
export function refundCaptureHandler(ctx: EmulatorContext, id: string): Handler {
  return (app, body, tx) => {
    const capture = ownRecord<CaptureRecord>(tx, CAPTURES, id, app.clientId);
    if (capture === undefined) return rejected(notFound("captures.refund", "capture_id"));
    if (capture.status === "DECLINED") {
      return rejected(unprocessable("captures.refund", "REFUND_NOT_ALLOWED"));
    }
    if (capture.status === "REFUNDED") {
      return rejected(unprocessable("captures.refund", "CAPTURE_FULLY_REFUNDED"));
    }
    const rest = { amountMinor: refundable(capture.ledger), currency: capture.amount.currency };
    const amount = amountOf(body, rest, "captures.refund");
    if ("status" in amount) return rejected(amount);
    const fields: Record<string, string | undefined> = {};
    for (const [name, max] of [["invoice_id", 127], ["custom_id", 127], ["note_to_payer", 255]] as const) {
      const value = text(body, name, max, "captures.refund");
      if (typeof value === "object") return rejected(value);
      fields[name] = value;
    }
    const booked = refundLedger(capture.ledger, amount);
    if (!booked.ok) {
      return rejected(unprocessable("captures.refund", REFUND_REFUSALS[booked.refusal], "/amount"));
    }
    const now = ctx.now();
    const refund: RefundRecord = {
      id: resourceId(),
      orderId: capture.orderId,
      app: app.clientId,
      captureId: capture.id,
      status: ctx.pendingRefunds ? "PENDING" : "COMPLETED",
      amount,
      invoiceId: fields.invoice_id,
      customId: fields.custom_id,
      noteToPayer: fields.note_to_payer,
      createdAt: now,
      updatedAt: now,
    };
    tx.put(REFUNDS, refund.id, refund);
    tx.put(CAPTURES, capture.id, {
      ...capture,
      ledger: booked.ledger,
      status: refundable(booked.ledger) === 0 ? "REFUNDED" : "PARTIALLY_REFUNDED",
      updatedAt: now,
    });
    appendToOrder(tx, capture.orderId, "refundIds", refund.id, now);
    tx.afterCommit(() => emitRefund(ctx, app, refund));
    return { kind: "answered", status: 201, ref: { table: REFUNDS, id: refund.id } };
  };
}

export function emitRefund(ctx: EmulatorContext, app: PayPalEmulatorApp, refund: RefundRecord): void {
  const eventType = refund.status === "PENDING" ? "PAYMENT.REFUND.PENDING" : "PAYMENT.CAPTURE.REFUNDED";
  void ctx.webhooks.emit(app, eventType, "refund", renderRefund(refund, ctx.publicUrl));
}

function appendToOrder(
  tx: StateTransaction,
  orderId: string,
  list: "captureIds" | "refundIds",
  id: string,
  now: number,
): void {
  const order = tx.get<OrderRecord>(ORDERS, orderId);
  if (order !== undefined) {
    tx.put(ORDERS, orderId, { ...order, [list]: [...order[list], id], updatedAt: now });
  }
}

/** GET /v2/payments/{authorizations|captures|refunds}/{id}. */
export function findPayment(table: typeof AUTHORIZATIONS | typeof CAPTURES | typeof REFUNDS, id: string) {
  return (app: PayPalEmulatorApp, view: StateView): ResourceRef | PayPalError =>
    ownRecord<{ app: string }>(view, table, id, app.clientId) === undefined
      ? notFound("payments", `${table.slice(0, -1)}_id`)
      : { table, id };
}
