import assert from "node:assert/strict";
import type { Operation, Payment, PaymentStore } from "../../src/mod.ts";
import { createSqlPaymentStore } from "../../adapters/store/sql_payment_store.ts";
import {
  aCallback,
  anAuthorizedPayment,
  anOperation,
  aPayment,
  assertDatabaseError,
  contractTest,
  defined,
  rawRows,
  SQLSTATE,
  T0,
} from "./_store_fixtures.ts";

const FINAL_CHANGE = /final operation payment pay-1 of shop shop-a cannot change/;
const IDENTITY_CHANGE = /cannot change its identity or first answer/;
const SUMS_CHANGE = /cannot lose captures or refunds or change its amount/;

const SUCCEEDED = anOperation({
  status: "succeeded",
  pspReference: "PSP-1",
  answer: { pspReference: "PSP-1" },
  updatedAt: T0 + 10,
});

/** Changes a final operation must refuse, one per guarded field. */
const FINAL_CHANGES: readonly [string, Partial<Operation>][] = [
  ["status", { status: "failed", error: { code: "card_declined", message: "Declined" } }],
  ["status back to open", { status: "processing" }],
  ["psp reference", { pspReference: "PSP-2" }],
  ["psp reference removed", { pspReference: undefined }],
  ["error", { error: { code: "late", message: "Late" } }],
  ["amount", { amount: { amountMinor: 999, currency: "EUR" } }],
  ["currency", { amount: { amountMinor: 1000, currency: "USD" } }],
  ["answer", { answer: { error: "changed" } }],
];

async function insertOperation(store: PaymentStore, operation: Operation): Promise<void> {
  await store.transaction((tx) => tx.insertOperation(operation));
}

async function insertPayment(store: PaymentStore, payment: Payment): Promise<void> {
  await store.transaction((tx) => tx.savePayment(payment, true));
}

async function assertRefusedSave(store: PaymentStore, payment: Payment, code: string, message?: RegExp) {
  await assertDatabaseError(() => store.transaction((tx) => tx.savePayment(payment)), code, message);
}

