/**
 * Questions without effect: GET an order, a capture or a refund. Any answer but the resource itself is
 * `unknown` (a 404 included: it proves nothing about a call the plugin made).
 * @module
 */
import type { PspCallContext, PspOutcome } from "../../src/plugin_api.ts";
import { readAnswer } from "../kit/mod.ts";
import type { Endpoint } from "./access_token.ts";
import { paypalRules } from "./answer_rules.ts";
import { type CaptureView, type OrderView, readOrder, readTransaction } from "./orders.ts";
import { callPayPal, segment } from "./paypal_api.ts";

export type Found<T> = { readonly kind: "found"; readonly value: T } | {
  readonly kind: "unknown";
  readonly outcome: Extract<PspOutcome, { kind: "unknown" }>;
};

function unknown<T>(detail: string, pspReference?: string): Found<T> {
  return { kind: "unknown", outcome: { kind: "unknown", detail, pspReference } };
}

/** GET /v2/checkout/orders/{id}. */
export async function getOrder(
  endpoint: Endpoint,
  ctx: PspCallContext,
  orderId: string,
): Promise<Found<OrderView>> {
  const result = await callPayPal(endpoint, ctx, {
    method: "GET",
    path: `/v2/checkout/orders/${segment(orderId)}`,
    keyed: false,
    operation: "paypal.orders.get",
  });
  const reading = readAnswer(result, "query", paypalRules({}));
  if (reading.kind === "decided") {
    const outcome = reading.outcome;
    return unknown(outcome.kind === "unknown" ? outcome.detail : "PayPal did not show the order", orderId);
  }
  const order = readOrder(reading.body);
  if (order === undefined || order.id !== orderId) {
    return unknown("PayPal's answer is not this order", orderId);
  }
  return { kind: "found", value: order };
}

/** GET /v2/payments/captures/{id} or /v2/payments/refunds/{id}. */
export async function getTransaction(
  endpoint: Endpoint,
  ctx: PspCallContext,
  collection: "captures" | "refunds",
  id: string,
): Promise<Found<CaptureView>> {
  const result = await callPayPal(endpoint, ctx, {
    method: "GET",
    path: `/v2/payments/${collection}/${segment(id)}`,
    keyed: false,
    operation: `paypal.${collection}.get`,
  });
  const reading = readAnswer(result, "query", paypalRules({}));
  if (reading.kind === "decided") {
    const outcome = reading.outcome;
    return unknown(outcome.kind === "unknown" ? outcome.detail : `PayPal did not show the ${collection}`, id);
  }
  const transaction = readTransaction(reading.body);
  if (transaction === undefined || transaction.id !== id) {
    return unknown(`PayPal's answer is not this ${collection}`, id);
  }
  return { kind: "found", value: transaction };
}
