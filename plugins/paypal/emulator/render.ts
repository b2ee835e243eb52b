/**
 * The JSON PayPal answers for each resource, from the records: orders (Orders v2 `order`), authorizations,
 * captures and refunds (Payments v2), with HATEOAS links into this emulator. `minimal` is PayPal's default
 * `Prefer: return=minimal` answer (id, status, links); `representation` the whole resource.
 * @module
 */
import type { StateView } from "../../kit/emulator/mod.ts";
import { formatAmount, type Money } from "../../../src/plugin_api.ts";
import {
  type AuthorizationRecord,
  AUTHORIZATIONS,
  type CaptureRecord,
  CAPTURES,
  type OrderRecord,
  recordsOf,
  type RefundRecord,
  REFUNDS,
} from "./records.ts";

export type Representation = "minimal" | "representation";

type Json = Record<string, unknown>;

export function money(amount: Money): Json {
  return { currency_code: amount.currency, value: formatAmount(amount) };
}

/** PayPal's timestamps: seconds, UTC (`2018-04-01T21:20:49Z`). */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function link(href: string, rel: string, method = "GET"): Json {
  return { href, rel, method };
}

/** The buyer's approval page of an order. */
export function approvalUrl(publicUrl: string, orderId: string): string {
  return `${publicUrl}/checkoutnow?token=${encodeURIComponent(orderId)}`;
}

function orderLinks(order: OrderRecord, publicUrl: string): Json[] {
  const self = `${publicUrl}/v2/checkout/orders/${order.id}`;
  const action = order.intent === "CAPTURE" ? "capture" : "authorize";
  const links = [link(self, "self")];
  if (order.status === "PAYER_ACTION_REQUIRED") {
    links.push(link(approvalUrl(publicUrl, order.id), "payer-action"));
  }
  if (order.status === "CREATED") links.push(link(approvalUrl(publicUrl, order.id), "approve"));
  if (order.status === "CREATED" || order.status === "APPROVED") {
    links.push(link(self, "update", "PATCH"), link(`${self}/${action}`, action, "POST"));
  }
  return links;
}

function payer(order: OrderRecord): { paymentSource: Json; payer: Json } | undefined {
  if (order.payerId === undefined) return undefined;
  const name = { given_name: "Ada", surname: "Lovelace" };
  const email = `buyer-${order.payerId.toLowerCase()}@example.com`;
  return {
    paymentSource: {
      paypal: {
        email_address: email,
        account_id: order.payerId,
        account_status: "VERIFIED",
        name,
        address: { country_code: "NL" },
      },
    },
    payer: { name, email_address: email, payer_id: order.payerId, address: { country_code: "NL" } },
  };
}

export function renderOrder(
  view: StateView,
  order: OrderRecord,
  publicUrl: string,
  shape: Representation,
): Json {
  const links = orderLinks(order, publicUrl);
  if (shape === "minimal") return { id: order.id, status: order.status, links };
  const unit: Json = { reference_id: order.unit.referenceId, amount: money(order.unit.amount) };
  if (order.unit.customId !== undefined) unit.custom_id = order.unit.customId;
  if (order.unit.invoiceId !== undefined) unit.invoice_id = order.unit.invoiceId;
  if (order.unit.description !== undefined) unit.description = order.unit.description;
  const payments: Json = {};
  const authorizations = recordsOf<AuthorizationRecord>(view, AUTHORIZATIONS, order.authorizationIds);
  const captures = recordsOf<CaptureRecord>(view, CAPTURES, order.captureIds);
  const refunds = recordsOf<RefundRecord>(view, REFUNDS, order.refundIds);
  if (authorizations.length > 0) {
    payments.authorizations = authorizations.map((a) => renderAuthorization(a, publicUrl, false));
  }
  if (captures.length > 0) payments.captures = captures.map((c) => renderCapture(c, publicUrl, false));
  if (refunds.length > 0) payments.refunds = refunds.map((r) => renderRefund(r, publicUrl));
  if (Object.keys(payments).length > 0) unit.payments = payments;
  const body: Json = { id: order.id, intent: order.intent, status: order.status };
  const who = payer(order);
  if (who !== undefined) {
    body.payment_source = who.paymentSource;
    body.payer = who.payer;
  } else if (order.withPaymentSource) {
    body.payment_source = { paypal: {} };
  }
  return {
    ...body,
    purchase_units: [unit],
    create_time: timestamp(order.createdAt),
    update_time: timestamp(order.updatedAt),
    links,
  };
}

