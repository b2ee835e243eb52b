/**
 * Mollie's webhook (https://docs.mollie.com/reference/webhooks): a form POST `id=tr_…` to the payment's
 * `webhookUrl`, carrying nothing else, after the payment's status changes and after a refund of it changes.
 * Nothing in it is trusted: the payment is fetched with the shop's key, and the fetched payment is the truth.
 * The gateway's notification URL names the payment's reference (`?reference=`), which the fetched payment's
 * `metadata.reference` must match, so a webhook naming another payment (forged or misrouted) is rejected.
 * Mollie wants a 200 with any body; the acknowledgement is empty.
 * @module
 */
import type {
  NotificationEvent,
  NotificationParse,
  PspCallContext,
  RawNotification,
} from "../../src/plugin_api.ts";
import { paymentOutcome, readPayment, refundOutcome } from "./answers.ts";
import { listRefunds } from "./refund_list.ts";
import { callMollie, type Endpoint, idSegment, resolveEndpoint } from "./requests.ts";
import type { MolliePayment } from "./answers.ts";
import { isFinalRefundRule, refundStatusRule } from "./status_map.ts";
import { parseObject } from "../kit/mod.ts";

export const NOTIFICATION_ACKNOWLEDGEMENT = "";

/** The reference the gateway put in this payment's webhook URL, unverified. */
export function notificationReferences(raw: RawNotification): readonly string[] {
  const reference = raw.params?.reference;
  return typeof reference === "string" && reference !== "" ? [reference] : [];
}

export async function parseNotification(
  raw: RawNotification,
  ctx: PspCallContext,
): Promise<NotificationParse> {
  const endpoint = resolveEndpoint(ctx);
  if (endpoint === undefined) return rejected("the shop's Mollie credentials do not fit this mode");
  const reference = notificationReferences(raw)[0];
  if (reference === undefined) return rejected("the notification URL names no reference");
  const id = webhookPaymentId(raw.body);
  if (id === undefined) return rejected("not a Mollie payment webhook (a form with id=tr_…)");
  const fetched = await fetchNamedPayment(endpoint, ctx, id);
  if (typeof fetched === "string") return rejected(fetched);
  if (fetched.reference !== reference) {
    return rejected("the payment it names is not the payment of this notification URL (forged or misrouted)");
  }
  if (fetched.mode !== undefined && fetched.mode !== (ctx.test ? "test" : "live")) {
    return rejected("the payment it names is of the other mode");
  }
  const events: NotificationEvent[] = [];
  const outcome = paymentOutcome(fetched, { reference }, "notification");
  if (outcome !== undefined) events.push({ operation: "pay", reference, outcome });
  // Only a paid payment can have refunds; the webhook does not say which one changed, so all are read.
  if (fetched.status === "paid") {
    const refunds = await refundEvents(endpoint, ctx, fetched);
    if (typeof refunds === "string") return rejected(refunds);
    events.push(...refunds);
  }
  return { kind: "events", events, acknowledgement: NOTIFICATION_ACKNOWLEDGEMENT };
}

/** The `tr_` id of a webhook body, or undefined for anything else (JSON, another resource, garbage). */
export function webhookPaymentId(body: string): string | undefined {
  if (body.length > 1_000 || parseObject(body) !== undefined) return undefined;
  const ids = new URLSearchParams(body.trim()).getAll("id");
  return ids.length === 1 ? idSegment(ids[0], "tr_") : undefined;
}

/**
 * The payment, fetched with the shop's key, or why it could not be: a payment Mollie does not show this key
 * is not this shop's. Any other failure rejects too, so that Mollie delivers the webhook again later.
 */
async function fetchNamedPayment(
  endpoint: Endpoint,
  ctx: PspCallContext,
  id: string,
): Promise<MolliePayment | string> {
  const result = await callMollie(endpoint, ctx, {
    method: "GET",
    path: `/payments/${id}`,
    operation: "payments.get",
  });
  if (result.kind !== "response") return "the payment could not be fetched from Mollie; Mollie will retry";
  if (result.status === 404) return "Mollie has no such payment for this shop's key";
  if (result.status === 401 || result.status === 403) return "Mollie refused this shop's key";
  if (result.status !== 200) {
    return `Mollie answered HTTP ${result.status} for the payment; Mollie will retry`;
  }
  const body = parseObject(result.body);
  const payment = body === undefined ? undefined : readPayment(body);
  return payment ?? "Mollie answered with something that is not a payment";
}

/** Events for the payment's refunds that reached a final status, each under its own gateway reference. */
async function refundEvents(
  endpoint: Endpoint,
  ctx: PspCallContext,
  payment: MolliePayment,
): Promise<NotificationEvent[] | string> {
  const list = await listRefunds(endpoint, ctx, payment.id);
  if (list.kind === "unreadable") {
    return `the payment's refunds could not be read (${list.detail}); Mollie will retry`;
  }
  const events: NotificationEvent[] = [];
  for (const refund of list.refunds) {
    // A refund without a gateway reference was made elsewhere (the Mollie Dashboard): not the gateway's.
    if (refund.reference === undefined || !isFinalRefundRule(refundStatusRule(refund.status))) continue;
    events.push({
      operation: "refund",
      reference: refund.reference,
      outcome: refundOutcome(refund, { reference: refund.reference, paymentId: payment.id }),
    });
  }
  return events;
}

function rejected(reason: string): NotificationParse {
  return { kind: "rejected", reason };
}
