import assert from "node:assert/strict";
import type { OutboxStore } from "../../src/mod.ts";
import { createSqlOutboxStore } from "../../adapters/store/sql_outbox_store.ts";
import { contractTest, T0, withClients } from "./_store_fixtures.ts";

/** Takes `count` tokens one after the other and returns the answers. */
async function take(outbox: OutboxStore, shop: string, now: number, count: number, burst = 3, perSecond = 2) {
  const answers: boolean[] = [];
  for (let i = 0; i < count; i++) {
    answers.push(await outbox.takeTokens(shop, now, { burst, perSecond }, 1) === 1);
  }
  return answers;
}

export function runRateLimitContract(): void {
  contractTest("takeTokens() grants part of a request when the bucket holds less", async (db) => {
    const outbox = createSqlOutboxStore(db.client);
    assert.strictEqual(await outbox.takeTokens("shop-a", T0, { burst: 5, perSecond: 2 }, 3), 3);
    assert.strictEqual(await outbox.takeTokens("shop-a", T0, { burst: 5, perSecond: 2 }, 3), 2);
    assert.strictEqual(await outbox.takeTokens("shop-a", T0 + 999, { burst: 5, perSecond: 2 }, 3), 1);
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
          await outbox.takeTokens("shop-a", T0, { burst, perSecond: 0 }, 1) === 1);
      })));
    assert.strictEqual(answers.filter(Boolean).length, burst);
    const later = await withClients(
      db,
      3,
      (clients) =>
        Promise.all(
          clients.map(async (client) =>
            await createSqlOutboxStore(client).takeTokens(
              "shop-a",
              T0 + 1_000,
              { burst, perSecond: 1 },
              1,
            ) === 1
          ),
        ),
    );
    assert.strictEqual(later.filter(Boolean).length, 1, "one second at one token a second gives one token");
  }, { postgresOnly: true });
}
