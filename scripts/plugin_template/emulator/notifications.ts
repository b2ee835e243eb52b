/**
 * Notifications as the template API sends them: one event per request, `{id, type, created, data}`, signed
 * with the account's webhook secret in `X-Signature: sha256=<hex HMAC-SHA256 of the body>`. Every event is
 * kept for inspection; when the account has a webhook URL it is also delivered there, retried with doubling
 * delays until the receiver answers 2xx.
 * @module
 */

/** A signed notification, as sent (or as it would have been sent, without a webhook URL). */
export interface EmulatorNotification {
  readonly type: string;
  /** The reference of the payment or modification the event is about. */
  readonly reference: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface NotifierOptions {
  /** Delay before the first delivery attempt (default 50 ms). */
  readonly delayMs?: number;
  /** Delay before the first retry; it doubles for each further one (default 200 ms). */
  readonly retryBaseMs?: number;
  /** Delivery attempts, the first included (default 5). */
  readonly maxAttempts?: number;
  readonly now: () => number;
}

export interface Notifier {
  send(
    account: { webhookSecret: string; webhookUrl?: string },
    type: string,
    data: Record<string, unknown>,
  ): void;
  sent(): readonly EmulatorNotification[];
  /** Stops deliveries and waits for the events being signed. */
  close(): Promise<void>;
}

/** The signature header value for a body: `sha256=` and the lower-case hex HMAC-SHA256. */
export async function signBody(body: string, secret: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "sign",
    ],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(body)));
  return `sha256=${Array.from(mac, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

export function createNotifier(options: NotifierOptions): Notifier {
  const sent: EmulatorNotification[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const inFlight = new Set<AbortController>();
  const signing = new Set<Promise<void>>();
  let counter = 0;
  let closed = false;

  function schedule(delayMs: number, task: () => Promise<void>): void {
    if (closed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      void task();
    }, delayMs);
    timers.add(timer);
  }

  async function deliver(url: string, notification: EmulatorNotification, attempt: number): Promise<void> {
    if (closed) return;
    const controller = new AbortController();
    inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(), 5_000);
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: notification.headers,
        body: notification.body,
        signal: controller.signal,
      });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // A refused connection or a timeout is retried like an error status.
    } finally {
      clearTimeout(timeout);
      inFlight.delete(controller);
    }
    if (attempt < (options.maxAttempts ?? 5)) {
      schedule(
        (options.retryBaseMs ?? 200) * 2 ** (attempt - 1),
        () => deliver(url, notification, attempt + 1),
      );
    }
  }

  return {
    send(account, type, data) {
      if (closed) return;
      counter++;
      const body = JSON.stringify({
        id: `evt_${String(counter).padStart(6, "0")}`,
        type,
        created: new Date(options.now()).toISOString(),
        data,
      });
      const work = signBody(body, account.webhookSecret).then((signature) => {
        const notification: EmulatorNotification = {
          type,
          reference: String(data.reference),
          headers: { "content-type": "application/json", "x-signature": signature },
          body,
        };
        sent.push(notification);
        const url = account.webhookUrl;
        if (url !== undefined) schedule(options.delayMs ?? 50, () => deliver(url, notification, 1));
      });
      signing.add(work);
      void work.finally(() => signing.delete(work));
    },
    sent: () => [...sent],
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const controller of inFlight) controller.abort();
      inFlight.clear();
      await Promise.allSettled([...signing]);
    },
  };
}
