/**
 * `POST /v2/payments` and `GET /v2/payments/{id}`: a payment is created open, with a checkout link and an
 * expiry, and is shown only to the API key that created it.
 * @module
 */
import type { Decision, StateTransaction, StoredAnswer } from "../../kit/emulator/mod.ts";
import type { Caller, EmulatorContext } from "./context.ts";
import { notFound } from "./errors.ts";
import { newId, paymentResource, PAYMENTS, type StoredPayment } from "./records.ts";
import { checkPayment } from "./validation.ts";

/** Creates a payment in `tx`, or refuses the body (nothing written). */
export function createPayment(
  context: EmulatorContext,
  caller: Caller,
  body: Record<string, unknown>,
  tx: StateTransaction,
): Decision {
  const checked = checkPayment(body);
  if (!checked.ok) return { kind: "reject", answer: checked.answer };
  const request = checked.value;
  const createdAt = context.now();
  const payment: StoredPayment = {
    id: newId("tr_"),
    account: caller.account,
    profileId: caller.profileId,
    createdAt,
    amount: request.amount,
    description: request.description,
    redirectUrl: request.redirectUrl,
    cancelUrl: request.cancelUrl,
    webhookUrl: request.webhookUrl,
    metadata: request.metadata,
    method: request.method,
    status: "open",
    expiresAt: createdAt + context.expireAfterMs,
    refundedMinor: 0,
    refundIds: [],
  };
  tx.put(PAYMENTS, payment.id, payment);
  context.lifecycle.dueAt(payment.expiresAt);
  return { kind: "answer", answer: { status: 201, body: paymentResource(context.publicUrl, payment) } };
}

/** The payment, if it is the caller's; another key's payment does not exist for the caller. */
export function callersPayment(
  context: EmulatorContext,
  caller: Caller,
  id: string,
): StoredPayment | undefined {
  const payment = context.state.read((view) => view.get<StoredPayment>(PAYMENTS, id));
  return payment?.account === caller.account ? payment : undefined;
}

export function getPayment(context: EmulatorContext, caller: Caller, id: string): StoredAnswer {
  const payment = callersPayment(context, caller, id);
  if (payment === undefined) return notFound("payment", id);
  return { status: 200, body: paymentResource(context.publicUrl, payment) };
}
