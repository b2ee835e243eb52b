import assert from "node:assert/strict";
import { createSqlOutboxStore } from "../../adapters/store/sql_outbox_store.ts";
import { aCallback, contractTest } from "./_store_fixtures.ts";
import { attemptRows, claimOne, enqueue, LEASE, outboxRow } from "./_outbox_fixtures.ts";

/** What happens after a claim: attempts, releases, dead letters and redrives. */
export function runOutboxDeliveryContract(): void {
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
      assert.deepStrictEqual(await outboxRow(db, entry(ok)), {
        ...common,
        status: "delivered",
        lastStatus: 204,
        lastError: null,
        nextAttemptAt: queuedAt,
        deliveredAt: at + 1,
      });
      assert.deepStrictEqual(await outboxRow(db, entry(again)), {
        ...common,
        status: "pending",
        lastStatus: 503,
        lastError: "Unavailable",
        nextAttemptAt: at + 60_000,
        deliveredAt: null,
      });
      const dead = await outboxRow(db, entry(gone));
      assert.deepStrictEqual({ ...dead, nextAttemptAt: undefined }, {
        ...common,
        status: "dead",
        lastStatus: null,
        lastError: "Connection refused",
        nextAttemptAt: undefined,
        deliveredAt: null,
      });
      assert.deepStrictEqual(await attemptRows(db, entry(ok)), [
        { attempt: 1, at: at + 1, httpStatus: 204, error: null, durationMs: 12 },
      ]);
      assert.deepStrictEqual(await attemptRows(db, entry(gone)), [
        { attempt: 1, at: at + 3, httpStatus: null, error: "Connection refused", durationMs: 5_000 },
      ]);

      assert.deepStrictEqual(await outbox.claimDue(at + 59_999, LEASE, 10), []);
      const retried = await claimOne(outbox, at + 60_000, again);
      assert.strictEqual(retried.attempts, 1);
      await outbox.recordAttempt(retried, { at: at + 60_001, httpStatus: 200, durationMs: 7 }, {
        kind: "delivered",
      });
      assert.deepStrictEqual(await attemptRows(db, retried), [
        { attempt: 1, at: at + 2, httpStatus: 503, error: "Unavailable", durationMs: 30 },
        { attempt: 2, at: at + 60_001, httpStatus: 200, error: null, durationMs: 7 },
      ]);
      assert.strictEqual((await outboxRow(db, retried)).status, "delivered");
      assert.deepStrictEqual(await outbox.claimDue(at + 3_600_000, LEASE, 10), [], "nothing left to deliver");
    },
  );

  contractTest("release() gives a claim back for a later time without counting an attempt", async (db) => {
    const outbox = createSqlOutboxStore(db.client);
    const at = await enqueue(db, aCallback({ paymentId: "p-1" }), aCallback({ paymentId: "p-2" }));
    const entry = await claimOne(outbox, at, "p-1");
    await outbox.release([{ entry, at: at + 5_000 }]);
    const { status, attempts, claimedUntil, nextAttemptAt } = await outboxRow(db, entry);
    assert.deepStrictEqual({ status, attempts, claimedUntil, nextAttemptAt }, {
      status: "pending",
      attempts: 0,
      claimedUntil: null,
      nextAttemptAt: at + 5_000,
    });
    assert.deepStrictEqual(await attemptRows(db, entry), []);
    assert.deepStrictEqual(await outbox.claimDue(at + 4_999, LEASE, 10), []);
    const again = await claimOne(outbox, at + 5_000, "p-1");
    assert.strictEqual(again.attempts, 0);

    const other = await claimOne(outbox, at + LEASE, "p-2");
    await outbox.recordAttempt(other, { at, httpStatus: 200, durationMs: 1 }, { kind: "delivered" });
    const delivered = await outboxRow(db, other);
    await outbox.release([{ entry: other, at: at + 99_000 }]);
    assert.deepStrictEqual(await outboxRow(db, other), delivered, "a delivered entry is not released");
  });

  contractTest(
    "release() gives several claims back in one call, each to its own time, and leaves a claim another worker holds",
    async (db) => {
      const outbox = createSqlOutboxStore(db.client);
      const at = await enqueue(
        db,
        aCallback({ paymentId: "p-1" }),
        aCallback({ paymentId: "p-2" }),
        aCallback({ paymentId: "p-3" }),
      );
      const [stale, first, second] = await outbox.claimDue(at, LEASE, 10);
      // The earliest claim's lease runs out and another worker claims it again: the first worker's stale claim
      // must not give the new holder's claim away.
      const [retaken] = await outbox.claimDue(at + LEASE, LEASE, 1);
      assert.strictEqual(retaken.seq, stale.seq, "the expired claim is claimed again");
      assert.notStrictEqual(retaken.claimToken, stale.claimToken);
      const heldByTheOther = await outboxRow(db, stale);
      await outbox.release([
        { entry: stale, at: at + 3_000 },
        { entry: first, at: at + 1_000 },
        { entry: second, at: at + 2_000 },
      ]);
      assert.deepStrictEqual(await outboxRow(db, stale), heldByTheOther, "the other worker's claim stands");
      assert.strictEqual(heldByTheOther.claimedUntil, at + 2 * LEASE);
      const rows = await Promise.all([first, second].map((entry) => outboxRow(db, entry)));
      assert.deepStrictEqual(rows.map((row) => [row.nextAttemptAt, row.claimedUntil]), [
        [at + 1_000, null],
        [at + 2_000, null],
      ]);
    },
  );

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
    assert.deepStrictEqual(dead, [
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
    assert.deepStrictEqual((await outbox.listDead(1)).map((letter) => letter.targetId), ["dead-1"]);
  });

  contractTest("redrive() puts a dead letter back in the queue, due now", async (db) => {
    const outbox = createSqlOutboxStore(db.client);
    const at = await enqueue(db, aCallback({ paymentId: "p-1" }));
    const entry = await claimOne(outbox, at, "p-1");
    await outbox.recordAttempt(entry, { at, httpStatus: 500, durationMs: 1 }, { kind: "dead" });
    const later = at + 3_600_000;
    assert.strictEqual(await outbox.redrive("shop-b", entry.seq, later), false, "another shop's seq");
    assert.strictEqual(await outbox.redrive("shop-a", entry.seq + 1_000, later), false, "an unknown seq");
    assert.strictEqual(await outbox.redrive("shop-a", entry.seq, later), true);
    assert.deepStrictEqual(await outbox.listDead(10), []);
    assert.strictEqual(await outbox.redrive("shop-a", entry.seq, later), false, "no longer dead");
    assert.deepStrictEqual(await outbox.claimDue(later - 1, LEASE, 10), []);
    const redriven = await claimOne(outbox, later, "p-1");
    assert.strictEqual(redriven.attempts, 1);
    assert.strictEqual((await outboxRow(db, redriven)).status, "pending");
  });

  contractTest("recordAttempt() of a claim whose lease ended does not undo a delivery", async (db, t) => {
    const outbox = createSqlOutboxStore(db.client);
    const at = await enqueue(db, aCallback());
    // Worker A's delivery outlives its lease; worker B claims the entry again and delivers it first.
    const [slow] = await outbox.claimDue(at, 1_000, 10);
    const [fast] = await outbox.claimDue(at + 1_000, LEASE, 10);
    assert.strictEqual(fast?.seq, slow.seq);
    await outbox.recordAttempt(fast, { at: at + 1_100, httpStatus: 200, durationMs: 5 }, {
      kind: "delivered",
    });
    await outbox.recordAttempt(slow, { at: at + 1_200, httpStatus: 503, durationMs: 1_200 }, {
      kind: "retry",
      at: at + 60_000,
    });
    await t.step("the entry stays delivered and is not sent again", async () => {
      assert.strictEqual((await outboxRow(db, fast)).status, "delivered");
      assert.deepStrictEqual(await outbox.claimDue(at + 60_000, LEASE, 10), []);
    });
    await t.step("both attempts are logged", async () => {
      const attempts = await attemptRows(db, fast);
      assert.deepStrictEqual(attempts.map((a) => a.httpStatus).sort(), [200, 503]);
    });
  });
}
