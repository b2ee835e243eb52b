/**
 * Webhook events, signed as PayPal signs them (developer.paypal.com/api/rest/webhooks/rest, "Verify the
 * signature"): an RSA SHA-256 signature over `<transmission id>|<transmission time>|<webhook id>|<CRC32 of the
 * body>`, sent in `PAYPAL-TRANSMISSION-SIG` with `PAYPAL-TRANSMISSION-ID`, `-TIME`, `PAYPAL-CERT-URL` and
 * `PAYPAL-AUTH-ALGO: SHA256withRSA`. POST /v1/notifications/verify-webhook-signature answers `SUCCESS` only for
 * an event this emulator signed, for the caller's own webhook id, unchanged: the CRC is taken over the event
 * as the caller sends it back (JSON, as PayPal's verify call takes it), so a changed field fails.
 *
 * The key pair is made at start and kept in memory: an event signed before a restart no longer verifies,
 * as PayPal's would not after a certificate rotation. The cert URL serves the public key (PEM `PUBLIC KEY`,
 * not an X.509 certificate: nothing here fetches it).
 * @module
 */
import { createNotificationSender, type DeliveryRecord, jsonAnswer } from "../../kit/emulator/mod.ts";
import type { PayPalEmulatorApp } from "./accounts.ts";
import { errorAnswer, invalid, paypalError } from "./errors.ts";
import { eventId } from "./ids.ts";
import { timestamp } from "./render.ts";

type Json = Record<string, unknown>;

export const AUTH_ALGO = "SHA256withRSA";
export const CERT_ID = "CERT-360caa42-fca2a594-emulator";

/** A signed event as sent (or as it would be sent: an app without a webhook URL is sent nothing). */
export interface SignedEvent {
  readonly eventType: string;
  /** invoice_id and custom_id of the resource, for tests to find the event of an operation. */
  readonly references: readonly string[];
  readonly webhookId: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface EventMeta {
  readonly eventType: string;
  readonly references: readonly string[];
}

export type DeliveryView = DeliveryRecord<EventMeta>;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC32 (IEEE) of the UTF-8 bytes, as the unsigned decimal PayPal signs. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of new TextEncoder().encode(text)) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const ALGORITHM = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

export interface Webhooks {
  /** Builds, signs, logs and (when the app has a URL) sends an event about `resource`. */
  emit(app: PayPalEmulatorApp, eventType: string, resourceType: string, resource: Json): Promise<void>;
  /** Signs a body for a webhook id (tests forge with another app's id). */
  sign(body: string, webhookId: string): Promise<Record<string, string>>;
  verify(app: PayPalEmulatorApp, body: Json): Promise<Response>;
  webhook(app: PayPalEmulatorApp, webhookId: string): Response;
  certificate(certId: string): Promise<Response>;
  signed(): SignedEvent[];
  deliveries(): DeliveryRecord<EventMeta>[];
  idle(): Promise<void>;
  close(): void;
}

export interface WebhookOptions {
  readonly publicUrl: string;
  readonly firstDelayMs: number;
  readonly retryBaseMs: number;
  readonly maxAttempts?: number;
  readonly now: () => number;
}

