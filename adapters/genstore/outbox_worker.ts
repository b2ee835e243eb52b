import {
  type AttemptResult,
  type CallbackPolicy,
  type Clock,
  decideDelivery,
  type Failpoints,
  type Logger,
  type OutboxEntry,
  type OutboxStore,
  type RecordedAttempt,
} from "../../src/mod.ts";
import { ACCESS_TOKEN_HEADER, callbackPath, genstoreBase, renderCallback } from "./wire.ts";

export interface OutboxWorkerOptions {
  readonly outbox: OutboxStore;
  readonly accessToken: (shop: string) => Promise<string | undefined>;
  /** GENSTORE_API_BASE, with `{shop}` standing for the shop handle. */
  readonly apiBase: string;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly policy: CallbackPolicy;
  /** Per shop: a burst of `burst` requests, then `perSecond` (Genstore's token bucket: 40 and 2). */
  readonly rate: { readonly burst: number; readonly perSecond: number };
  readonly pollMs?: number;
  readonly batchSize?: number;
  /**
   * How many passes run at once: while one lane waits for Genstore's answers another claims and sends the
   * next batch (claims never overlap: SKIP LOCKED and the claim's lease). Default 4.
   */
  readonly lanes?: number;
  /** How long a claim lasts; a worker that dies mid-send loses its claim after this. */
  readonly leaseMs?: number;
  readonly requestTimeoutMs?: number;
  readonly random?: () => number;
  readonly failpoints?: Failpoints;
}

export interface OutboxWorker {
  /** Wakes the worker now (a callback was just queued). */
  nudge(): void;
  /** Runs one pass and resolves with how many callbacks it sent (not those the rate limit held back). */
  runOnce(): Promise<number>;
  /** Stops after the current pass; claims not attempted are released. */
  stop(): Promise<void>;
}

/**
 * Delivers the outbox to Genstore: `PUT {base}/api/202412/app/{kind}/{id}` with the shop's access token.
 * 2xx or 409 is delivered; network errors, timeouts, 408, 429 and 5xx are retried with backoff and
 * jitter until the policy gives up; any other answer dead-letters the callback at once.
 */
