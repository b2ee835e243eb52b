/**
 * PayPal webhooks. Every event is verified by asking PayPal (POST /v1/notifications/verify-webhook-signature
 * with the `PAYPAL-TRANSMISSION-*`, `PAYPAL-AUTH-ALGO` and `PAYPAL-CERT-URL` headers, the shop's webhook id
 * and the event as received) before anything in it is believed: an event without those headers, one PayPal
 * does not answer `SUCCESS` for, or one the verification call cannot settle is rejected (PayPal then sends it
 * again). Only then does the event table (`event_map.ts`) turn it into core events.
 *
 * References, as the plugin sends them: an order's purchase unit carries the payment's reference as
 * `custom_id` and `invoice_id` (so do the sale's capture and the authorization, which inherit them); a capture
 * of an authorization carries the capture's reference as `invoice_id`; a refund carries the refund's reference
 * as `invoice_id` and `custom_id`.
 * @module
 */
import type {
  NotificationEvent,
  NotificationParse,
  PspCallContext,
  PspOutcome,
  RawNotification,
} from "../../src/plugin_api.ts";
import { headerValue, isObject, type Json, parseObject, readAnswer, stringField } from "../kit/mod.ts";
import type { Endpoint } from "./access_token.ts";
import { paypalRules } from "./answer_rules.ts";
import { eventRule } from "./event_map.ts";
import { transactionOutcome } from "./order_result.ts";
import { readTransaction } from "./orders.ts";
import { callPayPal, resolveEndpoint } from "./paypal_api.ts";

/** PayPal reads only the HTTP status of the answer to a webhook. */
export const NOTIFICATION_ACKNOWLEDGEMENT = "";

export const VERIFY_OPERATION = "paypal.webhooks.verify-signature";

/** The signature headers PayPal sends with every webhook delivery, as verify-webhook-signature names them. */
const TRANSMISSION_HEADERS = {
  auth_algo: "paypal-auth-algo",
  cert_url: "paypal-cert-url",
  transmission_id: "paypal-transmission-id",
  transmission_sig: "paypal-transmission-sig",
  transmission_time: "paypal-transmission-time",
} as const;

interface WebhookEvent {
  readonly json: Json;
  readonly eventType: string;
  readonly resource: Json;
}

export async function parseNotification(
  raw: RawNotification,
  ctx: PspCallContext,
): Promise<NotificationParse> {
  const endpoint = resolveEndpoint(ctx);
  if (endpoint === undefined) {
    return { kind: "rejected", reason: "the shop's PayPal credentials are not usable" };
  }
  const event = readEvent(raw.body);
  if (event === undefined) return { kind: "rejected", reason: "not a PayPal webhook event" };
  const transmission = readTransmission(raw.headers);
  if (transmission === undefined) {
    return { kind: "rejected", reason: "the event carries no PayPal signature headers" };
  }
  const verdict = await verifySignature(endpoint, ctx, transmission, event.json);
  if (verdict !== "SUCCESS") return { kind: "rejected", reason: verdict };
  const found = eventOf(event);
  return {
    kind: "events",
    events: found === undefined ? [] : [found],
    acknowledgement: NOTIFICATION_ACKNOWLEDGEMENT,
  };
}

/** The references the event's resource carries, unverified: only for finding the shop whose webhook it is. */
export function notificationReferences(raw: RawNotification): readonly string[] {
  const resource = readEvent(raw.body)?.resource;
  if (resource === undefined) return [];
  const carriers: unknown[] = [
    resource,
    ...(Array.isArray(resource.purchase_units) ? resource.purchase_units : []),
  ];
  const references: string[] = [];
  for (const carrier of carriers) {
    if (!isObject(carrier)) continue;
    for (const field of ["invoice_id", "custom_id"]) {
      const value = carrier[field];
      if (typeof value === "string" && value !== "" && !references.includes(value)) references.push(value);
    }
  }
  return references;
}

