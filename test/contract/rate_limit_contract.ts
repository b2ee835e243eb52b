import assert from "node:assert/strict";
import type { OutboxStore, RateLimit } from "../../src/mod.ts";
import { createSqlOutboxStore } from "../../adapters/store/sql_outbox_store.ts";
import { contractTest, T0, withClients } from "./_store_fixtures.ts";

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
}
