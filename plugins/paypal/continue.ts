/**
 * The buyer is back from PayPal's page: capture the order (a sale) or authorize it (manual capture). What the
 * browser brought (`token`, `PayerID`) is not read at all: the order id comes from the payment's own record,
 * and only PayPal's answer to the gateway's call decides. An order the buyer has not approved is refused by
 * PayPal (422 ORDER_NOT_APPROVED) without any change, which is `return_refused`: the payment keeps waiting.
 * @module
 */
import type {
  ContinueInput,
  PspCallContext,
  PspHttpResult,
  PspOutcome,
  QueryInput,
} from "../../src/plugin_api.ts";
import { type CallKind, parseObject, readAnswer } from "../kit/mod.ts";
import type { Endpoint } from "./access_token.ts";
import { firstIssue, paypalRules } from "./answer_rules.ts";
import { type ExpectedPayment, readOrderPayment } from "./order_result.ts";
import { type Intent, readOrder } from "./orders.ts";
import { RESUME_INTENT, RESUME_ORDER_ID } from "./pay.ts";
import { getOrder } from "./lookups.ts";
import { callPayPal, segment } from "./paypal_api.ts";
import { issueRule, ORDER_ACTION_ISSUES } from "./status_map.ts";

interface OrderTarget {
  readonly orderId: string;
  readonly intent: Intent;
}

/** The order and intent the pay call put into `resume`; the browser has no say in them. */
function targetOf(
  resume: Readonly<Record<string, string>> | undefined,
  pspReference?: string,
): OrderTarget | undefined {
  const orderId = resume?.[RESUME_ORDER_ID] ?? pspReference;
  const intent = resume?.[RESUME_INTENT];
  if (orderId === undefined || !/^[A-Za-z0-9-]{1,64}$/.test(orderId)) return undefined;
  return intent === "CAPTURE" || intent === "AUTHORIZE" ? { orderId, intent } : undefined;
}

export async function continueOrder(
  endpoint: Endpoint,
  input: ContinueInput,
  ctx: PspCallContext,
): Promise<PspOutcome> {
  const target = targetOf(input.resume, input.pspReference);
  if (target === undefined) {
    return { kind: "unknown", detail: "the payment names no PayPal order to continue" };
  }
  const expected = { reference: input.reference, amount: input.amount, orderId: target.orderId };
  const result = await orderAction(endpoint, ctx, target);
  return await readOrderAction(endpoint, ctx, result, "operation", target, expected);
}

/**
 * Asks about a continue call: first the order itself (GET, no effect). Captured or authorized: its result.
 * Still approved: the capture or authorization never reached PayPal, so it is sent again under the continue's
 * PayPal-Request-Id (the core treats a continue's query as one that may act, and the key makes it happen at
 * most once). Not approved: nothing happened, and the payment waits for the buyer again (`return_refused`).
 */
export async function queryContinue(
  endpoint: Endpoint,
  input: QueryInput,
  ctx: PspCallContext,
): Promise<PspOutcome> {
  const target = targetOf(input.resume, input.pspReference);
  if (target === undefined) {
    return { kind: "unknown", detail: "the payment names no PayPal order to ask about" };
  }
  const expected = { reference: input.reference, amount: input.amount, orderId: target.orderId };
  const looked = await lookUpOrder(endpoint, ctx, target, expected);
  if (looked.kind === "outcome") return looked.outcome;
  if (looked.kind === "awaiting_buyer") {
    return {
      kind: "return_refused",
      detail: "PayPal's order is not approved: nothing was captured or authorized",
    };
  }
  const result = await orderAction(endpoint, ctx, target);
  return await readOrderAction(endpoint, ctx, result, "query", target, expected);
}

async function orderAction(
  endpoint: Endpoint,
  ctx: PspCallContext,
  target: OrderTarget,
): Promise<PspHttpResult> {
  const action = target.intent === "CAPTURE" ? "capture" : "authorize";
  return await callPayPal(endpoint, ctx, {
    method: "POST",
    path: `/v2/checkout/orders/${segment(target.orderId)}/${action}`,
    json: {},
    keyed: true,
    operation: `paypal.orders.${action}`,
  });
}

async function readOrderAction(
  endpoint: Endpoint,
  ctx: PspCallContext,
  result: PspHttpResult,
  call: CallKind,
  target: OrderTarget,
  expected: ExpectedPayment,
): Promise<PspOutcome> {
  if (result.kind === "response" && result.status === 422) {
    const rule = issueRule(ORDER_ACTION_ISSUES, firstIssue(parseObject(result.body)));
    if (rule?.kind === "not_approved" && call === "operation") {
      return await afterRefusedReturn(endpoint, ctx, target, expected);
    }
    if (rule?.kind === "look_up") return outcomeOf(await lookUpOrder(endpoint, ctx, target, expected));
  }
  const reading = readAnswer(result, call, paypalRules(ORDER_ACTION_ISSUES));
  if (reading.kind === "decided") return reading.outcome;
  const order = readOrder(reading.body);
  if (order === undefined) {
    return { kind: "unknown", detail: "PayPal's answer is not an order", pspReference: target.orderId };
  }
  return outcomeOf(readOrderPayment(order, target.intent, expected));
}

/**
 * PayPal refused the capture or authorization because the order is not approved. It is asked what the order
 * is: voided (the buyer cancelled, or it expired) fails the payment; anything else leaves it waiting.
 */
async function afterRefusedReturn(
  endpoint: Endpoint,
  ctx: PspCallContext,
  target: OrderTarget,
  expected: ExpectedPayment,
): Promise<PspOutcome> {
  const refused: PspOutcome = {
    kind: "return_refused",
    detail: "PayPal refused to act on the order: the buyer has not approved it",
  };
  const looked = await lookUpOrder(endpoint, ctx, target, expected);
  if (looked.kind !== "outcome") return refused;
  const { outcome } = looked;
  return outcome.kind === "unknown" ? refused : outcome;
}

type Looked = ReturnType<typeof readOrderPayment>;

/** What the order holds now (GET, no effect). */
async function lookUpOrder(
  endpoint: Endpoint,
  ctx: PspCallContext,
  target: OrderTarget,
  expected: ExpectedPayment,
): Promise<Looked> {
  const found = await getOrder(endpoint, ctx, target.orderId);
  if (found.kind === "unknown") return { kind: "outcome", outcome: found.outcome };
  return readOrderPayment(found.value, target.intent, expected);
}

/** After the gateway's own capture or authorize call, an order that is not done yet is not understood. */
function outcomeOf(looked: Looked): PspOutcome {
  if (looked.kind === "outcome") return looked.outcome;
  return {
    kind: "unknown",
    detail: looked.kind === "approved"
      ? "PayPal's order is approved but neither captured nor authorized"
      : "PayPal's order is not approved",
  };
}
