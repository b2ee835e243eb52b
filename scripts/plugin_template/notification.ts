/**
 * Skeleton Pay notifications: one event per request, signed with the shop's webhook secret. The signature is
 * verified over the raw body, in constant time, before anything in the body is read; a notification that is
 * unsigned, forged or changed is rejected, never trusted. A verified event carries a Payment or Modification
 * object, translated exactly like an answer.
 * @module
 */
import type {
  NotificationEvent,
  NotificationParse,
  PspCallContext,
  RawNotification,
} from "../../src/plugin_api.ts";
import { modificationOutcome, paymentOutcome } from "./answers.ts";
import { webhookSecretOf } from "./credentials.ts";
import { isObject, parseObject } from "./http_answer.ts";
import { eventOperation } from "./status_map.ts";

// TODO(skeleton-pay): your PSP's signature scheme (header, algorithm, what is signed, encoding) and the
// acknowledgement body it expects. If it signs a timestamp, also refuse stale ones.
/** `X-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the webhook secret>`. */
export const SIGNATURE_HEADER = "x-signature";
const SIGNATURE_PATTERN = /^sha256=([0-9a-f]{64})$/i;
/** What the gateway answers (HTTP 200) to a notification it accepted; the PSP stops resending it. */
export const NOTIFICATION_ACKNOWLEDGEMENT = "ok";

/** Whether the raw body carries the shop's signature. WebCrypto's HMAC verify compares in constant time. */
export async function verifySignature(raw: RawNotification, secret: string): Promise<boolean> {
  const header = headerValue(raw.headers, SIGNATURE_HEADER);
  const match = header === undefined ? null : SIGNATURE_PATTERN.exec(header.trim());
  if (match === null) return false;
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "verify",
    ],
  );
  return await crypto.subtle.verify("HMAC", key, hexToBytes(match[1]), encoder.encode(raw.body));
}

export async function parseNotification(
  raw: RawNotification,
  ctx: Pick<PspCallContext, "credentials">,
): Promise<NotificationParse> {
  try {
    return await parse(raw, ctx.credentials);
  } catch {
    // Fail closed: whatever went wrong, nothing in this notification is believed.
    return { kind: "rejected", reason: "the notification could not be read" };
  }
}

async function parse(
  raw: RawNotification,
  credentials: Readonly<Record<string, unknown>>,
): Promise<NotificationParse> {
  const secret = webhookSecretOf(credentials);
  if (secret === undefined) {
    return { kind: "rejected", reason: "the shop's Skeleton Pay credentials are not valid" };
  }
  if (headerValue(raw.headers, SIGNATURE_HEADER) === undefined) {
    return { kind: "rejected", reason: "the notification is not signed" };
  }
  if (!(await verifySignature(raw, secret))) {
    return { kind: "rejected", reason: "the notification's signature does not verify" };
  }
  const body = parseObject(raw.body);
  if (body === undefined || typeof body.type !== "string" || !isObject(body.data)) {
    return { kind: "rejected", reason: "the notification is not an event with data" };
  }
  const operation = eventOperation(body.type);
  // A genuine event of a type the plugin does not act on is acknowledged, so the PSP stops resending it.
  if (operation === undefined) {
    return { kind: "events", events: [], acknowledgement: NOTIFICATION_ACKNOWLEDGEMENT };
  }
  const reference = body.data.reference;
  if (typeof reference !== "string" || reference === "") {
    return { kind: "rejected", reason: "the event names no reference" };
  }
  const event: NotificationEvent = {
    operation,
    reference,
    outcome: operation === "pay" ? paymentOutcome(body.data) : modificationOutcome(body.data, operation),
  };
  return { kind: "events", events: [event], acknowledgement: NOTIFICATION_ACKNOWLEDGEMENT };
}

/** The reference the event names (unverified): only for finding the shop whose secret verifies it. */
export function notificationReferences(raw: RawNotification): readonly string[] {
  const data = parseObject(raw.body)?.data;
  const reference = isObject(data) ? data.reference : undefined;
  return typeof reference === "string" && reference !== "" ? [reference] : [];
}

function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let index = 0; index < bytes.length; index++) {
    bytes[index] = parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  }
  return bytes;
}
