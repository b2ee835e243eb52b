/**
 * Np Gbd5rszjn5 notifications: one event per request, signed with the shop's webhook secret. The signature is
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
import { headerValue, hmacSha256, isObject, parseObject, signaturesMatch, toHex } from "../kit/mod.ts";
import { modificationOutcome, paymentOutcome } from "./answers.ts";
import { webhookSecretOf } from "./credentials.ts";
import { eventOperation } from "./status_map.ts";

// TODO(np-gbd5rszjn5): your PSP's signature scheme (header, algorithm, what is signed, encoding) and the
// acknowledgement body it expects. If it signs a timestamp, also refuse stale ones.
/** `X-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the webhook secret>`. */
export const SIGNATURE_HEADER = "x-signature";
/** What the gateway answers (HTTP 200) to a notification it accepted; the PSP stops resending it. */
export const NOTIFICATION_ACKNOWLEDGEMENT = "ok";

/** The signature header's value for a body: also what the emulator sends. */
export async function signature(body: string, secret: string): Promise<string> {
  return `sha256=${toHex(await hmacSha256(secret, body))}`;
}

export async function parseNotification(
  raw: RawNotification,
  ctx: PspCallContext,
): Promise<NotificationParse> {
  try {
    return await parse(raw, ctx);
  } catch {
    // Fail closed: whatever went wrong, nothing in this notification is believed.
    return { kind: "rejected", reason: "the notification could not be read" };
  }
}

async function parse(raw: RawNotification, ctx: PspCallContext): Promise<NotificationParse> {
  const secret = webhookSecretOf(ctx.credentials, ctx.test);
  if (secret === undefined) {
    return { kind: "rejected", reason: "the shop's Np Gbd5rszjn5 credentials are not valid" };
  }
  const received = headerValue(raw.headers, SIGNATURE_HEADER);
  if (received === undefined) return { kind: "rejected", reason: "the notification is not signed" };
  if (!signaturesMatch(await signature(raw.body, secret), received.toLowerCase())) {
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
  const outcome = operation === "pay" ? paymentOutcome(body.data) : modificationOutcome(body.data, operation);
  const event: NotificationEvent = { operation, reference, outcome };
  return { kind: "events", events: [event], acknowledgement: NOTIFICATION_ACKNOWLEDGEMENT };
}

/** The reference the event names (unverified): only for finding the shop whose secret verifies it. */
export function notificationReferences(raw: RawNotification): readonly string[] {
  const data = parseObject(raw.body)?.data;
  const reference = isObject(data) ? data.reference : undefined;
  return typeof reference === "string" && reference !== "" ? [reference] : [];
}
