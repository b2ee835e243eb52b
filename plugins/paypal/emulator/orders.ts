/**
 * Orders v2: create an order (one purchase unit), show it, and capture or authorize it once the buyer
 * approved it on the approval page. The buyer's choice there decides the result: a funding source that
 * pays gives a COMPLETED capture (or a CREATED authorization), one that declines a DECLINED capture (or a
 * DENIED authorization); the order is COMPLETED either way, as PayPal reports a processor decline.
 * @module
 */
import { authorization, sale, type StateTransaction, type StateView } from "../../kit/emulator/mod.ts";
import type { PayPalEmulatorApp } from "./accounts.ts";
import type { Handler, Outcome, ResourceRef } from "./api_call.ts";
import { readMoney } from "./amounts.ts";
import type { EmulatorContext } from "./context.ts";
import { invalid, notFound, type PayPalError, unprocessable } from "./errors.ts";
import { resourceId } from "./ids.ts";
import {
  type AuthorizationRecord,
  AUTHORIZATIONS,
  type CaptureRecord,
  CAPTURES,
  type Intent,
  type OrderRecord,
  ORDERS,
  ownRecord,
  type PurchaseUnit,
} from "./records.ts";
import { renderAuthorization, renderCapture } from "./render.ts";

type Json = Record<string, unknown>;

/** PayPal keeps an authorization capturable for 29 days (the honor period is 3 of them). */
const AUTHORIZATION_LIFETIME_MS = 29 * 24 * 3600 * 1000;

