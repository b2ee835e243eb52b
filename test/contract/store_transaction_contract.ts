import assert from "node:assert/strict";
import type { Operation } from "../../src/mod.ts";
import { createSqlPaymentStore } from "../../adapters/store/sql_payment_store.ts";
import {
  aCallback,
  anOperation,
  aPayment,
  assertDatabaseError,
  contractTest,
  defined,
  rawCount,
  rawRows,
  SQLSTATE,
  T0,
  waitForLockWaiters,
  withClients,
} from "./_store_fixtures.ts";

const LEASE = 60_000;

function keyOf(operation: Operation): string {
  return `${operation.shop}/${operation.kind}/${operation.operationId}`;
}

export function runTransactionContract(): void {
  contractTest("transaction() rolls back everything when the work throws", async (db) => {
    let queued = 0;
    const store = createSqlPaymentStore(db.client, { onCallbackQueued: () => queued++ });
    const failure = new Error("Cannot continue: test failure");
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.insertOperation(anOperation());
        await tx.savePayment(aPayment(), true);
        await tx.enqueueCallback("shop-a", aCallback());
        throw failure;
      }),
      (error) => error === failure,
    );
    assert.strictEqual(await store.findOperation(anOperation()), undefined);
    assert.strictEqual(await store.findPayment("shop-a", "pay-1"), undefined);
    assert.strictEqual(await rawCount(db, "outbox"), 0);
    assert.strictEqual(queued, 0);
  });

  contractTest(
    "transaction() keeps nothing when the database refuses its last writes, sent with the COMMIT behind them",
    async (db) => {
      let queued = 0;
      const store = createSqlPaymentStore(db.client, { onCallbackQueued: () => queued++ });
      await store.transaction((tx) => tx.enqueueCallback("shop-a", aCallback({ targetId: "taken" })));
      await assertDatabaseError(
        () =>
          store.transaction(async (tx) => {
            await tx.insertOperation(anOperation());
            await tx.savePayment(aPayment(), true);
            // A read sends the writes held so far; the last ones go out with the COMMIT and are refused.
            assert.ok(await tx.lockOperation(anOperation()));
            await tx.enqueueCallback("shop-a", aCallback({ targetId: "fresh" }));
            await tx.enqueueCallback("shop-a", aCallback({ targetId: "taken" }));
          }),
        SQLSTATE.unique,
      );
      assert.strictEqual(await store.findOperation(anOperation()), undefined, "the writes sent before: gone");
      assert.strictEqual(await store.findPayment("shop-a", "pay-1"), undefined);
      assert.strictEqual(await rawCount(db, "outbox"), 1, "only the callback committed before");
      assert.strictEqual(queued, 1, "the refused transaction woke no worker");
    },
  );

  contractTest("transaction() refuses a save of a row that is not there, and keeps nothing", async (db) => {
    const store = createSqlPaymentStore(db.client);
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.insertOperation(anOperation({ operationId: "other" }));
        await tx.saveOperation(anOperation({ operationId: "never-inserted" }));
      }),
      /Cannot save an operation that does not exist/,
    );
    assert.strictEqual(await store.findOperation(anOperation({ operationId: "other" })), undefined);
  });

  contractTest("transaction() returns the work's result and commits it", async (db) => {
    const store = createSqlPaymentStore(db.client);
    const result = await store.transaction(async (tx) => {
      await tx.insertOperation(anOperation());
      return 42;
    });
    assert.strictEqual(result, 42);
    assert.ok(await store.findOperation(anOperation()));
  });

  contractTest(
    "transaction() calls onCallbackQueued only after a commit that queued a callback",
    async (db) => {
      let calls = 0;
      let committedRows: Promise<number> | undefined;
      const store = createSqlPaymentStore(db.client, {
        onCallbackQueued() {
          calls++;
          // Read from outside the transaction: the callback must be visible to a worker once the hook fires.
          committedRows = rawCount(db, "outbox");
        },
      });
      await store.transaction((tx) => tx.insertOperation(anOperation()));
      assert.strictEqual(calls, 0, "no callback queued, no call");

      await assert.rejects(store.transaction(async (tx) => {
        await tx.enqueueCallback("shop-a", aCallback({ targetId: "rolled-back" }));
        throw new Error("Cannot commit: test failure");
      }));
      assert.strictEqual(calls, 0, "a rolled back transaction does not call");

      await assert.rejects(store.transaction(async (tx) => {
        await tx.enqueueCallback("shop-a", aCallback({ targetId: "t-1" }));
        await tx.enqueueCallback("shop-a", aCallback({ targetId: "t-1" }));
      }));
      assert.strictEqual(calls, 0, "a transaction failing in the database does not call");

      await store.transaction(async (tx) => {
        await tx.enqueueCallback("shop-a", aCallback());
        assert.strictEqual(calls, 0, "not called before the commit");
      });
      assert.strictEqual(calls, 1);
      assert.strictEqual(await committedRows, 1);
    },
  );

  contractTest("enqueueCallback() refuses a second callback for the same operation", async (db) => {
    const store = createSqlPaymentStore(db.client);
    await store.transaction((tx) => tx.enqueueCallback("shop-a", aCallback()));
    await assertDatabaseError(
      () => store.transaction((tx) => tx.enqueueCallback("shop-a", aCallback({ succeeded: false }))),
      SQLSTATE.unique,
    );
    await assertDatabaseError(
      () =>
        store.transaction(async (tx) => {
          await tx.enqueueCallback("shop-a", aCallback({ kind: "capture", targetId: "cap-1" }));
          await tx.enqueueCallback("shop-a", aCallback({ kind: "capture", targetId: "cap-1" }));
        }),
      SQLSTATE.unique,
    );
    // The same target in another kind or another shop is another operation.
    await store.transaction(async (tx) => {
      await tx.enqueueCallback("shop-a", aCallback({ kind: "pre_authorize" }));
      await tx.enqueueCallback("shop-b", aCallback());
    });
    assert.strictEqual(await rawCount(db, "outbox"), 3);
  });

  contractTest("insertOperation() creates one operation when two requests race for a key", async (db) => {
    await withClients(db, 2, async ([one, two]) => {
      const [first, second] = [createSqlPaymentStore(one), createSqlPaymentStore(two)];
      // The first request holds its uncommitted insert until the second one waits on it, then commits or fails.
      async function race(outcome: "commit" | "rollback", operationId: string) {
        let waiting: Promise<unknown> | undefined;
        const held = first.transaction(async (tx) => {
          const inserted = await tx.insertOperation(anOperation({ operationId, fingerprint: "fp-first" }));
          waiting = second.transaction((tx) =>
            tx.insertOperation(anOperation({ operationId, fingerprint: "fp-second" }))
          );
          await waitForLockWaiters(db, 1);
          if (outcome === "rollback") throw new Error("Cannot finish the first request: test failure");
          return inserted;
        });
        const firstResult = await held.catch(() => undefined);
        return { firstResult, secondResult: await waiting! };
      }

      const committed = await race("commit", "race-1");
      assert.strictEqual(committed.firstResult?.created, true);
      assert.deepStrictEqual(
        defined(committed.secondResult),
        defined({
          created: false,
          operation: anOperation({ operationId: "race-1", fingerprint: "fp-first" }),
        }),
      );

      const rolledBack = await race("rollback", "race-2");
      assert.strictEqual(rolledBack.firstResult, undefined);
      assert.deepStrictEqual(rolledBack.secondResult, {
        created: true,
        operation: anOperation({ operationId: "race-2", fingerprint: "fp-second" }),
      });
      const stored = await first.findOperation(anOperation({ operationId: "race-2" }));
      assert.strictEqual(stored?.fingerprint, "fp-second");
    });
  }, { postgresOnly: true });

  contractTest(
    "claimOperationsToCheck() claims only due open operations and counts the check",
    async (db) => {
      const store = createSqlPaymentStore(db.client);
      const now = T0 + 3_600_000;
      const due = [
        anOperation({ operationId: "due-1", status: "processing", nextCheckAt: now - 10 }),
        anOperation({ operationId: "due-2", status: "requires_action", nextCheckAt: now, checks: 2 }),
        anOperation({ operationId: "due-3", kind: "capture", status: "unknown", nextCheckAt: now - 5 }),
      ];
      const notDue = [
        anOperation({ operationId: "later", nextCheckAt: now + 1 }),
        anOperation({ operationId: "never" }),
        anOperation({ operationId: "done", status: "succeeded", nextCheckAt: now - 1 }),
        anOperation({
          operationId: "lost",
          status: "failed",
          nextCheckAt: now - 1,
          error: { code: "x", message: "" },
        }),
      ];
      await store.transaction(async (tx) => {
        for (const operation of [...due, ...notDue]) await tx.insertOperation(operation);
      });

      const claimed = await store.claimOperationsToCheck(now, LEASE, 10);
      assert.deepStrictEqual(claimed.map(keyOf).sort(), due.map(keyOf).sort());
      for (const operation of due) {
        const expected = { nextCheckAt: now + LEASE, checks: operation.checks + 1 };
        const returned = claimed.find((c) => keyOf(c) === keyOf(operation));
        const stored = await store.findOperation(operation);
        assert.deepStrictEqual({ nextCheckAt: returned?.nextCheckAt, checks: returned?.checks }, expected);
        assert.deepStrictEqual({ nextCheckAt: stored?.nextCheckAt, checks: stored?.checks }, expected);
        assert.strictEqual(stored?.status, operation.status);
      }
      for (const operation of notDue) {
        assert.deepStrictEqual(
          defined(await store.findOperation(operation)),
          defined(operation),
          "left alone",
        );
      }

      const claimedAgain = await store.claimOperationsToCheck(now + LEASE - 1, LEASE, 10);
      assert.deepStrictEqual(
        claimedAgain.map((o) => o.operationId),
        ["later"],
        "claimed ones wait for their lease",
      );
      const again = await store.claimOperationsToCheck(now + LEASE, LEASE, 10);
      assert.deepStrictEqual(again.map(keyOf).sort(), due.map(keyOf).sort());
      assert.ok(again.every((operation) => operation.nextCheckAt === now + 2 * LEASE));
    },
  );

  contractTest("claimOperationsToCheck() takes at most the limit, the most overdue first", async (db) => {
    const store = createSqlPaymentStore(db.client);
    const now = T0 + 3_600_000;
    const operations = [5, 1, 4, 2, 3].map((late) =>
      anOperation({ operationId: `late-${late}`, nextCheckAt: now - late * 1_000 })
    );
    await store.transaction(async (tx) => {
      for (const operation of operations) await tx.insertOperation(operation);
    });
    const first = await store.claimOperationsToCheck(now, LEASE, 2);
    assert.deepStrictEqual(first.map((o) => o.operationId).sort(), ["late-4", "late-5"]);
    const rest = await store.claimOperationsToCheck(now, LEASE, 10);
    assert.deepStrictEqual(rest.map((o) => o.operationId).sort(), ["late-1", "late-2", "late-3"]);
  });

  contractTest(
    "claimOperationsToCheck() never gives one operation to two concurrent claimers",
    async (db) => {
      const now = T0 + 3_600_000;
      const operations = Array.from(
        { length: 60 },
        (_, i) => anOperation({ operationId: `op-${i}`, nextCheckAt: now }),
      );
      await createSqlPaymentStore(db.client).transaction(async (tx) => {
        for (const operation of operations) {
          await tx.insertOperation(operation);
        }
      });
      const claimed = await withClients(db, 4, (clients) =>
        Promise.all(clients.map(async (client) => {
          const store = createSqlPaymentStore(client);
          const mine: string[] = [];
          for (let round = 0; round < 60; round++) {
            const batch = await store.claimOperationsToCheck(now, LEASE, 3);
            if (batch.length === 0) break;
            mine.push(...batch.map(keyOf));
          }
          return mine;
        })));
      const all = claimed.flat();
      assert.strictEqual(new Set(all).size, all.length, "no operation claimed twice");
      assert.deepStrictEqual(all.sort(), operations.map(keyOf).sort());
      const [{ count }] = await rawRows(db, "SELECT count(*) AS count FROM operations WHERE checks <> 1");
      assert.strictEqual(Number(count), 0, "every operation was checked exactly once");
    },
    { postgresOnly: true },
  );
}