export function startOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const pollMs = options.pollMs ?? 200;
  const batchSize = options.batchSize ?? 50;
  const lanes = options.lanes ?? 4;
  const leaseMs = options.leaseMs ?? 30_000;
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const random = options.random ?? Math.random;
  let stopped = false;

  /** Sends one callback; the attempt is recorded with the rest of the pass (recordAttempts). */
  async function deliver(entry: OutboxEntry): Promise<RecordedAttempt> {
    const { shop, message } = entry;
    const token = await options.accessToken(shop);
    const url = genstoreBase(options.apiBase, shop) + callbackPath(message);
    const body = JSON.stringify(renderCallback(message));
    let result: AttemptResult;
    let detail: string | undefined;
    const started = options.clock.now();
    if (token === undefined) {
      result = { kind: "status", status: 401 };
      detail = "the shop has no Genstore access token";
    } else {
      try {
        const response = await fetch(url, {
          method: "PUT",
          headers: { "content-type": "application/json", [ACCESS_TOKEN_HEADER]: token },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.body?.cancel();
        result = { kind: "status", status: response.status };
        options.failpoints?.reach("after_callback_sent");
      } catch (error) {
        result = { kind: "network_error" };
        detail = error instanceof DOMException && error.name === "TimeoutError"
          ? "timed out"
          : "network error";
      }
    }
    const at = options.clock.now();
    const decision = decideDelivery(
      options.policy,
      result,
      entry.attempts + 1,
      entry.createdAt,
      at,
      random(),
    );
    const recorded: RecordedAttempt = {
      entry,
      attempt: {
        at,
        httpStatus: result.kind === "status" ? result.status : undefined,
        error: detail,
        durationMs: at - started,
      },
      decision,
    };
    const fields = {
      shop,
      seq: entry.seq,
      kind: message.kind,
      targetId: message.targetId,
      attempt: entry.attempts + 1,
      httpStatus: result.kind === "status" ? result.status : undefined,
      error: detail,
      durationMs: at - started,
      decision: decision.kind,
      nextAttemptInMs: decision.kind === "retry" ? decision.at - at : undefined,
    };
    if (decision.kind === "dead") options.logger.error("callback.dead_lettered", fields);
    else if (decision.kind === "retry") options.logger.warn("callback.retry_scheduled", fields);
    else options.logger.info("callback.delivered", fields);
    return recorded;
  }

  /**
   * One pass: claims what is due and sends what the rate limit allows. Resolves with how many were sent and
   * whether the claim came back full (more may be due).
   */
  async function pass(): Promise<{ sent: number; full: boolean }> {
    // What is due, within each shop's rate limit, in one round trip: the entries the shop's bucket cannot cover
    // are given back to the times it will have a token for each of them, in order, so a busy shop's backlog
    // is not claimed again on every pass.
    const { sendable: entries, due } = await options.outbox.claimSendable(
      options.clock.now(),
      leaseMs,
      batchSize,
      options.rate,
    );
    const full = due >= batchSize;
    // Stopped meanwhile: what this pass claimed goes back at once, in one round trip, and nothing is sent.
    if (stopped) {
      await options.outbox.release(entries.map((entry) => ({ entry, at: options.clock.now() })));
      return { sent: 0, full };
    }
    const attempts = await Promise.all(entries.map(async (entry): Promise<RecordedAttempt | undefined> => {
      try {
        return await deliver(entry);
      } catch (error) {
        options.logger.error("callback.worker_failed", {
          shop: entry.shop,
          seq: entry.seq,
          error: error instanceof Error ? error.message : "unknown",
        });
        return undefined;
      }
    }));
    // One transaction for the whole pass: attempts and their consequences together.
    await options.outbox.recordAttempts(attempts.filter((attempt) => attempt !== undefined));
    // Entries claimed but held back by the rate limit are not work done: the loop sleeps rather than spin.
    return { sent: entries.length, full };
  }

  async function runOnce(): Promise<number> {
    return (await pass()).sent;
  }

  /** The lanes asleep now, each with what ends its sleep. */
  const sleeping = new Map<number, AbortController>();
  /** A wake-up that found every lane busy: the next lane done with its pass passes again instead of sleeping. */
  let wokenWhileBusy = false;

  /**
   * One callback was queued: one lane's pass is enough, so one sleeping lane is woken (waking them all cost an
   * empty claim, a round trip and a transaction, for each other lane). With none asleep, the next lane done
   * passes again: the callback may have been queued after every lane's claim.
   */
  function wakeOne(): void {
    const first = sleeping.keys().next();
    if (first.done) {
      wokenWhileBusy = true;
      return;
    }
    sleeping.get(first.value)!.abort("nudged");
    sleeping.delete(first.value);
  }

  function wakeAll(): void {
    for (const timer of sleeping.values()) timer.abort("nudged");
    sleeping.clear();
  }

  /**
   * Lane 0 polls every `pollMs` for callbacks that became due (retries); the others sleep until a callback is
   * queued (nudge, in process or LISTEN/NOTIFY across processes) or a full claim says there is a backlog to
   * share: idle, the worker asks the database once per poll, not once per lane.
   */
  async function lane(index: number): Promise<void> {
    while (!stopped) {
      let again = false;
      try {
        const { sent, full } = await pass();
        // A full claim: more may be due, so this lane claims again at once and the sleeping lanes share the
        // rest. A short claim took everything due, and what is queued since wakes a lane: passing again
        // regardless cost an empty claim after nearly every pass.
        if (sent > 0 && full) {
          again = true;
          wakeAll();
        }
      } catch (error) {
        options.logger.error("callback.claim_failed", {
          error: error instanceof Error ? error.message : "unknown",
        });
      }
      if (!again && wokenWhileBusy) {
        wokenWhileBusy = false;
        again = true;
      }
      if (!again && !stopped) {
        const timer = new AbortController();
        sleeping.set(index, timer);
        await options.clock.sleep(index === 0 ? pollMs : pollMs * 25, timer.signal);
        sleeping.delete(index);
      }
    }
  }
  const loop = Promise.all(Array.from({ length: lanes }, (_, index) => lane(index)));

  return {
    nudge: wakeOne,
    runOnce,
    async stop() {
      stopped = true;
      wakeAll();
      await loop;
    },
  };
}