function rejected(error: PayPalError): Outcome {
  return { kind: "rejected", error };
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** An optional string field of at most `max` characters; a PayPalError when it is something else. */
function optionalText(
  body: Json,
  name: string,
  field: string,
  max: number,
): string | undefined | PayPalError {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") return invalid("orders", "INVALID_PARAMETER_SYNTAX", field);
  if (value.length < 1 || value.length > max) return invalid("orders", "INVALID_STRING_LENGTH", field);
  return value;
}

function readUrl(context: Json | undefined, name: string, field: string): string | undefined | PayPalError {
  const value = context?.[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^https?:\/\/\S+$/.test(value) || !URL.canParse(value)) {
    return invalid("orders", "INVALID_PARAMETER_SYNTAX", field);
  }
  return value;
}

function readUnit(body: Json): PurchaseUnit | PayPalError {
  const units = body.purchase_units;
  if (!Array.isArray(units) || units.length === 0) {
    return invalid("orders", "MISSING_REQUIRED_PARAMETER", "/purchase_units");
  }
  // The emulator keeps one purchase unit per order (PayPal allows ten).
  if (units.length > 1) return invalid("orders", "NOT_SUPPORTED", "/purchase_units/1");
  const unit = units[0];
  if (!isObject(unit)) return invalid("orders", "INVALID_PARAMETER_SYNTAX", "/purchase_units/0");
  const amount = readMoney(unit.amount, "/purchase_units/0/amount", "orders");
  if (!amount.ok) return amount.error;
  const referenceId = optionalText(unit, "reference_id", "/purchase_units/0/reference_id", 256);
  const customId = optionalText(unit, "custom_id", "/purchase_units/0/custom_id", 127);
  const invoiceId = optionalText(unit, "invoice_id", "/purchase_units/0/invoice_id", 127);
  const description = optionalText(unit, "description", "/purchase_units/0/description", 127);
  for (const value of [referenceId, customId, invoiceId, description]) {
    if (typeof value === "object") return value;
  }
  return {
    referenceId: (referenceId as string | undefined) ?? "default",
    amount: amount.money,
    customId: customId as string | undefined,
    invoiceId: invoiceId as string | undefined,
    description: description as string | undefined,
  };
}

/** POST /v2/checkout/orders. */
export function createOrderHandler(ctx: EmulatorContext): Handler {
  return (app, body, tx) => {
    const intent = body.intent;
    if (intent === undefined) return rejected(invalid("orders", "MISSING_REQUIRED_PARAMETER", "/intent"));
    if (intent !== "CAPTURE" && intent !== "AUTHORIZE") {
      return rejected(invalid("orders", "INVALID_PARAMETER_VALUE", "/intent", String(intent)));
    }
    const unit = readUnit(body);
    if ("status" in unit) return rejected(unit);
    const source = body.payment_source;
    if (source !== undefined && (!isObject(source) || Object.keys(source).some((key) => key !== "paypal"))) {
      // The emulator is a PayPal wallet: cards, tokens and local methods are not emulated.
      return rejected(invalid("orders", "NOT_SUPPORTED", "/payment_source"));
    }
    const paypal = isObject(source) && isObject(source.paypal) ? source.paypal : undefined;
    const experience = isObject(paypal?.experience_context) ? paypal.experience_context : undefined;
    const legacy = isObject(body.application_context) ? body.application_context : undefined;
    const context = experience ?? legacy;
    const where = experience !== undefined
      ? "/payment_source/paypal/experience_context"
      : "/application_context";
    const returnUrl = readUrl(context, "return_url", `${where}/return_url`);
    const cancelUrl = readUrl(context, "cancel_url", `${where}/cancel_url`);
    for (const url of [returnUrl, cancelUrl]) if (typeof url === "object") return rejected(url);
    const now = ctx.now();
    const order: OrderRecord = {
      id: resourceId(),
      app: app.clientId,
      intent,
      status: source === undefined ? "CREATED" : "PAYER_ACTION_REQUIRED",
      unit,
      returnUrl: returnUrl as string | undefined,
      cancelUrl: cancelUrl as string | undefined,
      withPaymentSource: source !== undefined,
      authorizationIds: [],
      captureIds: [],
      refundIds: [],
      createdAt: now,
      updatedAt: now,
    };
    tx.put(ORDERS, order.id, order);
    return { kind: "answered", status: 201, replayStatus: 200, ref: { table: ORDERS, id: order.id } };
  };
}

/** GET /v2/checkout/orders/{id}. */
export function findOrder(id: string) {
  return (app: PayPalEmulatorApp, view: StateView): ResourceRef | PayPalError =>
    ownRecord<OrderRecord>(view, ORDERS, id, app.clientId) === undefined
      ? notFound("orders")
      : { table: ORDERS, id };
}

/** POST /v2/checkout/orders/{id}/capture or /authorize. */
export function orderActionHandler(
  ctx: EmulatorContext,
  action: "capture" | "authorize",
  id: string,
): Handler {
  const family = action === "capture" ? "orders.capture" : "orders.authorize";
  const intent: Intent = action === "capture" ? "CAPTURE" : "AUTHORIZE";
  return (app, body, tx) => {
    const order = ownRecord<OrderRecord>(tx, ORDERS, id, app.clientId);
    if (order === undefined) return rejected(notFound(family));
    // Paying with another source at capture time (cards, vaulted tokens) is not emulated.
    if (body.payment_source !== undefined) {
      return rejected(invalid(family, "NOT_SUPPORTED", "/payment_source"));
    }
    if (order.intent !== intent) return rejected(unprocessable(family, "ACTION_DOES_NOT_MATCH_INTENT"));
    switch (order.status) {
      case "CREATED":
      case "PAYER_ACTION_REQUIRED":
      case "VOIDED":
        return rejected(unprocessable(family, "ORDER_NOT_APPROVED"));
      case "COMPLETED":
        return rejected(
          unprocessable(family, action === "capture" ? "ORDER_ALREADY_CAPTURED" : "ORDER_ALREADY_AUTHORIZED"),
        );
      case "APPROVED":
        return action === "capture" ? captureOrder(ctx, app, order, tx) : authorizeOrder(ctx, app, order, tx);
    }
  };
}

function captureOrder(
  ctx: EmulatorContext,
  app: PayPalEmulatorApp,
  order: OrderRecord,
  tx: StateTransaction,
): Outcome {
  const now = ctx.now();
  const pays = order.funding !== "declines";
  const capture: CaptureRecord = {
    id: resourceId(),
    orderId: order.id,
    app: app.clientId,
    status: pays ? "COMPLETED" : "DECLINED",
    amount: order.unit.amount,
    customId: order.unit.customId,
    invoiceId: order.unit.invoiceId,
    finalCapture: true,
    ledger: sale(order.unit.amount),
    createdAt: now,
    updatedAt: now,
  };
  tx.put(CAPTURES, capture.id, capture);
  tx.put(ORDERS, order.id, { ...order, status: "COMPLETED", captureIds: [capture.id], updatedAt: now });
  tx.afterCommit(() => {
    const eventType = pays ? "PAYMENT.CAPTURE.COMPLETED" : "PAYMENT.CAPTURE.DECLINED";
    void ctx.webhooks.emit(app, eventType, "capture", renderCapture(capture, ctx.publicUrl, true));
  });
  return { kind: "answered", status: 201, ref: { table: ORDERS, id: order.id } };
}

function authorizeOrder(
  ctx: EmulatorContext,
  app: PayPalEmulatorApp,
  order: OrderRecord,
  tx: StateTransaction,
): Outcome {
  const now = ctx.now();
  const pays = order.funding !== "declines";
  const auth: AuthorizationRecord = {
    id: resourceId(),
    orderId: order.id,
    app: app.clientId,
    status: pays ? "CREATED" : "DENIED",
    amount: order.unit.amount,
    customId: order.unit.customId,
    invoiceId: order.unit.invoiceId,
    ledger: authorization(order.unit.amount),
    createdAt: now,
    updatedAt: now,
    expiresAt: now + AUTHORIZATION_LIFETIME_MS,
  };
  tx.put(AUTHORIZATIONS, auth.id, auth);
  tx.put(ORDERS, order.id, { ...order, status: "COMPLETED", authorizationIds: [auth.id], updatedAt: now });
  if (pays) {
    tx.afterCommit(() => {
      void ctx.webhooks.emit(
        app,
        "PAYMENT.AUTHORIZATION.CREATED",
        "authorization",
        renderAuthorization(auth, ctx.publicUrl, true),
      );
    });
  }
  return { kind: "answered", status: 201, ref: { table: ORDERS, id: order.id } };
}
