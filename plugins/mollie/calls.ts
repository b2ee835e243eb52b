/**
 * The calls the plugin's operations and queries share: create a payment, fetch one, and read Mollie's answer
 * about a payment or a refund into an outcome.
 * @module
 */
import type { PayInput, PspCallContext, PspHttpResult, PspOutcome } from "../../src/plugin_api.ts";
import { readMollie } from "./answer_rules.ts";
import {
  type Expected,
  paymentOutcome,
  type Reader,
  readPayment,
  readRefund,
  refundOutcome,
} from "./answers.ts";
import { callMollie, type Endpoint, paymentBody } from "./requests.ts";

export async function createPayment(
  endpoint: Endpoint,
  ctx: PspCallContext,
  input: Pick<PayInput, "reference" | "amount" | "returnUrl" | "notificationUrl" | "description">,
): Promise<PspHttpResult> {
  return await callMollie(endpoint, ctx, {
    method: "POST",
    path: "/payments",
    json: paymentBody(input, endpoint.credentials.method),
    operation: "payments.create",
  });
}

export async function fetchPayment(
  endpoint: Endpoint,
  ctx: PspCallContext,
  id: string,
  expected: Expected,
  reader: Reader,
): Promise<PspOutcome> {
  const result = await callMollie(endpoint, ctx, {
    method: "GET",
    path: `/payments/${id}`,
    operation: "payments.get",
  });
  // A read decides nothing by a 4xx: it is read like a query whoever asks.
  return readPaymentAnswer(result, "query", expected, reader);
}

export function readPaymentAnswer(
  result: PspHttpResult,
  call: "operation" | "query",
  expected: Expected,
  reader: Reader,
): PspOutcome {
  const reading = readMollie(result, call);
  if (reading.kind === "decided") return reading.outcome;
  const payment = readPayment(reading.body);
  if (payment === undefined) {
    return { kind: "unknown", detail: "Mollie answered with something that is not a payment" };
  }
  return paymentOutcome(payment, expected, reader) ??
    { kind: "unknown", detail: "the payment is open at Mollie" };
}

export function readRefundAnswer(
  result: PspHttpResult,
  call: "operation" | "query",
  expected: Expected & { readonly paymentId: string },
): PspOutcome {
  const reading = readMollie(result, call);
  if (reading.kind === "decided") return reading.outcome;
  const refund = readRefund(reading.body);
  if (refund === undefined) {
    return { kind: "unknown", detail: "Mollie answered with something that is not a refund" };
  }
  return refundOutcome(refund, expected);
}
