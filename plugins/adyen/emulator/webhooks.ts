/**
 * Standard notifications as Adyen sends them: one NotificationRequestItem per request, signed with the
 * account's HMAC key, retried with a short bounded backoff until the receiver answers 2xx.
 * @module
 */

export interface NotificationAmount {
  readonly value: number;
  readonly currency: string;
}

export interface NotificationItem {
  readonly additionalData: Readonly<Record<string, string>>;
  readonly amount: NotificationAmount;
  readonly eventCode: string;
  readonly eventDate: string;
  readonly merchantAccountCode: string;
  readonly merchantReference: string;
  readonly originalReference?: string;
  /** RECURRING_CONTRACT only: the pspReference of the payment that created the token. */
  readonly originalPsp?: string;
  readonly paymentMethod?: string;
  readonly pspReference: string;
  readonly reason?: string;
  readonly success: "true" | "false";
  readonly operations?: readonly string[];
}

export type UnsignedItem = Omit<NotificationItem, "additionalData"> & {
  readonly additionalData?: Readonly<Record<string, string>>;
};

/** What the emulator sent, for tests. */
export interface DeliveryRecord {
  readonly eventCode: string;
  readonly pspReference: string;
  readonly originalReference?: string;
  readonly merchantReference: string;
  readonly success: "true" | "false";
  readonly url: string;
  attempts: number;
  delivered: boolean;
  /** True when the receiver answered the documented body `[accepted]`. */
  acknowledged: boolean;
}

export interface WebhookSenderOptions {
  readonly firstDelayMs: number;
  /** Delay before the first retry; it doubles for each further retry. */
  readonly retryBaseMs: number;
  readonly maxAttempts: number;
  /** How long one delivery attempt may take before it counts as failed. */
  readonly attemptTimeoutMs: number;
}

export interface WebhookSender {
  send(url: string, hmacKeyHex: string, item: UnsignedItem): void;
  deliveries(): readonly DeliveryRecord[];
  close(): void;
}

/**
 * The string Adyen signs for a standard notification item, per
 * docs.adyen.com/development-resources/webhooks/secure-webhooks/verify-hmac-signatures: eight fields joined
 * with ":", an absent field written as the empty string.
 */
export function signingString(item: UnsignedItem): string {
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

export async function signItem(item: UnsignedItem, hmacKeyHex: string): Promise<NotificationItem> {
  const key = await crypto.subtle.importKey(
    "raw",
    hexToBytes(hmacKeyHex),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(
    await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(signingString(item))),
  );
  const hmacSignature = btoa(String.fromCharCode(...mac));
  return { ...item, additionalData: { ...item.additionalData, hmacSignature } };
}

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const records: DeliveryRecord[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const inFlight = new Set<AbortController>();
  let closed = false;

  function schedule(delayMs: number, task: () => Promise<void>): void {
    if (closed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      void task();
    }, delayMs);
    timers.add(timer);
  }

  async function attempt(record: DeliveryRecord, body: string): Promise<void> {
    if (closed) return;
    record.attempts++;
    const controller = new AbortController();
    inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(), options.attemptTimeoutMs);
    try {
      const response = await fetch(record.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: controller.signal,
      });
      const text = await response.text();
      if (response.ok) {
        record.delivered = true;
        record.acknowledged = text.trim() === "[accepted]";
        return;
      }
    } catch {
      // A refused connection or a timeout is retried like an error status.
    } finally {
      clearTimeout(timeout);
      inFlight.delete(controller);
    }
    if (record.attempts < options.maxAttempts) {
      schedule(options.retryBaseMs * 2 ** (record.attempts - 1), () => attempt(record, body));
    }
  }

  return {
    send(url, hmacKeyHex, item) {
      if (closed) return;
      const record: DeliveryRecord = {
        eventCode: item.eventCode,
        pspReference: item.pspReference,
        originalReference: item.originalReference,
        merchantReference: item.merchantReference,
        success: item.success,
        url,
        attempts: 0,
        delivered: false,
        acknowledged: false,
      };
      records.push(record);
      schedule(options.firstDelayMs, async () => {
        const signed = await signItem(item, hmacKeyHex);
        const body = JSON.stringify({
          live: "false",
          notificationItems: [{ NotificationRequestItem: signed }],
        });
        await attempt(record, body);
      });
    },
    deliveries() {
      return records.map((record) => ({ ...record }));
    },
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const controller of inFlight) controller.abort();
      inFlight.clear();
    },
  };
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) throw new TypeError("HMAC key must be an even-length hex string");
  const bytes = new Uint8Array(hex.length / 2);
  for (let index = 0; index < bytes.length; index++) {
    bytes[index] = parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  }
  return bytes;
}