const SELLER_PROTECTION = {
  status: "ELIGIBLE",
  dispute_categories: ["ITEM_NOT_RECEIVED", "UNAUTHORIZED_TRANSACTION"],
};

function references(record: { readonly customId?: string; readonly invoiceId?: string }): Json {
  const body: Json = {};
  if (record.invoiceId !== undefined) body.invoice_id = record.invoiceId;
  if (record.customId !== undefined) body.custom_id = record.customId;
  return body;
}

/**
 * @param payments the Payments v2 resource (GET, capture answers, webhooks), which adds `supplementary_data`;
 * the same resource inside an order's `payments` does not carry it.
 */
export function renderAuthorization(auth: AuthorizationRecord, publicUrl: string, payments: boolean): Json {
  const self = `${publicUrl}/v2/payments/authorizations/${auth.id}`;
  const body: Json = {
    id: auth.id,
    status: auth.status,
    amount: money(auth.amount),
    ...references(auth),
    seller_protection: SELLER_PROTECTION,
    expiration_time: timestamp(auth.expiresAt),
    links: [
      link(self, "self"),
      link(`${self}/capture`, "capture", "POST"),
      link(`${self}/void`, "void", "POST"),
      link(`${self}/reauthorize`, "reauthorize", "POST"),
      link(`${publicUrl}/v2/checkout/orders/${auth.orderId}`, "up"),
    ],
    create_time: timestamp(auth.createdAt),
    update_time: timestamp(auth.updatedAt),
  };
  if (payments) body.supplementary_data = { related_ids: { order_id: auth.orderId } };
  return body;
}

export function renderCapture(capture: CaptureRecord, publicUrl: string, payments: boolean): Json {
  const self = `${publicUrl}/v2/payments/captures/${capture.id}`;
  const up = capture.authorizationId === undefined
    ? `${publicUrl}/v2/checkout/orders/${capture.orderId}`
    : `${publicUrl}/v2/payments/authorizations/${capture.authorizationId}`;
  const body: Json = {
    id: capture.id,
    status: capture.status,
    amount: money(capture.amount),
    ...references(capture),
    final_capture: capture.finalCapture,
    seller_protection: SELLER_PROTECTION,
    links: [link(self, "self"), link(`${self}/refund`, "refund", "POST"), link(up, "up")],
    create_time: timestamp(capture.createdAt),
    update_time: timestamp(capture.updatedAt),
  };
  if (payments) {
    const related: Json = { order_id: capture.orderId };
    if (capture.authorizationId !== undefined) related.authorization_id = capture.authorizationId;
    body.supplementary_data = { related_ids: related };
  }
  return body;
}

export function renderRefund(refund: RefundRecord, publicUrl: string): Json {
  const body: Json = {
    id: refund.id,
    status: refund.status,
    amount: money(refund.amount),
    ...references(refund),
  };
  if (refund.noteToPayer !== undefined) body.note_to_payer = refund.noteToPayer;
  return {
    ...body,
    links: [
      link(`${publicUrl}/v2/payments/refunds/${refund.id}`, "self"),
      link(`${publicUrl}/v2/payments/captures/${refund.captureId}`, "up"),
    ],
    create_time: timestamp(refund.createdAt),
    update_time: timestamp(refund.updatedAt),
  };
}

export function minimal(body: Json): Json {
  return { id: body.id, status: body.status, links: body.links };
}