export function createWebhooks(options: WebhookOptions): Webhooks {
  const keys = crypto.subtle.generateKey(
    { ...ALGORITHM, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ["sign", "verify"],
  ) as Promise<CryptoKeyPair>;
  const sender = createNotificationSender<EventMeta>({
    firstDelayMs: options.firstDelayMs,
    retryBaseMs: options.retryBaseMs,
    maxAttempts: options.maxAttempts,
    attemptTimeoutMs: 5_000,
  });
  const log: SignedEvent[] = [];
  const certUrl = `${options.publicUrl}/v1/notifications/certs/${CERT_ID}`;

  async function sign(body: string, webhookId: string): Promise<Record<string, string>> {
    const { privateKey } = await keys;
    const time = timestamp(options.now());
    // PayPal's own document wants a transmission signature that starts with a word character
    // (verify_webhook_signature.transmission_sig: `^(?!\d+$)\w+\S+`): another transmission id gives another one.
    for (;;) {
      const id = crypto.randomUUID();
      const message = `${id}|${time}|${webhookId}|${crc32(body)}`;
      const signature = new Uint8Array(
        await crypto.subtle.sign(ALGORITHM, privateKey, new TextEncoder().encode(message)),
      );
      const encoded = btoa(String.fromCharCode(...signature));
      if (!/^\w/.test(encoded)) continue;
      return {
        "PAYPAL-TRANSMISSION-ID": id,
        "PAYPAL-TRANSMISSION-TIME": time,
        "PAYPAL-TRANSMISSION-SIG": encoded,
        "PAYPAL-CERT-URL": certUrl,
        "PAYPAL-AUTH-ALGO": AUTH_ALGO,
        "PAYPAL-AUTH-VERSION": "v2",
      };
    }
  }

  async function emitEvent(app: PayPalEmulatorApp, eventType: string, resourceType: string, resource: Json) {
    const id = eventId();
    const event = {
      id,
      event_version: "1.0",
      create_time: timestamp(options.now()),
      resource_type: resourceType,
      resource_version: "2.0",
      event_type: eventType,
      summary: summaryOf(eventType),
      resource,
      links: [
        { href: `${options.publicUrl}/v1/notifications/webhooks-events/${id}`, rel: "self", method: "GET" },
        {
          href: `${options.publicUrl}/v1/notifications/webhooks-events/${id}/resend`,
          rel: "resend",
          method: "POST",
        },
      ],
    };
    const body = JSON.stringify(event);
    const headers = await sign(body, app.webhookId);
    const references = referencesOf(resource);
    log.push({ eventType, references, webhookId: app.webhookId, body, headers });
    if (app.webhookUrl !== undefined) {
      sender.send(app.webhookUrl, { eventType, references }, () => ({
        body,
        headers: { ...headers, "content-type": "application/json" },
      }));
    }
  }

  return {
    async emit(app, eventType, resourceType, resource) {
      try {
        await emitEvent(app, eventType, resourceType, resource);
      } catch (error) {
        // Called after a commit, where nothing may throw: a lost event is what the gateway copes with anyway.
        console.error("paypal-emulator.webhook_failed", error instanceof Error ? error.name : "unknown");
      }
    },
    sign,
    async verify(app, body) {
      const fields = [
        "auth_algo",
        "cert_url",
        "transmission_id",
        "transmission_sig",
        "transmission_time",
        "webhook_id",
      ];
      for (const field of fields) {
        if (typeof body[field] !== "string" || body[field] === "") {
          return errorAnswer(invalid("webhooks", "MISSING_REQUIRED_PARAMETER", `/${field}`));
        }
      }
      const event = body.webhook_event;
      if (event === null || typeof event !== "object" || Array.isArray(event)) {
        return errorAnswer(invalid("webhooks", "MISSING_REQUIRED_PARAMETER", "/webhook_event"));
      }
      if (body.webhook_id !== app.webhookId) {
        return errorAnswer(
          paypalError(404, "webhooks", [{ issue: "INVALID_RESOURCE_ID", field: "/webhook_id" }]),
        );
      }
      const verified = body.auth_algo === AUTH_ALGO && body.cert_url === certUrl &&
        await checkSignature(await keys, body, JSON.stringify(event));
      return jsonAnswer(200, { verification_status: verified ? "SUCCESS" : "FAILURE" });
    },
    webhook(app, webhookId) {
      if (webhookId !== app.webhookId) {
        return errorAnswer(
          paypalError(404, "webhooks", [{ issue: "INVALID_RESOURCE_ID", location: "path" }]),
        );
      }
      const self = `${options.publicUrl}/v1/notifications/webhooks/${webhookId}`;
      return jsonAnswer(200, {
        id: webhookId,
        url: app.webhookUrl ?? "https://gateway.invalid/v1/notifications/paypal",
        event_types: [{ name: "*", description: "ALL" }],
        links: [
          { href: self, rel: "self", method: "GET" },
          { href: self, rel: "update", method: "PATCH" },
          { href: self, rel: "delete", method: "DELETE" },
        ],
      });
    },
    async certificate(certId) {
      if (certId !== CERT_ID) {
        return errorAnswer(paypalError(404, "webhooks", [{ issue: "INVALID_RESOURCE_ID" }]));
      }
      const spki = new Uint8Array(await crypto.subtle.exportKey("spki", (await keys).publicKey));
      const base64 = btoa(String.fromCharCode(...spki)).replace(/.{64}/g, "$&\n").trim();
      return new Response(`-----BEGIN PUBLIC KEY-----\n${base64}\n-----END PUBLIC KEY-----\n`, {
        headers: { "content-type": "application/x-pem-file" },
      });
    },
    signed: () => [...log],
    deliveries: () => sender.deliveries(),
    idle: () => sender.idle(),
    close: () => sender.close(),
  };
}

async function checkSignature(keys: CryptoKeyPair, body: Json, eventText: string): Promise<boolean> {
  let signature: Uint8Array<ArrayBuffer>;
  try {
    signature = Uint8Array.from(atob(String(body.transmission_sig)), (char) => char.charCodeAt(0));
  } catch {
    return false;
  }
  const message = `${body.transmission_id}|${body.transmission_time}|${body.webhook_id}|${crc32(eventText)}`;
  return await crypto.subtle.verify(ALGORITHM, keys.publicKey, signature, new TextEncoder().encode(message));
}

function referencesOf(resource: Json): string[] {
  const carriers = [resource, ...(Array.isArray(resource.purchase_units) ? resource.purchase_units : [])];
  const references: string[] = [];
  for (const carrier of carriers) {
    for (const field of ["invoice_id", "custom_id"]) {
      const value = (carrier as Json)[field];
      if (typeof value === "string" && !references.includes(value)) references.push(value);
    }
  }
  return references;
}

const SUMMARIES: Readonly<Record<string, string>> = {
  "CHECKOUT.ORDER.APPROVED": "An order has been approved by buyer",
  "CHECKOUT.ORDER.VOIDED": "An order has been voided",
  "PAYMENT.AUTHORIZATION.CREATED": "A payment authorization was created",
  "PAYMENT.AUTHORIZATION.VOIDED": "A payment authorization was voided",
  "PAYMENT.CAPTURE.COMPLETED": "Payment completed",
  "PAYMENT.CAPTURE.DECLINED": "A payment capture was declined",
  "PAYMENT.CAPTURE.REFUNDED": "A capture payment was refunded",
  "PAYMENT.REFUND.PENDING": "A refund is pending",
};

function summaryOf(eventType: string): string {
  return SUMMARIES[eventType] ?? eventType;
}
