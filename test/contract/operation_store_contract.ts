import assert from "node:assert/strict";
import type { Operation, PaymentStore } from "../../src/mod.ts";
import { createSqlPaymentStore } from "../../adapters/store/sql_payment_store.ts";
import { anOperation, assertAbsent, contractTest, defined, T0 } from "./_store_fixtures.ts";

const MAX = Number.MAX_SAFE_INTEGER;

/** Every optional field of an operation set, with the largest amount a payment can have. */
const FULL_OPERATION: Operation = anOperation({
  kind: "refund",
  operationId: "refund-9",
  paymentId: "pay-9",
  extension: "card-eu",
  test: false,
  fingerprint: "sha256:0f1e2d",
  status: "unknown",
  amount: { amountMinor: MAX, currency: "KWD" },
  amountText: "9007199254740.991",
  pspReference: "PSP-REF-123",
  error: { code: "psp_unavailable", message: 'The PSP did not answer: "timeout" ü' },
  attempt: 3,
  pspIdempotencyKey: "gw-tok-p3",
  answer: { pspReference: "PSP-REF-123", redirectUrl: "https://psp.example/3ds?x=1&y=ü", error: "none" },
  createdAt: T0,
  updatedAt: T0 + 1_001,
  nextCheckAt: T0 + 60_999,
  checks: 7,
});

/** Every optional field absent: each must read back as undefined, never null. */
const MINIMAL_OPERATION: Operation = {
  shop: "shop-a",
  kind: "void",
  operationId: "void-1",
  paymentId: "pay-1",
  extension: "card",
  test: true,
  reference: "shop-a.void-1",
  fingerprint: "fp",
  status: "processing",
  attempt: 1,
  pspIdempotencyKey: "gw-void-p1",
  createdAt: T0,
  updatedAt: T0,
  checks: 0,
  returns: 0,
  keyFor: "request",
};

const OPTIONAL_OPERATION_FIELDS = [
  "amount",
  "amountText",
  "pspReference",
  "error",
  "answer",
  "nextCheckAt",
  "sentUntil",
  "claimedBy",
  "actionDeadline",
] as const;

async function insert(store: PaymentStore, ...operations: Operation[]): Promise<void> {
  await store.transaction(async (tx) => {
    for (const operation of operations) {
      assert.strictEqual((await tx.insertOperation(operation)).created, true);
    }
  });
}

async function readBack(store: PaymentStore, operation: Operation): Promise<Operation[]> {
  const found = await store.findOperation(operation);
  const locked = await store.transaction((tx) => tx.lockOperation(operation));
  const byReference = await store.findOperationByReference(operation.shop, operation.reference);
  const withPayment = await store.transaction(async (tx) =>
    (await tx.lockWithPaymentByReference(operation.shop, operation.reference)).operation
  );
  return [found, locked, byReference, withPayment].map((read) => {
    assert.ok(read, `${operation.operationId} reads back`);
    return read;
  });
}

