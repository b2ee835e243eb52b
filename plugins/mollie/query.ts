/**
 * `query()`: asking Mollie about an earlier call, with that call's idempotency key. Only Mollie's own answer
 * settles anything; a read never posts, and the only POST a query makes is the replay of a lost create.
 * @module
 */
import type { PspCallContext, PspOutcome, QueryInput } from "../../src/plugin_api.ts";
import { type Expected, refundOutcome } from "./answers.ts";
import { createPayment, fetchPayment, readPaymentAnswer, readRefundAnswer } from "./calls.ts";
import { listRefunds } from "./refund_list.ts";
import { callMollie, type Endpoint, idSegment, resolveEndpoint } from "./requests.ts";

/**
 * Asks Mollie about an earlier call. A payment is fetched by its `tr_` id. Without one (the create's answer
 * was lost), the create is replayed under its original key: Mollie answers from its record, and if it has
 * none, the replay creates an open payment that nobody is ever sent to, which moves no money. A refund is
 * fetched by its `re_` id, or found by its reference among the payment's refunds.
 */
export async function query(input: QueryInput, ctx: PspCallContext): Promise<PspOutcome> {
  const endpoint = resolveEndpoint(ctx);
  if (endpoint === undefined) {
    return { kind: "unknown", detail: "the shop's Mollie credentials are not usable" };
  }
  const expected: Expected = { reference: input.reference, amount: input.amount };
  switch (input.operation) {
    case "pay":
    case "continue": {
      const known = idSegment(input.pspReference ?? input.resume?.paymentId, "tr_");
      if (known !== undefined) return await fetchPayment(endpoint, ctx, known, expected, "query");
      // A continue's key is not the create's: a replay under it would create a payment, and tell nothing.
      if (input.operation === "continue") {
        return { kind: "unknown", detail: "no Mollie payment id to ask about" };
      }
      const replayed = await replayCreate(endpoint, ctx, input);
      return typeof replayed === "string"
        ? await fetchPayment(endpoint, ctx, replayed, expected, "query")
        : replayed;
    }
    case "refund":
      return await queryRefund(endpoint, ctx, input);
    case "capture":
    case "void":
      return { kind: "unknown", detail: `the plugin never sends a ${input.operation} to Mollie` };
  }
}

/** The id the replayed create names, or the outcome that says why there is none. */
async function replayCreate(
  endpoint: Endpoint,
  ctx: PspCallContext,
  input: QueryInput,
): Promise<string | PspOutcome> {
  if (input.returnUrl === undefined) {
    return { kind: "unknown", detail: "cannot replay the create without its return URL" };
  }
  // The same body as the lost create (Mollie answers a replay from its record only for the same request).
  const result = await createPayment(endpoint, ctx, {
    reference: input.reference,
    amount: input.amount,
    returnUrl: input.returnUrl,
    description: input.description,
    notificationUrl: input.notificationUrl,
  });
  const outcome = readPaymentAnswer(result, "query", input, "query");
  // The replayed answer is the stored snapshot of the create (status open); only its id is used.
  if (outcome.kind === "requires_action" || outcome.kind === "succeeded" || outcome.kind === "pending") {
    return outcome.pspReference ?? { kind: "unknown", detail: "the replayed create names no payment" };
  }
  if (outcome.kind === "failed") {
    return { kind: "unknown", detail: `the replayed create: ${outcome.message}` };
  }
  return outcome;
}

async function queryRefund(endpoint: Endpoint, ctx: PspCallContext, input: QueryInput): Promise<PspOutcome> {
  const paymentId = idSegment(input.paymentPspReference, "tr_");
  if (paymentId === undefined) return { kind: "unknown", detail: "no Mollie payment id to ask about" };
  const expected = { reference: input.reference, amount: input.amount, paymentId };
  const refundId = idSegment(input.pspReference, "re_");
  if (refundId !== undefined) {
    const result = await callMollie(endpoint, ctx, {
      method: "GET",
      path: `/payments/${paymentId}/refunds/${refundId}`,
      operation: "refunds.get",
    });
    return readRefundAnswer(result, "query", expected);
  }
  const list = await listRefunds(endpoint, ctx, paymentId);
  if (list.kind === "unreadable") return { kind: "unknown", detail: list.detail };
  const found = list.refunds.find((candidate) => candidate.reference === input.reference);
  // The whole list, from Mollie, without it: Mollie's own answer that it never took this refund.
  if (found === undefined) {
    return { kind: "not_received", detail: "the payment's refunds at Mollie do not include this reference" };
  }
  return refundOutcome(found, expected);
}
