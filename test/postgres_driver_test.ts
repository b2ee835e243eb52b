/**
 * The PostgreSQL driver under concurrency: transactions keep their connection to themselves, whatever else
 * the pool is doing. postgres.js 3.4.9 can send a transaction's BEGIN without reserving the connection when
 * BEGIN fills a connection's pipeline or meets a full socket (porsager/postgres#1189, #823), and hands a
 * reserved connection back to the pool when its socket drains (#1207): other requests' statements then run
 * inside someone else's transaction and vanish with its rollback. The pipeline is made short here so the
 * boundary is met every round rather than once in a while under load (this test fails on the npm package with
 * UNSAFE_TRANSACTION); a statement larger than a socket buffers makes sockets fill and drain mid-transaction,
 * though when a drain lands between two statements is up to the event loop, so that part is a smoke test.
 * @module
 */
import assert from "node:assert/strict";
import { connectPostgres } from "../adapters/store/postgres_driver.ts";
import { enqueueCallbackWithin } from "../adapters/store/sql_outbox_store.ts";
import { openTestDatabase, storeUnderTest } from "./support/databases.ts";
import { aCallback } from "./contract/_store_fixtures.ts";

class IntendedRollback extends Error {}

/** More than a socket buffers at once. */
const BIG = "x".repeat(1 << 20);

Deno.test({
  name:
    "postgres driver: a transaction never shares its connection, so a rollback undoes only its own statements",
  ignore: storeUnderTest() !== "postgres",
  async fn() {
    const db = await openTestDatabase({ migrated: false });
    const client = connectPostgres(db.url!, { max: 3, maxPipeline: 2 });
    try {
      await db.client.exec("CREATE TABLE driver_rows (id text PRIMARY KEY, filler text NOT NULL DEFAULT '')");
      const expected: string[] = [];
      const unexpected: string[] = [];
      const failures: string[] = [];
      for (let round = 0; round < 12; round++) {
        // Every connection busy, so what comes next is pipelined behind work in flight.
        const busy = Array.from({ length: 3 }, () => client.query("SELECT pg_sleep(0.05)"));
        const work: Promise<unknown>[] = [];
        const insert = (id: string) => {
          expected.push(id);
          work.push(client.query("INSERT INTO driver_rows (id) VALUES ($1)", [id]));
        };
        // One plain statement queued behind each busy connection, so the BEGIN that follows is the statement
        // that fills a connection's pipeline.
        for (let i = 0; i < 3; i++) insert(`r${round}-auto-${i}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        for (let i = 0; i < 6; i++) {
          const id = `r${round}-tx-${i}`;
          const rolledBack = i % 2 === 1;
          (rolledBack ? unexpected : expected).push(id);
          work.push(
            client.transaction(async (tx) => {
              // Now and then a statement larger than the socket's buffer, so the socket fills and drains mid-way.
              await tx.query("INSERT INTO driver_rows (id, filler) VALUES ($1, $2)", [
                id,
                i % 3 === 0 ? BIG : "",
              ]);
              await tx.query("SELECT pg_sleep(0.01)");
              if (rolledBack) throw new IntendedRollback(id);
            }).catch((error) => {
              if (!(error instanceof IntendedRollback)) throw error;
            }),
          );
          insert(`r${round}-late-${i}`);
        }
        for (const settled of await Promise.allSettled([...busy, ...work])) {
          if (settled.status === "rejected") failures.push(String(settled.reason));
        }
      }
      assert.deepStrictEqual(failures, [], "every statement and transaction went through");
      const rows = await db.client.query<{ id: string }>("SELECT id FROM driver_rows ORDER BY id");
      const stored = new Set(rows.map((row) => row.id));
      assert.deepStrictEqual(expected.filter((id) => !stored.has(id)), [], "nothing committed is lost");
      assert.deepStrictEqual(unexpected.filter((id) => stored.has(id)), [], "nothing rolled back is kept");
    } finally {
      await client.close();
      await db.close();
    }
  },
});

Deno.test({
  name: "postgres driver: a queued callback wakes the other clients' listeners, not the queuing client's own",
  ignore: storeUnderTest() !== "postgres",
  async fn() {
    const db = await openTestDatabase();
    // Two gateway processes' clients on one database.
    const here = connectPostgres(db.url!, { max: 2 });
    const there = connectPostgres(db.url!, { max: 2 });
    const heard = { here: 0, there: 0 };
    const stopHere = await here.listen!("gateway_outbox", () => heard.here++);
    const stopThere = await there.listen!("gateway_outbox", () => heard.there++);
    try {
      // Committed in this order, so delivered in this order: once `there` hears the second, it would have heard
      // the first, its own, had it not been left out.
      await enqueueCallbackWithin(there, "shop-a", aCallback({ paymentId: "p-1" }));
      await enqueueCallbackWithin(here, "shop-a", aCallback({ paymentId: "p-2" }));
      for (let i = 0; i < 200 && (heard.here < 1 || heard.there < 1); i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.deepStrictEqual(heard, { here: 1, there: 1 }, "each hears the other's callback and not its own");
    } finally {
      await stopHere();
      await stopThere();
      await here.close();
      await there.close();
      await db.close();
    }
  },
});
