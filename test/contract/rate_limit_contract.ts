import assert from "node:assert/strict";
import type { OutboxEntry, OutboxStore, RateLimit } from "../../src/mod.ts";
import { createSqlOutboxStore } from "../../adapters/store/sql_outbox_store.ts";
import { createSqlPaymentStore } from "../../adapters/store/sql_payment_store.ts";
import type { TestDatabase } from "../support/databases.ts";
import { LEASE, outboxRow } from "./_outbox_fixtures.ts";
import { aCallback, contractTest, T0, withClients } from "./_store_fixtures.ts";

/** Asks one shop's bucket for `wanted` tokens; how many it got. */
async function takeFrom(outbox: OutboxStore, shop: string, now: number, rate: RateLimit, wanted: number) {
  const granted = await outbox.takeTokens(now, rate, new Map([[shop, wanted]]));
  assert.deepStrictEqual([...granted.keys()], [shop], "an answer for the shop asked about, and only for it");
  return granted.get(shop)!;
}

/** Takes `count` tokens one after the other and returns the answers. */
async function take(outbox: OutboxStore, shop: string, now: number, count: number, burst = 3, perSecond = 2) {
  const answers: boolean[] = [];
  for (let i = 0; i < count; i++) {
    answers.push(await takeFrom(outbox, shop, now, { burst, perSecond }, 1) === 1);
  }
  return answers;
}

/** Queues `count` callbacks for each shop (one payment each), each in its own transaction; when they are due. */
async function queue(db: TestDatabase, shops: readonly string[], count: number): Promise<number> {
  const store = createSqlPaymentStore(db.client);
  for (const shop of shops) {
    for (let i = 1; i <= count; i++) {
      await store.transaction((tx) => tx.enqueueCallback(shop, aCallback({ paymentId: `${shop}-p${i}` })));
    }
  }
  // next_attempt_at defaults to the database's now(); a second of margin covers the clock read.
  return Date.now() + 1_000;
}

const ids = (entries: readonly OutboxEntry[]) => entries.map((entry) => entry.message.targetId);

