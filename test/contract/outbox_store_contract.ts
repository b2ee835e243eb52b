import assert from "node:assert/strict";
import type { CallbackMessage, OutboxEntry, OutboxStore } from "../../src/mod.ts";
import { createSqlOutboxStore } from "../../adapters/store/sql_outbox_store.ts";
import { createSqlPaymentStore } from "../../adapters/store/sql_payment_store.ts";
import { toMillis } from "../../adapters/store/sql_client.ts";
import type { TestDatabase } from "../support/databases.ts";
import { aCallback, contractTest, rawRows, withClients } from "./_store_fixtures.ts";

const LEASE = 30_000;

/** Queues callbacks, each in its own transaction (as the services do), and returns a time they are all due. */
async function enqueue(db: TestDatabase, ...messages: CallbackMessage[]): Promise<number> {
  const store = createSqlPaymentStore(db.client);
  for (const message of messages) await store.transaction((tx) => tx.enqueueCallback("shop-a", message));
  // next_attempt_at defaults to the database's now(); a second of margin covers the clock read.
  return Date.now() + 1_000;
}

function targets(entries: readonly OutboxEntry[]): string[] {
  return entries.map((entry) => entry.message.targetId);
}

async function outboxRow(db: TestDatabase, entry: OutboxEntry) {
  const [row] = await rawRows(
    db,
    `SELECT status, attempts, claimed_until, last_status, last_error, next_attempt_at, delivered_at
     FROM outbox WHERE shop = $1 AND seq = $2`,
    [entry.shop, entry.seq],
  );
  const time = (value: unknown) => value === null ? null : toMillis(value);
  return {
    status: row.status,
    attempts: Number(row.attempts),
    claimedUntil: time(row.claimed_until),
    lastStatus: row.last_status === null ? null : Number(row.last_status),
    lastError: row.last_error,
    nextAttemptAt: time(row.next_attempt_at),
    deliveredAt: time(row.delivered_at),
  };
}

async function attemptRows(db: TestDatabase, entry: OutboxEntry) {
  const rows = await rawRows(
    db,
    `SELECT attempt, at, http_status, error, duration_ms FROM callback_attempts
     WHERE shop = $1 AND seq = $2 ORDER BY attempt`,
    [entry.shop, entry.seq],
  );
  return rows.map((row) => ({
    attempt: Number(row.attempt),
    at: toMillis(row.at),
    httpStatus: row.http_status === null ? null : Number(row.http_status),
    error: row.error,
    durationMs: Number(row.duration_ms),
  }));
}

async function claimOne(outbox: OutboxStore, now: number, targetId: string): Promise<OutboxEntry> {
  const entry = (await outbox.claimDue(now, LEASE, 10)).find((e) => e.message.targetId === targetId);
  assert.ok(entry, `${targetId} is claimable at ${now}`);
  return entry;
}

