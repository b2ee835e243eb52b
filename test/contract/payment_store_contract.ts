import assert from "node:assert/strict";
import type { Operation, Payment, PaymentStore } from "../../src/mod.ts";
import { createSqlPaymentStore } from "../../adapters/store/sql_payment_store.ts";
import { anOperation, aPayment, contractTest, defined, T0 } from "./_store_fixtures.ts";

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
};

const OPTIONAL_OPERATION_FIELDS = [
  "amount",
  "amountText",
  "pspReference",
  "error",
  "answer",
  "nextCheckAt",
] as const;

const FULL_PAYMENT: Payment = aPayment({
  paymentId: "pay-9",
  extension: "card-eu",
  plugin: "adyen",
  test: false,
  amount: { amountMinor: MAX, currency: "JPY" },
  captureMode: "sale",
  state: "partially_captured",
  pspReference: "PSP-9",
  authorizedMinor: MAX,
  capturedMinor: MAX - 2,
  refundedMinor: MAX - 5,
  capturePendingMinor: 1,
  refundPendingMinor: 2,
  voidPending: true,
  genstoreReturnUrl: "https://shop.example/return?order=9",
  resume: { paymentData: "abc", "3ds": "ü" },
  redirect: { url: "https://psp.example/acs", method: "POST", data: { PaReq: "x", MD: "y" } },
  returnParams: { redirectResult: "r==" },
  card: { token: "tok_1", brand: "visa", last4: "4242", expiryMonth: "03", expiryYear: "2030" },
});

const OPTIONAL_PAYMENT_FIELDS = [
  "pspReference",
  "genstoreReturnUrl",
  "resume",
  "redirect",
  "returnParams",
  "card",
] as const;

async function insert(store: PaymentStore, ...operations: Operation[]): Promise<void> {
  await store.transaction(async (tx) => {
    for (const operation of operations) assert.equal((await tx.insertOperation(operation)).created, true);
  });
}

async function readBack(store: PaymentStore, operation: Operation): Promise<Operation[]> {
  const found = await store.findOperation(operation);
  const locked = await store.transaction((tx) => tx.lockOperation(operation));
  const byReference = await store.transaction((tx) =>
    tx.lockOperationByReference(operation.shop, operation.reference)
  );
  return [found, locked, byReference].map((read) => {
    assert.ok(read, `${operation.operationId} reads back`);
    return read;
  });
}

function assertAbsent(record: object, fields: readonly string[]): void {
  for (const field of fields) {
    assert.equal((record as Record<string, unknown>)[field], undefined, `${field} reads back as undefined`);
  }
}

