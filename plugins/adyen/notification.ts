/**
 * Standard notifications (Adyen Webhooks v1): each item's HMAC signature is verified with the shop's key before
 * anything in it is believed, then AUTHORISATION, CAPTURE, CAPTURE_FAILED, CANCELLATION, REFUND and
 * REFUND_FAILED become core events. A successful AUTHORISATION that stored the card carries the token
 * (`tokenization.*` in its additionalData), so it reports the stored card too; RECURRING_CONTRACT says the same
 * about a token and is acknowledged without an event. Adyen expects the body `[accepted]` as acknowledgement.
 * @module
 */
import type {
  NotificationEvent,
  NotificationParse,
  PspCallContext,
  PspOutcome,
  RawNotification,
} from "../../src/plugin_api.ts";
import { readCredentials } from "./credentials.ts";
import { isObject, type Json, parseObject, safeText } from "../kit/mod.ts";
import { refusalCode } from "./status_map.ts";
import { readStoredCard } from "./stored_card.ts";

export const NOTIFICATION_ACKNOWLEDGEMENT = "[accepted]";

/** The fields of a NotificationRequestItem the plugin reads, after a shape check. */
export interface NotificationItem {
  readonly pspReference: string;
  readonly originalReference?: string;
  readonly merchantAccountCode: string;
  readonly merchantReference: string;
  readonly amount: { readonly value: number; readonly currency: string };
  readonly eventCode: string;
  readonly success: string;
  readonly reason?: string;
  readonly paymentMethod?: string;
  readonly hmacSignature?: string;
  /** The item's additionalData (signed fields aside, unverified until the signature is). */
  readonly additionalData?: Readonly<Record<string, unknown>>;
}

type EventRule = {
  readonly operation: NotificationEvent["operation"];
  /** The failure code when the event reports a failure; AUTHORISATION reads it from the refusal reason. */
  readonly failureCode: string | "by_refusal_reason";
  /** Events that only ever report a failure, whatever `success` says. */
  readonly alwaysFailure?: boolean;
};

const EVENT_RULES: Readonly<Record<string, EventRule>> = Object.freeze({
  AUTHORISATION: { operation: "pay", failureCode: "by_refusal_reason" },
  CAPTURE: { operation: "capture", failureCode: "capture_failed" },
  // The scheme rejected a capture that Adyen had first reported as successful.
  CAPTURE_FAILED: { operation: "capture", failureCode: "capture_failed", alwaysFailure: true },
  CANCELLATION: { operation: "void", failureCode: "void_failed" },
  REFUND: { operation: "refund", failureCode: "refund_failed" },
  REFUND_FAILED: { operation: "refund", failureCode: "refund_failed", alwaysFailure: true },
});

/**
 * The string Adyen signs for a standard notification item
 * (docs.adyen.com/development-resources/webhooks/secure-webhooks/verify-hmac-signatures): eight fields joined
 * with ":", an absent field written as the empty string.
 */
export function notificationSigningString(item: NotificationItem): string {
  return [
    item.pspReference,
    item.originalReference ?? "",
    item.merchantAccountCode,
    item.merchantReference,
    String(item.amount.value),
    item.amount.currency,
    item.eventCode,
    item.success,
  ].join(":");
}

/** Verifies one item; WebCrypto's HMAC verify compares in constant time. */
export async function verifyItemSignature(item: NotificationItem, hmacKeyHex: string): Promise<boolean> {
  if (item.hmacSignature === undefined) return false;
  const signature = base64ToBytes(item.hmacSignature);
  const keyBytes = hexToBytes(hmacKeyHex);
  if (signature === undefined || keyBytes === undefined) return false;
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, [
    "verify",
  ]);
  return await crypto.subtle.verify(
    "HMAC",
    key,
    signature,
    new TextEncoder().encode(notificationSigningString(item)),
  );
}

export async function parseNotification(
  raw: RawNotification,
  ctx: Pick<PspCallContext, "credentials">,
): Promise<NotificationParse> {
  const credentials = readCredentials(ctx.credentials);
  if (credentials === undefined) {
    return { kind: "rejected", reason: "the shop's Adyen credentials are not valid" };
  }
  const items = readItems(raw.body);
  if (items === undefined) return { kind: "rejected", reason: "not a standard notification with items" };
  const events: NotificationEvent[] = [];
  // Fail closed: one item that is unsigned, forged or for another merchant account rejects the whole batch,
  // so nothing in a tampered request is acted on.
  for (const item of items) {
    if (item.hmacSignature === undefined) return { kind: "rejected", reason: "an item is not signed" };
    if (!(await verifyItemSignature(item, credentials.hmacKeyHex))) {
      return { kind: "rejected", reason: "an item's HMAC signature does not verify" };
    }
    if (item.merchantAccountCode !== credentials.merchantAccount) {
      return { kind: "rejected", reason: "an item is for another merchant account" };
    }
    const event = toEvent(item);
    if (event !== undefined) events.push(event);
  }
  return { kind: "events", events, acknowledgement: NOTIFICATION_ACKNOWLEDGEMENT };
}

