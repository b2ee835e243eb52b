/**
 * `POST /v2/payments/{id}/refunds`, `GET /v2/payments/{id}/refunds` and `.../refunds/{refundId}`. A refund is
 * created `queued` and decided after a delay (refunded, or failed when the emulator is told to fail refunds);
 * only a paid payment can be refunded, up to what is left of it.
 * @module
 */
import type { Money } from "../../../src/plugin_api.ts";
import type { Decision, StateTransaction, StoredAnswer } from "../../kit/emulator/mod.ts";
import type { Caller, EmulatorContext } from "./context.ts";
import { mollieError, notFound } from "./errors.ts";
import { callersPayment } from "./payments_api.ts";
import {
  newId,
  PAYMENTS,
  refundResource,
  REFUNDS,
  type StoredPayment,
  type StoredRefund,
} from "./records.ts";
import { checkRefund } from "./validation.ts";

const DEFAULT_PAGE = 50;
const MAX_PAGE = 250;

export function createRefund(
  context: EmulatorContext,
  caller: Caller,
  paymentId: string,
  body: Record<string, unknown>,
  tx: StateTransaction,
): Decision {
  const payment = tx.get<StoredPayment>(PAYMENTS, paymentId);
  if (payment === undefined || payment.account !== caller.account) {
    return { kind: "reject", answer: notFound("payment", paymentId) };
  }
  const checked = checkRefund(body);
  if (!checked.ok) return { kind: "reject", answer: checked.answer };
  const { amount } = checked.value;
  const refusal = refusalOf(payment, amount);
  if (refusal !== undefined) return { kind: "reject", answer: refusal };
  const createdAt = context.now();
  const refund: StoredRefund = {
    id: newId("re_"),
    paymentId,
    account: caller.account,
    createdAt,
    amount,
    description: checked.value.description ?? payment.description,
    metadata: checked.value.metadata,
    status: "queued",
    settlesAt: createdAt + context.refundAfterMs,
    outcome: context.refundsFail() ? "failed" : "refunded",
  };
  tx.put(REFUNDS, refund.id, refund);
  tx.put(PAYMENTS, paymentId, {
    ...payment,
    refundedMinor: payment.refundedMinor + amount.amountMinor,
    refundIds: [...payment.refundIds, refund.id],
  });
  context.lifecycle.dueAt(refund.settlesAt);
  return { kind: "answer", answer: { status: 201, body: refundResource(context.publicUrl, refund) } };
}

/** Why Mollie refuses to refund this amount of this payment, as its answer; undefined when it may. */
function refusalOf(payment: StoredPayment, amount: Money): StoredAnswer | undefined {
  if (payment.status !== "paid") return mollieError(422, "The payment cannot be refunded as it is not paid");
  if (amount.currency !== payment.amount.currency) {
    return mollieError(422, "The currency differs from the payment's", "amount.currency");
  }
  if (amount.amountMinor > payment.amount.amountMinor - payment.refundedMinor) {
    return mollieError(422, "The amount is higher than the amount that can still be refunded", "amount");
  }
  return undefined;
}

export function getRefund(context: EmulatorContext, caller: Caller, paymentId: string, refundId: string) {
  const refund = context.state.read((view) => view.get<StoredRefund>(REFUNDS, refundId));
  if (refund === undefined || refund.account !== caller.account || refund.paymentId !== paymentId) {
    return notFound("refund", refundId);
  }
  return { status: 200, body: refundResource(context.publicUrl, refund) };
}

/** The payment's refunds, newest first, a page at a time (`from` is the first refund's id, `limit` the size). */
export function listRefunds(
  context: EmulatorContext,
  caller: Caller,
  paymentId: string,
  query: URLSearchParams,
): StoredAnswer {
  const payment = callersPayment(context, caller, paymentId);
  if (payment === undefined) return notFound("payment", paymentId);
  const limit = Number(query.get("limit") ?? DEFAULT_PAGE);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    return mollieError(400, `The limit must be between 1 and ${MAX_PAGE}`, "limit");
  }
  const ids = [...payment.refundIds].reverse();
  const from = query.get("from");
  const start = from === null ? 0 : ids.indexOf(from);
  if (start < 0) return mollieError(400, "Invalid cursor value", "from");
  const page = ids.slice(start, start + limit);
  const refunds = context.state.read((view) => page.map((id) => view.get<StoredRefund>(REFUNDS, id)!));
  const base = `${context.publicUrl}/v2/payments/${paymentId}/refunds`;
  const pageLink = (index: number) => ({
    href: `${base}?from=${ids[index]}&limit=${limit}`,
    type: "application/hal+json",
  });
  return {
    status: 200,
    body: {
      count: refunds.length,
      _embedded: { refunds: refunds.map((refund) => refundResource(context.publicUrl, refund)) },
      _links: {
        self: {
          href: from === null ? `${base}?limit=${limit}` : pageLink(start).href,
          type: "application/hal+json",
        },
        previous: start === 0 ? null : pageLink(Math.max(0, start - limit)),
        next: start + limit < ids.length ? pageLink(start + limit) : null,
        documentation: { href: "https://docs.mollie.com/reference/list-refunds", type: "text/html" },
      },
    },
  };
}
