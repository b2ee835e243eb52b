/**
 * How a Skeleton Pay card payment is made and asked about: the card goes to POST /payments, the answer is the
 * result (authorized, captured, declined). A card payment never sends the buyer away (no 3-D Secure in the
 * template API), so there is no buyer's return to continue.
 * @module
 */
import type {
  CardDetails,
  ContinueInput,
  PayInput,
  PspCallContext,
  PspOutcome,
  QueryInput,
} from "../../src/plugin_api.ts";
import type { Json } from "../../plugins/kit/mod.ts";
import { readPayment } from "./answers.ts";
import type { Endpoint } from "./credentials.ts";
import { send, wireAmount } from "./requests.ts";

// TODO(skeleton-pay): your PSP's payment request body (add what it needs: shopper IP, email, descriptor, ...).
export function paymentBody(input: PayInput, card: CardDetails): Json {
  const body: Json = {
    reference: input.reference,
    amount: wireAmount(input.amount),
    capture: input.captureMode === "sale",
    card: {
      number: card.number,
      expiryMonth: card.expiryMonth,
      expiryYear: card.expiryYear,
      cvc: card.cvv,
      ...(card.holderName === undefined ? {} : { holderName: card.holderName }),
    },
  };
  if (input.description !== undefined) body.description = input.description;
  return body;
}

export async function pay(endpoint: Endpoint, input: PayInput, ctx: PspCallContext): Promise<PspOutcome> {
  // Nothing was sent, so the failure is the truth.
  if (input.card === undefined) {
    return { kind: "failed", code: "invalid_request", message: "a Skeleton Pay payment needs card data" };
  }
  const result = await send(endpoint, ctx, {
    method: "POST",
    path: "/payments",
    json: paymentBody(input, input.card),
    operation: "payments",
  });
  return readPayment(result, "operation", input);
}

/** threeDSecure and redirect are false, so the core never calls this; nothing is sent. */
export function continuePayment(
  _endpoint: Endpoint,
  _input: ContinueInput,
  _ctx: PspCallContext,
): Promise<PspOutcome> {
  return Promise.resolve({
    kind: "return_refused",
    detail: "Skeleton Pay card payments never send the buyer away",
  });
}

/** Replays the pay call's key in replay-only mode: its stored answer, or a 404 when the PSP never got it. */
export async function queryPayment(
  endpoint: Endpoint,
  input: QueryInput,
  ctx: PspCallContext,
): Promise<PspOutcome> {
  if (input.operation === "continue") {
    return { kind: "unknown", detail: "Skeleton Pay card payments never redirect, so there is no continue" };
  }
  const result = await send(endpoint, ctx, {
    method: "POST",
    path: "/payments",
    json: { reference: input.reference },
    operation: "payments.replay",
    replayOnly: true,
  });
  return readPayment(result, "query", input);
}