export function runInvariantContract(): void {
  contractTest("saveOperation() cannot change the result of a final operation", async (db, t) => {
    const store = createSqlPaymentStore(db.client);
    await insertOperation(store, SUCCEEDED);
    for (const [label, change] of FINAL_CHANGES) {
      await t.step(label, async () => {
        await assertDatabaseError(
          () => store.transaction((tx) => tx.saveOperation({ ...SUCCEEDED, ...change })),
          SQLSTATE.integrity,
          FINAL_CHANGE,
        );
      });
    }
    assert.deepStrictEqual(defined(await store.findOperation(SUCCEEDED)), defined(SUCCEEDED));
  });

  contractTest("saveOperation() cannot revive a failed operation", async (db) => {
    const store = createSqlPaymentStore(db.client);
    const failed = anOperation({ status: "failed", error: { code: "card_declined", message: "Declined" } });
    await insertOperation(store, failed);
    for (
      const change of [{ status: "succeeded" }, { error: undefined }, { error: { code: "x", message: "y" } }]
    ) {
      await assertDatabaseError(
        () => store.transaction((tx) => tx.saveOperation({ ...failed, ...change } as Operation)),
        SQLSTATE.integrity,
        FINAL_CHANGE,
      );
    }
    assert.deepStrictEqual(defined(await store.findOperation(failed)), defined(failed));
  });

  contractTest(
    "saveOperation() still records the first answer and checks of a final operation",
    async (db) => {
      const store = createSqlPaymentStore(db.client);
      const unanswered = { ...SUCCEEDED, answer: undefined };
      await insertOperation(store, unanswered);
      const answered: Operation = { ...unanswered, answer: { pspReference: "PSP-1" }, checks: 3 };
      await store.transaction((tx) => tx.saveOperation(answered));
      assert.deepStrictEqual(defined(await store.findOperation(SUCCEEDED)), defined(answered));
    },
  );

  contractTest("a final operation cannot be deleted", async (db) => {
    const store = createSqlPaymentStore(db.client);
    await insertOperation(store, SUCCEEDED);
    const open = anOperation({ operationId: "pay-2" });
    await insertOperation(store, open);
    await assertDatabaseError(
      () => rawRows(db, "DELETE FROM operations WHERE shop = 'shop-a' AND operation_id = 'pay-1'"),
      SQLSTATE.integrity,
      /final operation payment pay-1 of shop shop-a cannot be deleted/,
    );
    assert.ok(await store.findOperation(SUCCEEDED));
    await rawRows(db, "DELETE FROM operations WHERE shop = 'shop-a' AND operation_id = 'pay-2'");
    assert.strictEqual(await store.findOperation(open), undefined, "an open operation can be deleted");
  });

  contractTest("an operation's first answer and fingerprint cannot change", async (db, t) => {
    const store = createSqlPaymentStore(db.client);
    const open = anOperation({ status: "requires_action", answer: { redirectUrl: "https://psp.example/1" } });
    await insertOperation(store, open);
    for (
      const [label, change] of [["answer", { answer: { error: "x" } }], ["answer removed", {
        answer: undefined,
      }]]
    ) {
      await t.step(`saveOperation() with another ${label}`, async () => {
        await assertDatabaseError(
          () => store.transaction((tx) => tx.saveOperation({ ...open, ...change as Partial<Operation> })),
          SQLSTATE.integrity,
          IDENTITY_CHANGE,
        );
      });
    }
    const columns = [["fingerprint", "'fp-2'"], ["reference", "'shop-a.other'"], ["payment_id", "'pay-2'"], [
      "test",
      "false",
    ]];
    for (const [column, value] of columns) {
      await t.step(`UPDATE of ${column}`, async () => {
        await assertDatabaseError(
          () => rawRows(db, `UPDATE operations SET ${column} = ${value} WHERE operation_id = 'pay-1'`),
          SQLSTATE.integrity,
          IDENTITY_CHANGE,
        );
      });
    }
    assert.deepStrictEqual(defined(await store.findOperation(open)), defined(open));
  });

  contractTest("a payment in a terminal state keeps its state", async (db, t) => {
    const store = createSqlPaymentStore(db.client);
    const terminal: [string, Payment][] = [
      [
        "succeeded",
        aPayment({ paymentId: "p-1", state: "succeeded", authorizedMinor: 1000, capturedMinor: 1000 }),
      ],
      ["captured", anAuthorizedPayment({ paymentId: "p-2", state: "captured", capturedMinor: 1000 })],
      ["voided", anAuthorizedPayment({ paymentId: "p-3", state: "voided" })],
      ["failed", aPayment({ paymentId: "p-4", state: "failed" })],
    ];
    for (const [label, payment] of terminal) {
      await t.step(label, async () => {
        await insertPayment(store, payment);
        for (const state of ["processing", "authorized", "partially_captured"] as const) {
          const message = new RegExp(
            `payment ${payment.paymentId} of shop shop-a is ${label} and cannot become ${state}`,
          );
          await assertRefusedSave(store, { ...payment, state }, SQLSTATE.integrity, message);
        }
        assert.deepStrictEqual(
          defined(await store.findPayment("shop-a", payment.paymentId)),
          defined(payment),
        );
      });
    }
    const refunded = { ...terminal[1][1], refundedMinor: 400, pspReference: "PSP-9" };
    await store.transaction((tx) => tx.savePayment(refunded));
    assert.deepStrictEqual(
      defined(await store.findPayment("shop-a", "p-2")),
      defined(refunded),
      "refunds still add up",
    );
  });

  contractTest("a payment's captured and refunded sums cannot decrease", async (db) => {
    const store = createSqlPaymentStore(db.client);
    const payment = anAuthorizedPayment({
      state: "partially_captured",
      capturedMinor: 600,
      refundedMinor: 300,
    });
    await insertPayment(store, payment);
    await assertRefusedSave(store, { ...payment, capturedMinor: 599 }, SQLSTATE.integrity, SUMS_CHANGE);
    await assertRefusedSave(store, { ...payment, refundedMinor: 299 }, SQLSTATE.integrity, SUMS_CHANGE);
    await assertRefusedSave(
      store,
      { ...payment, refundedMinor: 0, capturedMinor: 0 },
      SQLSTATE.integrity,
      SUMS_CHANGE,
    );
    assert.deepStrictEqual(defined(await store.findPayment("shop-a", "pay-1")), defined(payment));
    await assertDatabaseError(
      () => rawRows(db, "DELETE FROM payments WHERE payment_id = 'pay-1'"),
      SQLSTATE.integrity,
      /payment pay-1 of shop shop-a cannot be deleted/,
    );
  });

  contractTest("the database refuses captures above the authorization", async (db) => {
    const store = createSqlPaymentStore(db.client);
    const payment = anAuthorizedPayment({ authorizedMinor: 800 });
    await insertPayment(store, payment);
    await assertRefusedSave(store, { ...payment, state: "captured", capturedMinor: 801 }, SQLSTATE.check);
    await assertRefusedSave(
      store,
      { ...payment, capturedMinor: 500, capturePendingMinor: 301 },
      SQLSTATE.check,
    );
    await assertRefusedSave(store, { ...payment, authorizedMinor: 1001 }, SQLSTATE.check);
    await assertDatabaseError(
      () => store.transaction((tx) => tx.savePayment(aPayment({ paymentId: "p-2", capturedMinor: 1 }), true)),
      SQLSTATE.check,
    );
    const atLimit = {
      ...payment,
      state: "partially_captured",
      capturedMinor: 500,
      capturePendingMinor: 300,
    } as const;
    await store.transaction((tx) => tx.savePayment(atLimit));
    assert.deepStrictEqual(defined(await store.findPayment("shop-a", "pay-1")), defined(atLimit));
  });

  contractTest("the database refuses refunds above captures", async (db) => {
    const store = createSqlPaymentStore(db.client);
    const payment = anAuthorizedPayment({ state: "partially_captured", capturedMinor: 500 });
    await insertPayment(store, payment);
    await assertRefusedSave(store, { ...payment, refundedMinor: 501 }, SQLSTATE.check);
    await assertRefusedSave(
      store,
      { ...payment, refundedMinor: 200, refundPendingMinor: 301 },
      SQLSTATE.check,
    );
    await assertRefusedSave(store, { ...payment, refundPendingMinor: -1 }, SQLSTATE.check);
    const atLimit = { ...payment, refundedMinor: 200, refundPendingMinor: 300 };
    await store.transaction((tx) => tx.savePayment(atLimit));
    assert.deepStrictEqual(defined(await store.findPayment("shop-a", "pay-1")), defined(atLimit));
  });

  contractTest("the database refuses a voided payment with captures", async (db) => {
    const store = createSqlPaymentStore(db.client);
    const payment = anAuthorizedPayment({ state: "partially_captured", capturedMinor: 100 });
    await insertPayment(store, payment);
    await assertRefusedSave(store, { ...payment, state: "voided" }, SQLSTATE.check);
    await assertDatabaseError(
      () =>
        store.transaction((tx) =>
          tx.savePayment(anAuthorizedPayment({ paymentId: "p-2", state: "voided", capturedMinor: 1 }), true)
        ),
      SQLSTATE.check,
    );
    assert.strictEqual((await store.findPayment("shop-a", "pay-1"))?.state, "partially_captured");
  });

  contractTest("the message of a queued callback cannot change", async (db) => {
    const store = createSqlPaymentStore(db.client);
    await store.transaction((tx) => tx.enqueueCallback("shop-a", aCallback()));
    await assertDatabaseError(
      () => rawRows(db, `UPDATE outbox SET message = '{"kind":"payment"}'::jsonb`),
      SQLSTATE.integrity,
      /cannot change its message/,
    );
  });
}