/** Operations: idempotent inserts and exact round trips. */
export function runOperationStoreContract(): void {
  contractTest("insertOperation() creates an operation for a new key", async (db) => {
    const store = createSqlPaymentStore(db.client);
    const operation = anOperation();
    const result = await store.transaction((tx) => tx.insertOperation(operation));
    assert.deepStrictEqual(result, { created: true, operation });
    assert.deepStrictEqual(defined(await store.findOperation(operation)), defined(operation));
  });

  contractTest("insertOperation() returns the stored operation for a duplicate key", async (db) => {
    const store = createSqlPaymentStore(db.client);
    const first = anOperation({
      answer: { pspReference: "PSP-1" },
      status: "succeeded",
      pspReference: "PSP-1",
    });
    await insert(store, first);
    const again = anOperation({
      fingerprint: "fp-other",
      status: "processing",
      amount: { amountMinor: 5, currency: "USD" },
      createdAt: T0 + 5_000,
      updatedAt: T0 + 5_000,
    });
    const result = await store.transaction((tx) => tx.insertOperation(again));
    assert.strictEqual(result.created, false);
    assert.deepStrictEqual(defined(result.operation), defined(first));
    assert.deepStrictEqual(defined(await store.findOperation(first)), defined(first));
  });

  contractTest("insertOperation() keeps one operation id apart across kinds and shops", async (db) => {
    const store = createSqlPaymentStore(db.client);
    const payment = anOperation({ operationId: "x-1" });
    const capture = anOperation({ operationId: "x-1", kind: "capture" });
    const otherShop = anOperation({ operationId: "x-1", shop: "shop-b" });
    await insert(store, payment, capture, otherShop);
    for (const operation of [payment, capture, otherShop]) {
      assert.deepStrictEqual(defined(await store.findOperation(operation)), defined(operation));
    }
  });

  contractTest("findOperation() and the locks read back every field of an operation", async (db, t) => {
    const store = createSqlPaymentStore(db.client);
    const final = anOperation({
      operationId: "pay-2",
      status: "succeeded",
      pspReference: "P",
      updatedAt: T0 + 7,
    });
    const cases: [string, Operation][] = [["full", FULL_OPERATION], ["minimal", MINIMAL_OPERATION], [
      "final",
      final,
    ]];
    for (const [label, operation] of cases) {
      await t.step(label, async () => {
        await insert(store, operation);
        for (const read of await readBack(store, operation)) {
          assert.deepStrictEqual(defined(read), defined(operation));
        }
      });
    }
    const [minimal] = await readBack(store, MINIMAL_OPERATION);
    assertAbsent(minimal, OPTIONAL_OPERATION_FIELDS);
    assert.strictEqual((await store.findOperation(FULL_OPERATION))?.amount?.amountMinor, MAX);
  });

  contractTest("saveOperation() stores every updatable field and clears optional ones", async (db) => {
    const store = createSqlPaymentStore(db.client);
    await insert(store, MINIMAL_OPERATION);
    const changed: Operation = {
      ...MINIMAL_OPERATION,
      status: "requires_action",
      amount: { amountMinor: MAX, currency: "EUR" },
      amountText: "x",
      pspReference: "PSP-2",
      error: { code: "c", message: "m" },
      attempt: 2,
      pspIdempotencyKey: "gw-void-p2",
      answer: { redirectUrl: "https://psp.example/r" },
      updatedAt: T0 + 999,
      nextCheckAt: T0 + 1_000_001,
      checks: 4,
    };
    await store.transaction((tx) => tx.saveOperation(changed));
    assert.deepStrictEqual(defined(await store.findOperation(changed)), defined(changed));

    const cleared: Operation = {
      ...changed,
      amount: undefined,
      amountText: undefined,
      pspReference: undefined,
      error: undefined,
      nextCheckAt: undefined,
    };
    await store.transaction((tx) => tx.saveOperation(cleared));
    const read = await store.findOperation(cleared);
    assert.ok(read);
    assert.deepStrictEqual(defined(read), defined(cleared));
    assertAbsent(read, ["amount", "amountText", "pspReference", "error", "nextCheckAt"]);
  });

  contractTest(
    "findOperationByReference() keeps a committed final operation, never one a rollback undid",
    async (db) => {
      const store = createSqlPaymentStore(db.client);
      const operation = anOperation();
      await insert(store, operation);
      const settled = {
        ...operation,
        status: "succeeded" as const,
        pspReference: "PSP-1",
        updatedAt: T0 + 1,
      };
      // Settled in a transaction that then fails: the operation is still processing, in the database and here.
      await assert.rejects(store.transaction(async (tx) => {
        await tx.saveOperation(settled);
        await tx.lockOperation(operation);
        throw new Error("rolled back");
      }));
      assert.strictEqual(
        (await store.findOperationByReference(operation.shop, operation.reference))?.status,
        "processing",
      );
      await store.transaction((tx) => tx.saveOperation(settled));
      // Final: read by reference from what was committed, even once the row is no longer reachable by this store's
      // client (the PSP's notification of a payment just settled costs no read).
      const other = createSqlPaymentStore(db.client);
      assert.strictEqual(
        (await other.findOperationByReference(operation.shop, operation.reference))?.status,
        "succeeded",
      );
      await db.client.query("ALTER TABLE operations RENAME TO operations_away");
      try {
        assert.deepStrictEqual(
          defined(await store.findOperationByReference(operation.shop, operation.reference)),
          defined(settled),
        );
        assert.strictEqual(
          (await other.findOperationByReference(operation.shop, operation.reference))?.status,
          "succeeded",
        );
        await assert.rejects(store.findOperationByReference(operation.shop, "shop-a.payment-unknown"));
      } finally {
        await db.client.query("ALTER TABLE operations_away RENAME TO operations");
      }
    },
  );
}