/** The merchant references of the items, unverified: only for finding the shop whose key verifies them. */
export function notificationReferences(raw: RawNotification): readonly string[] {
  const body = parseObject(raw.body);
  if (body === undefined || !Array.isArray(body.notificationItems)) return [];
  const references: string[] = [];
  for (const wrapper of body.notificationItems) {
    const item = isObject(wrapper) ? wrapper.NotificationRequestItem : undefined;
    if (isObject(item) && typeof item.merchantReference === "string" && item.merchantReference !== "") {
      if (!references.includes(item.merchantReference)) references.push(item.merchantReference);
    }
  }
  return references;
}

function toEvent(item: NotificationItem): NotificationEvent | undefined {
  if (!Object.hasOwn(EVENT_RULES, item.eventCode)) return undefined;
  const rule = EVENT_RULES[item.eventCode];
  const amount = { amountMinor: item.amount.value, currency: item.amount.currency };
  let outcome: PspOutcome;
  if (item.success === "true" && rule.alwaysFailure !== true) {
    const storedCard = item.eventCode === "AUTHORISATION"
      ? readStoredCard(item.additionalData, item.paymentMethod, {})
      : undefined;
    outcome = storedCard === undefined
      ? { kind: "succeeded", pspReference: item.pspReference, amount }
      : { kind: "succeeded", pspReference: item.pspReference, amount, storedCard };
  } else if (item.success === "false" || rule.alwaysFailure === true) {
    const reason = item.reason === undefined || item.reason === "" ? item.eventCode : safeText(item.reason);
    const code = rule.failureCode === "by_refusal_reason"
      ? refusalCode(undefined, item.reason)
      : rule.failureCode;
    outcome = { kind: "failed", code, message: reason, pspReference: item.pspReference };
  } else {
    outcome = {
      kind: "unknown",
      detail: "notification without a success flag",
      pspReference: item.pspReference,
    };
  }
  return { operation: rule.operation, reference: item.merchantReference, outcome };
}

function readItems(text: string): NotificationItem[] | undefined {
  const body = parseObject(text);
  if (body === undefined || !Array.isArray(body.notificationItems) || body.notificationItems.length === 0) {
    return undefined;
  }
  const items: NotificationItem[] = [];
  for (const wrapper of body.notificationItems) {
    const item = isObject(wrapper) ? readItem(wrapper.NotificationRequestItem) : undefined;
    if (item === undefined) return undefined;
    items.push(item);
  }
  return items;
}

function readItem(value: unknown): NotificationItem | undefined {
  if (!isObject(value)) return undefined;
  const strings = [
    "pspReference",
    "merchantAccountCode",
    "merchantReference",
    "eventCode",
    "success",
  ] as const;
  if (!strings.every((field) => typeof value[field] === "string")) return undefined;
  const amount = value.amount;
  if (!isObject(amount) || !Number.isSafeInteger(amount.value) || typeof amount.currency !== "string") {
    return undefined;
  }
  const optional = (field: string) => typeof value[field] === "string" ? value[field] as string : undefined;
  const additionalData = isObject(value.additionalData) ? value.additionalData as Json : {};
  return {
    pspReference: value.pspReference as string,
    originalReference: optional("originalReference"),
    merchantAccountCode: value.merchantAccountCode as string,
    merchantReference: value.merchantReference as string,
    amount: { value: amount.value as number, currency: amount.currency },
    eventCode: value.eventCode as string,
    success: value.success as string,
    reason: optional("reason"),
    paymentMethod: optional("paymentMethod"),
    hmacSignature: typeof additionalData.hmacSignature === "string"
      ? additionalData.hmacSignature
      : undefined,
    additionalData,
  };
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let index = 0; index < bytes.length; index++) {
    bytes[index] = parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  }
  return bytes;
}

function base64ToBytes(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    const binary = atob(text.trim());
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}
