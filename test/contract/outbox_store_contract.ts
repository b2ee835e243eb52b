import assert from "node:assert/strict";
import { createSqlOutboxStore } from "../../adapters/store/sql_outbox_store.ts";
import { aCallback, contractTest, withClients } from "./_store_fixtures.ts";
import { claimOne, enqueue, LEASE, targets } from "./_outbox_fixtures.ts";

/** Claims: due, leased, in order per payment, and exclusive across processes. */
export function runOutboxContract(): void {
  contractTest("claimDue() claims an entry once until its lease ends", async (db) => {
    const outbox = createSqlOutboxStore(db.client);
    const before = Date.now();
    const message = aCallback({ card: { token: "tok", last4: "4242" }, error: undefined, extension: "card" });
    const at = await enqueue(db, message);
    const [entry, ...others] = await outbox.claimDue(at, LEASE, 10);
    assert.deepStrictEqual(others, []);
    assert.deepStrictEqual(entry.message, JSON.parse(JSON.stringify(message)));
    assert.strictEqual(entry.shop, "shop-a");
    assert.strictEqual(entry.attempts, 0);
    assert.ok(entry.createdAt >= before - 1_000 && entry.createdAt <= at, `createdAt ${entry.createdAt}`);

    assert.deepStrictEqual(await outbox.claimDue(at, LEASE, 10), []);
    assert.deepStrictEqual(await outbox.claimDue(at + LEASE - 1, LEASE, 10), []);
    const reclaimed = await outbox.claimDue(at + LEASE, LEASE, 10);
    assert.deepStrictEqual(reclaimed.map((e) => e.seq), [entry.seq]);
  });

  contractTest(
    "claimDue() skips entries whose next attempt is not due and respects the limit",
    async (db) => {
      const outbox = createSqlOutboxStore(db.client);
      const past = Date.now() - 60_000;
      const at = await enqueue(db, aCallback({ paymentId: "p-1" }), aCallback({ paymentId: "p-2" }));
      assert.deepStrictEqual(await outbox.claimDue(past, LEASE, 10), [], "not due before it was queued");
      const first = await outbox.claimDue(at, LEASE, 1);
      assert.deepStrictEqual(targets(first), ["p-1"]);
      await outbox.release([{ entry: first[0], at: at + 10_000 }]);
      assert.deepStrictEqual(targets(await outbox.claimDue(at, LEASE, 10)), ["p-2"]);
      assert.deepStrictEqual(await outbox.claimDue(at + 9_999, LEASE, 10), []);
      assert.deepStrictEqual(targets(await outbox.claimDue(at + 10_000, LEASE, 10)), ["p-1"]);
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
      assert.deepStrictEqual(targets(await outbox.claimDue(at, LEASE, 10)), ["p-1", "p-2"]);
      const [payment] = await outbox.claimDue(at + LEASE, LEASE, 10);
      assert.strictEqual(payment.message.targetId, "p-1", "still first once its lease ended");
      await outbox.recordAttempt(payment, { at: at + LEASE, httpStatus: 200, durationMs: 1 }, {
        kind: "delivered",
      });
      assert.deepStrictEqual(targets(await outbox.claimDue(at + LEASE, LEASE, 10)), ["cap-1"]);
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
    assert.deepStrictEqual(
      await outbox.claimDue(at + LEASE, LEASE, 10),
      [],
      "a retry not yet due holds the later one",
    );
    // The retry comes due, fails for good, and is dead-lettered: the later callback may go.
    const retried = await claimOne(outbox, at + 600_000, "p-1");
    await outbox.recordAttempt(retried, { at: at + 600_000, httpStatus: 500, durationMs: 1 }, {
      kind: "dead",
    });
    assert.deepStrictEqual(targets(await outbox.claimDue(at + 600_000, LEASE, 10)), ["void-1"]);
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
    assert.strictEqual(new Set(all).size, all.length, `no entry claimed twice: ${JSON.stringify(claimed)}`);
    assert.strictEqual(all.length, messages.length);
  }, { postgresOnly: true });
}
