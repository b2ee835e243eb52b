/**
 * Server notifications (webhooks) as PSPs send them: POSTed to a URL after a short delay, retried with
 * exponential backoff until the receiver answers 2xx, for a bounded number of attempts. The emulator signs
 * each notification its PSP's way (`prepare`); the sender records every delivery for tests and stops
 * everything on close. Deliveries are not state: a notification not yet delivered when the process ends is
 * lost, as the gateway must cope with anyway (it asks the PSP).
 * @module
 */

/** A notification ready to send: the body and headers its PSP would send. */
export interface PreparedNotification {
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What the sender did with one notification, for tests. */
export interface DeliveryRecord<M> {
  readonly url: string;
  /** What the emulator said the notification is about (event, references). */
  readonly meta: M;
  readonly attempts: number;
  readonly delivered: boolean;
  /** The status of the last answer, when there was one. */
  readonly lastStatus?: number;
  /** The start of the last answer's body (trimmed, at most 200 characters). */
  readonly answer?: string;
}

export interface NotificationSenderOptions {
  /** Delay before the first attempt (default 50 ms). */
  readonly firstDelayMs?: number;
  /** Delay before the first retry, doubled for each further one (default 200 ms). */
  readonly retryBaseMs?: number;
  /** The longest delay between two attempts (default 10000 ms). */
  readonly maxDelayMs?: number;
  /**
   * Attempts per notification, the first included (default 60: with the default delays, about nine minutes of
   * retries). Real PSPs retry for a day or more (Adyen up to 30 days, PayPal 3 days, Mollie 26 hours), so a
   * gateway that restarts still gets every notification; giving up after seconds would make the emulator lose
   * what the real PSP never loses.
   */
  readonly maxAttempts?: number;
  /** How long one attempt may take before it counts as failed (default 5000 ms). */
  readonly attemptTimeoutMs?: number;
}

export interface NotificationSender<M> {
  /** Queues a notification to `url`; `prepare` (signing) runs right before the first attempt. */
  send(url: string, meta: M, prepare: () => Promise<PreparedNotification> | PreparedNotification): void;
  /** Every notification queued, in order, with its delivery state. */
  deliveries(): DeliveryRecord<M>[];
  /** Resolves once no delivery is pending (each delivered or given up), or the sender closed. */
  idle(): Promise<void>;
  /** Cancels pending attempts and aborts those in flight; later sends are ignored. */
  close(): void;
}

interface MutableRecord<M> {
  url: string;
  meta: M;
  attempts: number;
  delivered: boolean;
  lastStatus?: number;
  answer?: string;
}

/** See `NotificationSenderOptions.maxAttempts`. */
export const DEFAULT_MAX_ATTEMPTS = 60;

export function createNotificationSender<M>(options: NotificationSenderOptions = {}): NotificationSender<M> {
  const firstDelayMs = options.firstDelayMs ?? 50;
  const retryBaseMs = options.retryBaseMs ?? 200;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 5_000;
  const records: MutableRecord<M>[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const inFlight = new Set<AbortController>();
  let pending = 0;
  let waiters: (() => void)[] = [];
  let closed = false;

  function settleOne(): void {
    pending--;
    if (pending === 0) wake();
  }

  function wake(): void {
    const woken = waiters;
    waiters = [];
    for (const resolve of woken) resolve();
  }

  function schedule(delayMs: number, task: () => Promise<void>): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      void task();
    }, delayMs);
    timers.add(timer);
  }

  async function attempt(record: MutableRecord<M>, prepared: PreparedNotification): Promise<void> {
    if (closed) return;
    record.attempts++;
    const controller = new AbortController();
    inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(), attemptTimeoutMs);
    try {
      const response = await fetch(record.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...prepared.headers },
        body: prepared.body,
        signal: controller.signal,
      });
      record.lastStatus = response.status;
      record.answer = (await response.text()).trim().slice(0, 200);
      if (response.ok) record.delivered = true;
    } catch {
      // A refused connection or a timeout is retried like an error status.
    } finally {
      clearTimeout(timeout);
      inFlight.delete(controller);
    }
    if (closed) return;
    if (record.delivered || record.attempts >= maxAttempts) return settleOne();
    const delay = Math.min(maxDelayMs, retryBaseMs * 2 ** (record.attempts - 1));
    schedule(delay, () => attempt(record, prepared));
  }

  return {
    send(url, meta, prepare) {
      if (closed) return;
      const record: MutableRecord<M> = { url, meta, attempts: 0, delivered: false };
      records.push(record);
      pending++;
      schedule(firstDelayMs, async () => {
        let prepared: PreparedNotification;
        try {
          prepared = await prepare();
        } catch (error) {
          console.error("emulator.notification_unprepared", error instanceof Error ? error.name : "unknown");
          return settleOne();
        }
        await attempt(record, prepared);
      });
    },
    deliveries() {
      return records.map((record) => ({ ...record }));
    },
    idle() {
      if (pending === 0 || closed) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const controller of inFlight) controller.abort();
      inFlight.clear();
      wake();
    },
  };
}