export function runRateLimitContract(): void {
  contractTest("takeTokens() grants part of a request when the bucket holds less", async (db) => {
    const outbox = createSqlOutboxStore(db.client);
    assert.strictEqual(await takeFrom(outbox, "shop-a", T0, { burst: 5, perSecond: 2 }, 3), 3);
    assert.strictEqual(await takeFrom(outbox, "shop-a", T0, { burst: 5, perSecond: 2 }, 3), 2);
    assert.strictEqual(await takeFrom(outbox, "shop-a", T0 + 999, { burst: 5, perSecond: 2 }, 3), 1);
    assert.strictEqual(
      await takeFrom(outbox, "shop-b", T0, { burst: 5, perSecond: 2 }, 9),
      5,
      "a new bucket is full",
    );
  });

  contractTest("takeTokens() serves several shops in one call, each from its own bucket", async (db) => {
    const outbox = createSqlOutboxStore(db.client);
    const rate = { burst: 4, perSecond: 1 };
    assert.strictEqual(await takeFrom(outbox, "shop-a", T0, rate, 3), 3);
    assert.strictEqual(await takeFrom(outbox, "shop-b", T0, rate, 4), 4);
    const granted = await outbox.takeTokens(
      T0 + 1_000,
      rate,
      new Map([["shop-a", 5], ["shop-b", 5], ["shop-c", 2], ["shop-d", 0]]),
    );
    // shop-a: 1 left + 1 refilled; shop-b: 0 + 1; shop-c: new, full; shop-d asked for nothing.
    assert.deepStrictEqual(
      Object.fromEntries(granted),
      { "shop-a": 2, "shop-b": 1, "shop-c": 2, "shop-d": 0 },
    );
    assert.deepStrictEqual(
      await take(outbox, "shop-a", T0 + 1_000, 1, 4, 1),
      [false],
      "shop-a's bucket is empty",
    );
    assert.deepStrictEqual(
      await take(outbox, "shop-c", T0 + 1_000, 3, 4, 1),
      [true, true, false],
      "shop-c kept the two it was not asked for",
    );
    assert.deepStrictEqual(
      await outbox.takeTokens(T0, rate, new Map()),
      new Map(),
      "nothing asked, nothing taken",
    );
  });

  contractTest("takeTokens() allows a burst, then refills at the rate up to the burst", async (db) => {
    const outbox = createSqlOutboxStore(db.client);
    assert.deepStrictEqual(await take(outbox, "shop-a", T0, 4), [true, true, true, false]);
    // Two tokens a second: one more after 500 ms, not before.
    assert.deepStrictEqual(await take(outbox, "shop-a", T0 + 499, 1), [false]);
    assert.deepStrictEqual(await take(outbox, "shop-a", T0 + 500, 2), [true, false]);
    assert.deepStrictEqual(await take(outbox, "shop-a", T0 + 1_500, 3), [true, true, false]);
    // A long pause fills the bucket to the burst, never beyond.
    assert.deepStrictEqual(await take(outbox, "shop-a", T0 + 3_600_000, 4), [true, true, true, false]);
  });

  contractTest("takeTokens() keeps a bucket per shop", async (db) => {
    const outbox = createSqlOutboxStore(db.client);
    assert.deepStrictEqual(await take(outbox, "shop-a", T0, 4), [true, true, true, false]);
    assert.deepStrictEqual(await take(outbox, "shop-b", T0, 4), [true, true, true, false]);
    assert.deepStrictEqual(await take(outbox, "shop-c", T0, 1, 1, 1), [true]);
    assert.deepStrictEqual(await take(outbox, "shop-a", T0 + 500, 2), [true, false]);
  });

  contractTest("takeTokens() adds no tokens when the clock goes backwards", async (db) => {
    const outbox = createSqlOutboxStore(db.client);
    assert.deepStrictEqual(await take(outbox, "shop-a", T0 + 10_000, 4), [true, true, true, false]);
    assert.deepStrictEqual(await take(outbox, "shop-a", T0, 1), [false]);
    assert.deepStrictEqual(await take(outbox, "shop-a", T0 + 10_499, 1), [false]);
    assert.deepStrictEqual(await take(outbox, "shop-a", T0 + 10_500, 2), [true, false]);
  });

  contractTest("takeTokens() never lets concurrent takers exceed the burst", async (db) => {
    const burst = 7;
    const answers = await withClients(db, 4, (clients) =>
      Promise.all(clients.flatMap((client) => {
        const outbox = createSqlOutboxStore(client);
        return Array.from({ length: 10 }, async () =>
          await takeFrom(outbox, "shop-a", T0, { burst, perSecond: 0 }, 1) === 1);
      })));
    assert.strictEqual(answers.filter(Boolean).length, burst);
    const later = await withClients(
      db,
      3,
      (clients) =>
        Promise.all(
          clients.map(async (client) =>
            await takeFrom(createSqlOutboxStore(client), "shop-a", T0 + 1_000, { burst, perSecond: 1 }, 1) ===
              1
          ),
        ),
    );
    assert.strictEqual(later.filter(Boolean).length, 1, "one second at one token a second gives one token");
  }, { postgresOnly: true });

  contractTest(
    "takeTokens() from processes asking for the same shops in opposite orders never deadlocks",
    async (db) => {
      const shops = Array.from({ length: 30 }, (_, i) => `shop-${String(i).padStart(2, "0")}`);
      const rate = { burst: 1_000_000, perSecond: 1 };
      const failures = await withClients(db, 2, async ([one, two]) => {
        const errors: string[] = [];
        for (let round = 0; round < 20; round++) {
          const forwards = new Map(shops.map((shop) => [shop, 1]));
          const backwards = new Map([...shops].reverse().map((shop) => [shop, 1]));
          for (
            const settled of await Promise.allSettled([
              createSqlOutboxStore(one).takeTokens(T0, rate, forwards),
              createSqlOutboxStore(two).takeTokens(T0, rate, backwards),
            ])
          ) {
            if (settled.status === "rejected") errors.push(String(settled.reason));
          }
        }
        return errors;
      });
      assert.deepStrictEqual(failures, []);
    },
    { postgresOnly: true },
  );

  contractTest(
    "claimSendable() claims what each shop's bucket covers and gives back the rest, one interval apart in order",
    async (db) => {
      const outbox = createSqlOutboxStore(db.client);
      const due = await queue(db, ["shop-a"], 5);
      await queue(db, ["shop-b"], 1);
      const rate = { burst: 2, perSecond: 4 };
      const claim = await outbox.claimSendable(due, LEASE, 10, rate);
      assert.strictEqual(claim.due, 6, "every due entry was looked at");
      assert.deepStrictEqual(ids(claim.sendable).sort(), ["shop-a-p1", "shop-a-p2", "shop-b-p1"]);
      for (const entry of claim.sendable) {
        assert.strictEqual((await outboxRow(db, entry)).claimedUntil, due + LEASE, "sendable: claimed");
      }
      // The held entries are no longer claimed, and each is due when the bucket has a token for it.
      assert.deepStrictEqual(await outbox.claimDue(due + 249, LEASE, 10), []);
      for (
        const [at, expected] of [[due + 250, "shop-a-p3"], [due + 500, "shop-a-p4"], [due + 750, "shop-a-p5"]]
      ) {
        const [entry, ...others] = await outbox.claimDue(at as number, LEASE, 10);
        assert.deepStrictEqual([entry?.message.targetId, others.length], [expected, 0], `due at ${at}`);
      }
      // The buckets were taken from: shop-a's is empty now, shop-b's kept one of its two.
      assert.deepStrictEqual(
        [...await outbox.takeTokens(due, rate, new Map([["shop-a", 1], ["shop-b", 2]]))].sort(),
        [["shop-a", 0], ["shop-b", 1]],
      );
    },
  );

  contractTest("claimSendable() looks at no more than its limit, oldest due first", async (db) => {
    const outbox = createSqlOutboxStore(db.client);
    const due = await queue(db, ["shop-a"], 4);
    const rate = { burst: 40, perSecond: 2 };
    const first = await outbox.claimSendable(due, LEASE, 3, rate);
    assert.deepStrictEqual([ids(first.sendable), first.due], [["shop-a-p1", "shop-a-p2", "shop-a-p3"], 3]);
    const second = await outbox.claimSendable(due, LEASE, 3, rate);
    assert.deepStrictEqual([ids(second.sendable), second.due], [["shop-a-p4"], 1]);
    assert.deepStrictEqual(await outbox.claimSendable(due, LEASE, 3, rate), { sendable: [], due: 0 });
  });

  contractTest(
    "claimSendable() from two processes at once: no entry claimed twice, no bucket overdrawn, no deadlock",
    async (db) => {
      const shops = Array.from({ length: 20 }, (_, i) => `shop-${String(i).padStart(2, "0")}`);
      const due = await queue(db, shops, 3);
      const rate = { burst: 2, perSecond: 0.001 };
      const claims = await withClients(
        db,
        2,
        (clients) =>
          Promise.all(
            clients.flatMap((client) =>
              Array.from({ length: 4 }, () => createSqlOutboxStore(client).claimSendable(due, LEASE, 7, rate))
            ),
          ),
      );
      // Claims that raced may each have skipped rows the others held: a last sweep looks at what is left.
      const outbox = createSqlOutboxStore(db.client);
      for (let sweep = 0; sweep < 10; sweep++) {
        const claim = await outbox.claimSendable(due, LEASE, 7, rate);
        if (claim.due === 0) break;
        claims.push(claim);
      }
      const sent = claims.flatMap((claim) => ids(claim.sendable));
      assert.strictEqual(new Set(sent).size, sent.length, "no entry claimed twice");
      for (const shop of shops) {
        assert.strictEqual(
          sent.filter((id) => id.startsWith(`${shop}-`)).length,
          rate.burst,
          `${shop}: its burst`,
        );
      }
      assert.strictEqual(
        claims.reduce((total, claim) => total + claim.due, 0),
        shops.length * 3,
        "every entry looked at once: the held ones wait for their token",
      );
    },
    { postgresOnly: true },
  );
}