function readEvent(body: string): WebhookEvent | undefined {
  const json = parseObject(body);
  const eventType = stringField(json, "event_type");
  if (
    json === undefined || eventType === undefined || typeof json.id !== "string" || !isObject(json.resource)
  ) {
    return undefined;
  }
  return { json, eventType, resource: json.resource };
}

function readTransmission(headers: Readonly<Record<string, string>>): Record<string, string> | undefined {
  const transmission: Record<string, string> = {};
  for (const [field, header] of Object.entries(TRANSMISSION_HEADERS)) {
    const value = headerValue(headers, header);
    if (value === undefined || value === "" || value.length > 2048) return undefined;
    transmission[field] = value;
  }
  return transmission;
}

/** `SUCCESS`, or why the event is not believed. */
async function verifySignature(
  endpoint: Endpoint,
  ctx: PspCallContext,
  transmission: Record<string, string>,
  event: Json,
): Promise<string> {
  const result = await callPayPal(endpoint, ctx, {
    method: "POST",
    path: "/v1/notifications/verify-webhook-signature",
    json: { ...transmission, webhook_id: endpoint.credentials.webhookId, webhook_event: event },
    keyed: false,
    operation: VERIFY_OPERATION,
  });
  const reading = readAnswer(result, "query", paypalRules({}));
  if (reading.kind === "decided") {
    const outcome = reading.outcome;
    return `PayPal could not verify the signature: ${
      outcome.kind === "unknown" ? outcome.detail : outcome.kind
    }`;
  }
  const status = reading.body.verification_status;
  return status === "SUCCESS" ? "SUCCESS" : "PayPal did not verify the event's signature for this webhook";
}

/** The core event a verified PayPal event tells, if it tells one clearly. */
function eventOf(event: WebhookEvent): NotificationEvent | undefined {
  const rule = eventRule(event.eventType);
  const resource = event.resource;
  switch (rule.kind) {
    case "acknowledge":
      return undefined;
    case "order_voided": {
      const unit = Array.isArray(resource.purchase_units) ? resource.purchase_units[0] : undefined;
      const reference = stringField(isObject(unit) ? unit : undefined, "custom_id");
      const orderId = event.eventType.startsWith("CHECKOUT.ORDER.")
        ? stringField(resource, "id")
        : stringField(resource, "order_id");
      if (reference === undefined || orderId === undefined) return undefined;
      const outcome: PspOutcome = {
        kind: "failed",
        code: rule.code,
        message: `PayPal ${event.eventType}`,
        pspReference: orderId,
      };
      return { operation: "pay", reference, outcome };
    }
    case "transaction":
      return transactionEvent(rule, resource);
  }
}

function transactionEvent(
  rule: Extract<ReturnType<typeof eventRule>, { kind: "transaction" }>,
  resource: Json,
): NotificationEvent | undefined {
  const transaction = readTransaction(resource);
  if (transaction === undefined) return undefined;
  const status = rule.rule(transaction.status);
  // The event type and the resource's own status must tell the same story; otherwise nothing is acted on.
  if (status.kind !== rule.expect) return undefined;
  const related = isObject(resource.supplementary_data) && isObject(resource.supplementary_data.related_ids)
    ? resource.supplementary_data.related_ids
    : undefined;
  const orderId = stringField(related, "order_id");
  let operation: NotificationEvent["operation"];
  let reference: string | undefined;
  let pspReference: string | undefined;
  if (rule.resource === "refund") {
    [operation, reference, pspReference] = [
      "refund",
      transaction.invoiceId ?? transaction.customId,
      transaction.id,
    ];
  } else if (rule.resource === "capture" && stringField(related, "authorization_id") !== undefined) {
    [operation, reference, pspReference] = ["capture", transaction.invoiceId, transaction.id];
  } else {
    // A sale's capture or an order's authorization: the payment's own result, named by the order id.
    [operation, reference, pspReference] = ["pay", transaction.customId ?? transaction.invoiceId, orderId];
  }
  if (reference === undefined || pspReference === undefined) return undefined;
  const outcome = transactionOutcome(transaction, status, pspReference, rule.resource);
  return outcome.kind === "unknown" ? undefined : { operation, reference, outcome };
}
