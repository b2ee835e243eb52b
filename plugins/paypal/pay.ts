/**
 * A payment: create the order (POST /v2/checkout/orders) and send the buyer to PayPal's page. No money moves
 * until the gateway captures or authorizes the approved order on the buyer's return, so an order the buyer
 * never approves costs nothing and the core fails the payment at its action timeout.
 * @module
 */
import type {
  Money,
  PayInput,
  PspCallContext,
  PspHttpResult,
  PspOutcome,
  QueryInput,
} from "../../src/plugin_api.ts";
import { type CallKind, type ErrorAnswer, readAnswer } from "../kit/mod.ts";
import type { Endpoint } from "./access_token.ts";
import { firstIssue, paypalRules } from "./answer_rules.ts";
import { createOrderBody, intentOf, type OrderRequest, readOrder, sameMoney } from "./orders.ts";
import { callPayPal } from "./paypal_api.ts";
import { CREATE_ORDER_ISSUES, orderRule } from "./status_map.ts";

/** resume keys: what continueAfterRedirect needs, kept by the core with the payment. */
export const RESUME_ORDER_ID = "orderId";
export const RESUME_INTENT = "intent";

export async function createOrder(
  endpoint: Endpoint,
  input: PayInput,
  ctx: PspCallContext,
): Promise<PspOutcome> {
  const request: OrderRequest = {
    reference: input.reference,
    amount: input.amount,
    captureMode: input.captureMode,
    returnUrl: input.returnUrl,
    description: input.description,
    acceptLanguage: input.shopper.acceptLanguage,
  };
  const result = await send(endpoint, ctx, request);
  return readCreatedOrder(result, "operation", request);
}

/**
 * Asks about a payment's create-order call by sending it again under its PayPal-Request-Id, for an amount of
 * zero. PayPal answers a known request id with the order it stored ("PayPal returns the latest status of the
 * previous request that used that same header", developer.paypal.com/api/rest/reference/idempotency), whatever
 * the body; when it has nothing stored it validates the body, and a zero amount fails with 422
 * CANNOT_BE_ZERO_OR_NEGATIVE: nothing was ever stored under the key, so nothing can be created by the query.
 * Were PayPal ever to validate before looking the key up, the query would claim `not_received` for an order
 * that exists: the core would fail a payment whose buyer never saw its page (the answer carrying the page was
 * lost), and the order, never approved, would expire without moving money.
 */
export async function queryCreateOrder(
  endpoint: Endpoint,
  input: QueryInput,
  ctx: PspCallContext,
  fallbackReturnUrl: string,
): Promise<PspOutcome> {
  const request: OrderRequest = {
    reference: input.reference,
    amount: input.amount,
    captureMode: input.captureMode ?? "sale",
    returnUrl: input.returnUrl ?? fallbackReturnUrl,
  };
  const zero: Money = { amountMinor: 0, currency: input.amount.currency };
  const result = await send(endpoint, ctx, request, zero);
  return readCreatedOrder(result, "query", request);
}

async function send(
  endpoint: Endpoint,
  ctx: PspCallContext,
  request: OrderRequest,
  amount: Money = request.amount,
): Promise<PspHttpResult> {
  return await callPayPal(endpoint, ctx, {
    method: "POST",
    path: "/v2/checkout/orders",
    json: createOrderBody({ ...request, amount }),
    keyed: true,
    operation: "paypal.orders.create",
  });
}

/** PayPal's statement that nothing is stored under the key: the zero-amount query body was validated. */
function nothingStored(answer: ErrorAnswer): boolean {
  return answer.status === 422 && firstIssue(answer.body) === "CANNOT_BE_ZERO_OR_NEGATIVE";
}

function readCreatedOrder(result: PspHttpResult, call: CallKind, request: OrderRequest): PspOutcome {
  const reading = readAnswer(result, call, paypalRules(CREATE_ORDER_ISSUES, nothingStored));
  if (reading.kind === "decided") return reading.outcome;
  const order = readOrder(reading.body);
  if (order === undefined) return { kind: "unknown", detail: "PayPal's answer is not an order" };
  const unknown = (detail: string): PspOutcome => ({ kind: "unknown", detail, pspReference: order.id });
  const intent = intentOf(request.captureMode);
  if (order.intent !== undefined && order.intent !== intent) {
    return unknown("PayPal's order has another intent");
  }
  if (order.customId !== undefined && order.customId !== request.reference) {
    return unknown("PayPal's order carries another custom_id than the payment's reference");
  }
  // Sending the buyer to pay another amount than the one asked is never right.
  if (order.amount !== undefined && !sameMoney(order.amount, request.amount)) {
    return unknown("PayPal's order is for another amount or currency than the payment");
  }
  const rule = orderRule(order.status);
  switch (rule.kind) {
    case "awaiting_buyer":
      if (order.approveUrl === undefined) return unknown("PayPal's order has no payer-action link");
      return {
        kind: "requires_action",
        redirect: { url: order.approveUrl, method: "GET" },
        pspReference: order.id,
        resume: { [RESUME_ORDER_ID]: order.id, [RESUME_INTENT]: intent },
      };
    case "failed":
      return {
        kind: "failed",
        code: rule.code,
        message: `PayPal order ${order.status}`,
        pspReference: order.id,
      };
    case "approved":
    case "completed":
      // Only the buyer approves, on the page this answer names; only the gateway captures.
      return unknown(`PayPal's order is already ${order.status}`);
    case "unknown":
      return unknown(`PayPal order: ${rule.why}`);
  }
}