export function runOutboxContract(): void {
  contractTest("claimDue() claims an entry once until its lease ends", async (db) => {
    const outbox = createSqlOutboxStore(db.client);
    const before = Date.now();
    const message = aCallback({ card: { token: "tok", last4: "4242" }, error: undefined, extension: "card" });
    const at = await enqueue(db, message);
    const [entry, ...others] = await outbox.claimDue(at, LEASE, 10);
    assert.deepEqual(others, []);
    assert.deepEqual(entry.message, JSON.parse(JSON.stringify(message)));
    assert.equal(entry.shop, "shop-a");
    assert.equal(entry.attempts, 0);
    assert.ok(entry.createdAt >= before - 1_000 && entry.createdAt <= at, `createdAt ${entry.createdAt}`);

    assert.deepEqual(await outbox.claimDue(at, LEASE, 10), []);
    assert.deepEqual(await outbox.claimDue(at + LEASE - 1, LEASE, 10), []);
    const reclaimed = await outbox.claimDue(at + LEASE, LEASE, 10);
    assert.deepEqual(reclaimed.map((e) => e.seq), [entry.seq]);
  });

  contractTest(
    "claimDue() skips entries whose next attempt is not due and respects the limit",
    async (db) => {
      const outbox = createSqlOutboxStore(db.client);
      const past = Date.now() - 60_000;
      const at = await enqueue(db, aCallback({ paymentId: "p-1" }), aCallback({ paymentId: "p-2" }));
      assert.deepEqual(await outbox.claimDue(past, LEASE, 10), [], "not due before it was queued");
      const first = await outbox.claimDue(at, LEASE, 1);
      assert.deepEqual(targets(first), ["p-1"]);
      await outbox.release(first[0], at + 10_000);
      assert.deepEqual(targets(await outbox.claimDue(at, LEASE, 10)), ["p-2"]);
      assert.deepEqual(await outbox.claimDue(at + 9_999, LEASE, 10), []);
      assert.deepEqual(targets(await outbox.claimDue(at + 10_000, LEASE, 10)), ["p-1"]);
    },
  );

  contractTest(
    "claimDue() holds a payment's later callback until the earlier one is delivered",
    async (db) => {
      const outbox = createSqlOutboxStore(db.client);
      const at = await enqueue(
        db,
        aCallback({ paymentId: "p-1" }),
        aCallback({ kind: "capture", targetId: "cap-1", paymentId: "p-1" }),
        aCallback({ paymentId: "p-2" }),
        aCallback({ kind: "refund", targetId: "ref-1", paymentId: "p-1" }),
      );
      assert.deepEqual(targets(await outbox.claimDue(at, LEASE, 10)), ["p-1", "p-2"]);
      const [payment] = await outbox.claimDue(at + LEASE, LEASE, 10);
      assert.equal(payment.message.targetId, "p-1", "still first once its lease ended");
      await outbox.recordAttempt(payment, { at: at + LEASE, httpStatus: 200, durationMs: 1 }, {
        kind: "delivered",
      });
      assert.deepEqual(targets(await outbox.claimDue(at + LEASE, LEASE, 10)), ["cap-1"]);
    },
  );

  contractTest("claimDue() holds a payment's later callback until the earlier one is dead", async (db) => {
    const outbox = createSqlOutboxStore(db.client);
    const at = await enqueue(
      db,
      aCallback({ paymentId: "p-1" }),
      aCallback({ kind: "void", targetId: "void-1", paymentId: "p-1" }),
    );
    const first = await claimOne(outbox, at, "p-1");
    await outbox.recordAttempt(first, { at, httpStatus: 500, durationMs: 1 }, {
      kind: "retry",
      at: at + 600_000,
    });
    assert.deepEqual(
      await outbox.claimDue(at + LEASE, LEASE, 10),
      [],
      "a retry not yet due holds the later one",
    );
    await outbox.recordAttempt({ ...first, attempts: 1 }, { at, httpStatus: 500, durationMs: 1 }, {
      kind: "dead",
    });
    assert.deepEqual(targets(await outbox.claimDue(at + LEASE, LEASE, 10)), ["void-1"]);
  });

  contractTest(
    "recordAttempt() stores the attempt and moves the entry to delivered, pending or dead",
    async (db) => {
      const outbox = createSqlOutboxStore(db.client);
      const at = await enqueue(db, ...["ok", "again", "gone"].map((paymentId) => aCallback({ paymentId })));
      const [ok, again, gone] = ["ok", "again", "gone"];
      const claimed = await outbox.claimDue(at, LEASE, 10);
      const entry = (target: string) => claimed.find((e) => e.message.targetId === target)!;
      const { nextAttemptAt: queuedAt } = await outboxRow(db, entry(ok));

      await outbox.recordAttempt(entry(ok), { at: at + 1, httpStatus: 204, durationMs: 12.4 }, {
        kind: "delivered",
      });
      await outbox.recordAttempt(entry(again), {
        at: at + 2,
        httpStatus: 503,
        error: "Unavailable",
        durationMs: 30,
      }, {
        kind: "retry",
        at: at + 60_000,
      });
      await outbox.recordAttempt(
        entry(gone),
        { at: at + 3, error: "Connection refused", durationMs: 5_000 },
        {
          kind: "dead",
        },
      );

      const common = { attempts: 1, claimedUntil: null };
      assert.deepEqual(await outboxRow(db, entry(ok)), {
        ...common,
        status: "delivered",
        lastStatus: 204,
        lastError: null,
        nextAttemptAt: queuedAt,
        deliveredAt: at + 1,
      });
      assert.deepEqual(await outboxRow(db, entry(again)), {
        ...common,
        status: "pending",
        lastStatus: 503,
        lastError: "Unavailable",
        nextAttemptAt: at + 60_000,
        deliveredAt: null,
      });
      const dead = await outboxRow(db, entry(gone));
      assert.deepEqual({ ...dead, nextAttemptAt: undefined }, {
        ...common,
        status: "dead",
        lastStatus: null,
        lastError: "Connection refused",
        nextAttemptAt: undefined,
        deliveredAt: null,
      });
      assert.deepEqual(await attemptRows(db, entry(ok)), [
        { attempt: 1, at: at + 1, httpStatus: 204, error: null, durationMs: 12 },
      ]);
      assert.deepEqual(await attemptRows(db, entry(gone)), [
        { attempt: 1, at: at + 3, httpStatus: null, error: "Connection refused", durationMs: 5_000 },
      ]);

      assert.deepEqual(await outbox.claimDue(at + 59_999, LEASE, 10), []);
      const retried = await claimOne(outbox, at + 60_000, again);
      assert.equal(retried.attempts, 1);
      await outbox.recordAttempt(retried, { at: at + 60_001, httpStatus: 200, durationMs: 7 }, {
        kind: "delivered",
      });
      assert.deepEqual(await attemptRows(db, retried), [
        { attempt: 1, at: at + 2, httpStatus: 503, error: "Unavailable", durationMs: 30 },
        { attempt: 2, at: at + 60_001, httpStatus: 200, error: null, durationMs: 7 },
      ]);
      assert.equal((await outboxRow(db, retried)).status, "delivered");
      assert.deepEqual(await outbox.claimDue(at + 3_600_000, LEASE, 10), [], "nothing left to deliver");
    },
  );

  contractTest("release() gives a claim back for a later time without counting an attempt", async (db) => {
    const outbox = createSqlOutboxStore(db.client);
    const at = await enqueue(db, aCallback({ paymentId: "p-1" }), aCallback({ paymentId: "p-2" }));
    const entry = await claimOne(outbox, at, "p-1");
    await outbox.release(entry, at + 5_000);
    const { status, attempts, claimedUntil, nextAttemptAt } = await outboxRow(db, entry);
    assert.deepEqual({ status, attempts, claimedUntil, nextAttemptAt }, {
      status: "pending",
      attempts: 0,
      claimedUntil: null,
      nextAttemptAt: at + 5_000,
    });
    assert.deepEqual(await attemptRows(db, entry), []);
    assert.deepEqual(await outbox.claimDue(at + 4_999, LEASE, 10), []);
    const again = await claimOne(outbox, at + 5_000, "p-1");
    assert.equal(again.attempts, 0);

    const other = await claimOne(outbox, at + LEASE, "p-2");
    await outbox.recordAttempt(other, { at, httpStatus: 200, durationMs: 1 }, { kind: "delivered" });
    const delivered = await outboxRow(db, other);
    await outbox.release(other, at + 99_000);
    assert.deepEqual(await outboxRow(db, other), delivered, "a delivered entry is not released");
  });

  contractTest("listDead() lists dead letters only, oldest first, up to the limit", async (db) => {
    const outbox = createSqlOutboxStore(db.client);
    const ids = ["dead-1", "delivered", "dead-2", "pending"];
    const at = await enqueue(db, ...ids.map((paymentId) => aCallback({ kind: "refund", paymentId })));
    const claimed = await outbox.claimDue(at, LEASE, 10);
    const entry = (target: string) => claimed.find((e) => e.message.targetId === target)!;
    await outbox.recordAttempt(entry("dead-1"), { at, httpStatus: 410, durationMs: 1 }, { kind: "dead" });
    await outbox.recordAttempt(entry("delivered"), { at, httpStatus: 200, durationMs: 1 }, {
      kind: "delivered",
    });
    await outbox.recordAttempt(entry("dead-2"), { at, error: "Timed out", durationMs: 1 }, { kind: "dead" });

    const dead = await outbox.listDead(10);
    assert.deepEqual(dead, [
      {
        shop: "shop-a",
        seq: entry("dead-1").seq,
        kind: "refund",
        targetId: "dead-1",
        attempts: 1,
        lastStatus: 410,
        lastError: undefined,
        createdAt: entry("dead-1").createdAt,
      },
      {
        shop: "shop-a",
        seq: entry("dead-2").seq,
        kind: "refund",
        targetId: "dead-2",
        attempts: 1,
        lastStatus: undefined,
        lastError: "Timed out",
        createdAt: entry("dead-2").createdAt,
      },
    ]);
    assert.deepEqual((await outbox.listDead(1)).map((letter) => letter.targetId), ["dead-1"]);
  });

  contractTest("redrive() puts a dead letter back in the queue, due now", async (db) => {
    const outbox = createSqlOutboxStore(db.client);
    const at = await enqueue(db, aCallback({ paymentId: "p-1" }));
    const entry = await claimOne(outbox, at, "p-1");
    await outbox.recordAttempt(entry, { at, httpStatus: 500, durationMs: 1 }, { kind: "dead" });
    const later = at + 3_600_000;
    assert.equal(await outbox.redrive("shop-b", entry.seq, later), false, "another shop's seq");
    assert.equal(await outbox.redrive("shop-a", entry.seq + 1_000, later), false, "an unknown seq");
    assert.equal(await outbox.redrive("shop-a", entry.seq, later), true);
    assert.deepEqual(await outbox.listDead(10), []);
    assert.equal(await outbox.redrive("shop-a", entry.seq, later), false, "no longer dead");
    assert.deepEqual(await outbox.claimDue(later - 1, LEASE, 10), []);
    const redriven = await claimOne(outbox, later, "p-1");
    assert.equal(redriven.attempts, 1);
    assert.equal((await outboxRow(db, redriven)).status, "pending");
  });

  contractTest("claimDue() never gives one entry to two concurrent claimers", async (db) => {
    const messages = Array.from({ length: 60 }, (_, i) => aCallback({ paymentId: `p-${i}` }));
    const at = await enqueue(db, ...messages);
    const claimed = await withClients(db, 4, (clients) =>
      Promise.all(clients.map(async (client) => {
        const outbox = createSqlOutboxStore(client);
        const mine: number[] = [];
        for (let round = 0; round < 60; round++) {
          const batch = await outbox.claimDue(at, LEASE, 3);
          if (batch.length === 0) break;
          mine.push(...batch.map((entry) => entry.seq));
        }
        return mine;
      })));
    const all = claimed.flat();
    assert.equal(new Set(all).size, all.length, `no entry claimed twice: ${JSON.stringify(claimed)}`);
    assert.equal(all.length, messages.length);
  }, { postgresOnly: true });
}
