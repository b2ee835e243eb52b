/**
 * How a Np Gbd5rszjn5 offsite payment is made and asked about: POST /payments creates it and names the hosted
 * page (`redirectUrl`) the buyer is sent to; the buyer approves, fails or cancels there and comes back. The
 * browser's return proves nothing: the plugin asks the PSP (GET /payments/{id}) what the payment is now.
 * @module
 */
import type {
  ContinueInput,
  PayInput,
  PspCallContext,
  PspOutcome,
  QueryInput,
} from "../../src/plugin_api.ts";
import { type Json, readAnswer } from "../kit/mod.ts";
import { ANSWER_RULES, type Expected, paymentOutcome, readPayment } from "./answers.ts";
import type { Endpoint } from "./credentials.ts";
import { paymentPath, send, wireAmount } from "./requests.ts";

// TODO(np-gbd5rszjn5): your PSP's payment request body (add what it needs: description, locale, webhook URL, ...).
export function paymentBody(input: PayInput): Json {
  const body: Json = {
    reference: input.reference,
    amount: wireAmount(input.amount),
    capture: input.captureMode === "sale",
    method: "redirect",
    returnUrl: input.returnUrl,
  };
  if (input.description !== undefined) body.description = input.description;
  return body;
}

/** Creates the payment: `requires_action` with the PSP's page, or whatever the PSP answered instead. */
export async function pay(endpoint: Endpoint, input: PayInput, ctx: PspCallContext): Promise<PspOutcome> {
  const result = await send(endpoint, ctx, {
    method: "POST",
    path: "/payments",
    json: paymentBody(input),
    operation: "payments",
  });
  return readPayment(result, "operation", input);
}

/** The payment the buyer came back from, as the PSP has it now; a payment still waiting is `return_refused`. */
export async function continuePayment(
  endpoint: Endpoint,
  input: ContinueInput,
  ctx: PspCallContext,
): Promise<PspOutcome> {
  const paymentId = input.resume.paymentId ?? input.pspReference;
  if (paymentId === undefined || paymentId === "") {
    return {
      kind: "return_refused",
      detail: "nothing names the payment the buyer came back from; nothing was sent",
    };
  }
  const captureMode = input.resume.captureMode === "authorize" ? "authorize" : "sale";
  return await currentPayment(endpoint, ctx, paymentId, "operation", { ...input, captureMode }, "continue");
}

/**
 * A pay call is asked about by the payment it created (its id, or the replay of the pay call's key in
 * replay-only mode when the answer never arrived); a continue by the payment itself. Neither has an effect.
 */
export async function queryPayment(
  endpoint: Endpoint,
  input: QueryInput,
  ctx: PspCallContext,
): Promise<PspOutcome> {
  let paymentId = input.resume?.paymentId ?? input.pspReference;
  if (paymentId === undefined) {
    const replay = await send(endpoint, ctx, {
      method: "POST",
      path: "/payments",
      json: { reference: input.reference },
      operation: "payments.replay",
      replayOnly: true,
    });
    const reading = readAnswer(replay, "query", ANSWER_RULES);
    if (reading.kind === "decided") return reading.outcome;
    if (typeof reading.body.id !== "string" || reading.body.id === "") {
      return paymentOutcome(reading.body, input);
    }
    paymentId = reading.body.id;
  }
  const ask = input.operation === "continue" ? "continue" : "pay";
  return await currentPayment(endpoint, ctx, paymentId, "query", input, ask);
}

async function currentPayment(
  endpoint: Endpoint,
  ctx: PspCallContext,
  paymentId: string,
  call: "operation" | "query",
  expected: Expected,
  ask: "pay" | "continue",
): Promise<PspOutcome> {
  const result = await send(endpoint, ctx, {
    method: "GET",
    path: paymentPath(paymentId),
    operation: "payment",
  });
  const outcome = readPayment(result, call, expected);
  // The buyer is back but has not finished on the page: the return changes nothing, the payment keeps waiting.
  if (ask === "continue" && outcome.kind === "requires_action") {
    return { kind: "return_refused", detail: "the buyer has not finished on Np Gbd5rszjn5's page" };
  }
  return outcome;
}