export function runPaymentStoreContract(): void {
  contractTest("insertOperation() creates an operation for a new key", async (db) => {
    const store = createSqlPaymentStore(db.client);
    const operation = anOperation();
    const result = await store.transaction((tx) => tx.insertOperation(operation));
    assert.deepEqual(result, { created: true, operation });
    assert.deepEqual(defined(await store.findOperation(operation)), defined(operation));
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
    assert.equal(result.created, false);
    assert.deepEqual(defined(result.operation), defined(first));
    assert.deepEqual(defined(await store.findOperation(first)), defined(first));
  });

  contractTest("insertOperation() keeps one operation id apart across kinds and shops", async (db) => {
    const store = createSqlPaymentStore(db.client);
    const payment = anOperation({ operationId: "x-1" });
    const capture = anOperation({ operationId: "x-1", kind: "capture" });
    const otherShop = anOperation({ operationId: "x-1", shop: "shop-b" });
    await insert(store, payment, capture, otherShop);
    for (const operation of [payment, capture, otherShop]) {
      assert.deepEqual(defined(await store.findOperation(operation)), defined(operation));
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
    for (
      const [label, operation] of [["full", FULL_OPERATION], ["minimal", MINIMAL_OPERATION], ["final", final]]
    ) {
      await t.step(label as string, async () => {
        await insert(store, operation as Operation);
        for (const read of await readBack(store, operation as Operation)) {
          assert.deepEqual(defined(read), defined(operation));
        }
      });
    }
    const [minimal] = await readBack(store, MINIMAL_OPERATION);
    assertAbsent(minimal, OPTIONAL_OPERATION_FIELDS);
    assert.equal((await store.findOperation(FULL_OPERATION))?.amount?.amountMinor, MAX);
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
    assert.deepEqual(defined(await store.findOperation(changed)), defined(changed));

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
    assert.deepEqual(defined(read), defined(cleared));
    assertAbsent(read, ["amount", "amountText", "pspReference", "error", "nextCheckAt"]);
  });

  contractTest("findPayment() and lockPayment() read back every field of a payment", async (db, t) => {
    const store = createSqlPaymentStore(db.client);
    const minimal = aPayment();
    for (const [label, payment] of [["full", FULL_PAYMENT], ["minimal", minimal]] as const) {
      await t.step(label, async () => {
        await store.transaction((tx) => tx.savePayment(payment, true));
        const found = await store.findPayment(payment.shop, payment.paymentId);
        const locked = await store.transaction((tx) => tx.lockPayment(payment.shop, payment.paymentId));
        assert.deepEqual(defined(found), defined(payment));
        assert.deepEqual(defined(locked), defined(payment));
      });
    }
    const read = await store.findPayment(minimal.shop, minimal.paymentId);
    assert.ok(read);
    assertAbsent(read, OPTIONAL_PAYMENT_FIELDS);
  });

  contractTest(
    "findPayment() refuses an amount beyond the safe integer range instead of rounding it",
    async (db) => {
      const store = createSqlPaymentStore(db.client);
      await db.client.query(
        `INSERT INTO payments (shop, payment_id, extension, plugin, test, reference, currency, amount_minor,
         capture_mode, state) VALUES ('shop-a', 'pay-1', 'card', 'fakepsp', true, 'r', 'EUR', $1, 'sale', 'processing')`,
        ["9007199254740993"],
      );
      await assert.rejects(() => store.findPayment("shop-a", "pay-1"), RangeError);
    },
  );

  contractTest("savePayment() updates a payment and clears optional fields", async (db) => {
    const store = createSqlPaymentStore(db.client);
    const payment = aPayment({ captureMode: "sale" });
    await store.transaction((tx) => tx.savePayment(payment, true));
    const acting: Payment = {
      ...payment,
      state: "requires_action",
      pspReference: "PSP-1",
      genstoreReturnUrl: "https://shop.example/r",
      resume: { a: "1" },
      redirect: { url: "https://psp.example/acs", method: "GET" },
      returnParams: { b: "2" },
      card: { token: "tok" },
    };
    await store.transaction((tx) => tx.savePayment(acting));
    assert.deepEqual(defined(await store.findPayment(payment.shop, payment.paymentId)), defined(acting));

    const paid: Payment = {
      ...acting,
      state: "succeeded",
      authorizedMinor: 1000,
      capturedMinor: 1000,
      resume: undefined,
      redirect: undefined,
      returnParams: undefined,
      genstoreReturnUrl: undefined,
    };
    await store.transaction((tx) => tx.savePayment(paid));
    const read = await store.findPayment(payment.shop, payment.paymentId);
    assert.ok(read);
    assert.deepEqual(defined(read), defined(paid));
    assertAbsent(read, ["resume", "redirect", "returnParams", "genstoreReturnUrl"]);
  });

  contractTest(
    "findOperation(), findPayment() and the locks return undefined for unknown keys",
    async (db) => {
      const store = createSqlPaymentStore(db.client);
      await insert(store, anOperation());
      await store.transaction((tx) => tx.savePayment(aPayment(), true));
      assert.equal(
        await store.findOperation({ shop: "shop-a", kind: "capture", operationId: "pay-1" }),
        undefined,
      );
      assert.equal(
        await store.findOperation({ shop: "shop-b", kind: "payment", operationId: "pay-1" }),
        undefined,
      );
      assert.equal(await store.findPayment("shop-b", "pay-1"), undefined);
      await store.transaction(async (tx) => {
        assert.equal(
          await tx.lockOperation({ shop: "shop-a", kind: "payment", operationId: "nope" }),
          undefined,
        );
        assert.equal(await tx.lockOperationByReference("shop-b", anOperation().reference), undefined);
        assert.equal(await tx.lockPayment("shop-a", "nope"), undefined);
      });
    },
  );
}
