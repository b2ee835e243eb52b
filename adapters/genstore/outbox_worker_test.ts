import { deepStrictEqual as same, strictEqual as equal } from "node:assert/strict";
import { type Clock, DEFAULT_CALLBACK_POLICY, type OutboxStore } from "../../src/mod.ts";
import { aCallback } from "../../test/contract/_store_fixtures.ts";
import { enqueue } from "../../test/contract/_outbox_fixtures.ts";
import { openTestDatabase } from "../../test/support/databases.ts";
import { createJsonLogger } from "../logging/json_logger.ts";
import { createSqlOutboxStore } from "../store/sql_outbox_store.ts";
import { toMillis } from "../store/sql_client.ts";
import { type OutboxWorkerOptions, startOutboxWorker } from "./outbox_worker.ts";

/** A clock that stands still: the worker's sleeps end only when it is woken or stopped. */
function stoppedClock(at: number): Clock {
  return {
    now: () => at,
    sleep: (_ms, signal) =>
      new Promise((resolve) => {
        if (signal?.aborted) return resolve();
        signal?.addEventListener("abort", () => resolve(), { once: true });
      }),
  };
}

/** The store, counting its claims. */
function countingClaims(store: OutboxStore): { outbox: OutboxStore; readonly claims: number } {
  let claims = 0;
  return {
    outbox: {
      ...store,
      claimSendable(...args) {
        claims++;
        return store.claimSendable(...args);
      },
    },
    get claims() {
      return claims;
    },
  };
}

/** The worker over `outbox`, sending to `genstore` with a token every shop has, its clock standing at `at`. */
function workerFor(
  outbox: OutboxStore,
  genstore: Deno.HttpServer<Deno.NetAddr>,
  at: number,
  options: Pick<OutboxWorkerOptions, "rate" | "batchSize" | "lanes">,
) {
  return startOutboxWorker({
    outbox,
    accessToken: () => Promise.resolve("token"),
    apiBase: `http://127.0.0.1:${genstore.addr.port}/{shop}`,
    logger: createJsonLogger({ write: () => {} }),
    clock: stoppedClock(at),
    policy: DEFAULT_CALLBACK_POLICY,
    ...options,
  });
}

Deno.test("the outbox worker sleeps while a shop's callbacks wait for its rate limit, and spreads them", async () => {
  const db = await openTestDatabase();
  const received: string[] = [];
  const genstore = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    received.push(new URL(request.url).pathname);
    return new Response(null, { status: 204 });
  });
  try {
    const due = await enqueue(db, ...Array.from({ length: 12 }, (_, i) => aCallback({ paymentId: `p${i}` })));
    const counted = countingClaims(createSqlOutboxStore(db.client));
    const worker = workerFor(counted.outbox, genstore, due, {
      rate: { burst: 2, perSecond: 4 },
      batchSize: 5,
      lanes: 1,
    });
    for (let i = 0; i < 200 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Two passes: the first sends the burst; the second has no token left, sends nothing and goes to sleep
    // instead of claiming the shop's backlog again and again.
    equal(received.length, 2);
    equal(counted.claims, 2);
    await worker.stop();
    const pending = await db.client.query<{ next_attempt_at: unknown }>(
      "SELECT next_attempt_at FROM outbox WHERE status = 'pending' ORDER BY next_attempt_at",
    );
    // The ten held back are due one token apart (250 ms at 4/s), not all at once.
    const offsets = pending.map((row) => toMillis(row.next_attempt_at) - due);
    equal(offsets.filter((offset) => offset <= 0).length, 2);
    same(offsets.filter((offset) => offset > 0), [250, 250, 500, 500, 750, 750, 1000, 1250]);
  } finally {
    await genstore.shutdown();
    await db.close();
  }
});

Deno.test("the outbox worker claims again only when woken or after a full claim, and keeps a wake-up that came mid-pass", async () => {
  const db = await openTestDatabase();
  const received: string[] = [];
  let worker: ReturnType<typeof startOutboxWorker> | undefined;
  const genstore = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    received.push(new URL(request.url).pathname);
    // A callback queued while the worker's first pass is still sending: its wake-up comes mid-pass.
    if (received.length === 1) {
      await enqueue(db, aCallback({ paymentId: "queued-mid-pass" }));
      worker?.nudge();
    }
    return new Response(null, { status: 204 });
  });
  try {
    const due = await enqueue(db, ...["p0", "p1", "p2"].map((paymentId) => aCallback({ paymentId })));
    const counted = countingClaims(createSqlOutboxStore(db.client));
    worker = workerFor(counted.outbox, genstore, due, {
      rate: { burst: 40, perSecond: 2 },
      batchSize: 50,
      lanes: 1,
    });
    for (let i = 0; i < 200 && received.length < 4; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Pass one claims the three (a short claim: nothing else was due) and, woken during it, pass two claims
    // the one queued meanwhile. Then the worker sleeps: no third, empty claim. The clock stands still, so
    // no poll would have rescued a lost wake-up.
    equal(received.length, 4);
    equal(received.filter((path) => path.includes("queued-mid-pass")).length, 1);
    equal(counted.claims, 2);
    // Idle, a wake-up brings exactly one pass.
    await enqueue(db, aCallback({ paymentId: "queued-idle" }));
    worker.nudge();
    for (let i = 0; i < 200 && received.length < 5; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((resolve) => setTimeout(resolve, 300));
    equal(received.length, 5);
    equal(counted.claims, 3);
    await worker.stop();
  } finally {
    await genstore.shutdown();
    await db.close();
  }
});

Deno.test("a queued callback wakes one of the outbox worker's sleeping lanes, not all of them", async () => {
  const db = await openTestDatabase();
  const received: string[] = [];
  const genstore = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    received.push(new URL(request.url).pathname);
    return new Response(null, { status: 204 });
  });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
  try {
    const counted = countingClaims(createSqlOutboxStore(db.client));
    const worker = workerFor(counted.outbox, genstore, Date.now() + 60_000, {
      rate: { burst: 40, perSecond: 2 },
      lanes: 4,
    });
    await settle();
    equal(counted.claims, 4, "each lane's first pass found nothing; all four asleep now");
    await enqueue(db, aCallback({ paymentId: "one" }));
    worker.nudge();
    for (let i = 0; i < 200 && received.length < 1; i++) await new Promise((r) => setTimeout(r, 10));
    await settle();
    equal(received.length, 1);
    equal(counted.claims, 5, "one lane woke for the one callback");
    await worker.stop();
  } finally {
    await genstore.shutdown();
    await db.close();
  }
});
