import assert from "node:assert/strict";
import type { Payment } from "../../src/mod.ts";
import { createSqlPaymentStore } from "../../adapters/store/sql_payment_store.ts";
import { anOperation, aPayment, assertAbsent, contractTest, defined } from "./_store_fixtures.ts";

const MAX = Number.MAX_SAFE_INTEGER;

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

/** Payments: exact round trips, updates and reads of unknown keys. */
export function runPaymentStoreContract(): void {
  contractTest("findPayment() and lockPayment() read back every field of a payment", async (db, t) => {
    const store = createSqlPaymentStore(db.client);
    const minimal = aPayment();
    for (const [label, payment] of [["full", FULL_PAYMENT], ["minimal", minimal]] as const) {
      await t.step(label, async () => {
        await store.transaction((tx) => tx.savePayment(payment, true));
        const found = await store.findPayment(payment.shop, payment.paymentId);
        const locked = await store.transaction((tx) => tx.lockPayment(payment.shop, payment.paymentId));
        assert.deepStrictEqual(defined(found), defined(payment));
        assert.deepStrictEqual(defined(locked), defined(payment));
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
    assert.deepStrictEqual(
      defined(await store.findPayment(payment.shop, payment.paymentId)),
      defined(acting),
    );

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
    assert.deepStrictEqual(defined(read), defined(paid));
    assertAbsent(read, ["resume", "redirect", "returnParams", "genstoreReturnUrl"]);
  });

  contractTest(
    "findOperation(), findPayment() and the locks return undefined for unknown keys",
    async (db) => {
      const store = createSqlPaymentStore(db.client);
      await store.transaction((tx) => tx.insertOperation(anOperation()));
      await store.transaction((tx) => tx.savePayment(aPayment(), true));
      assert.strictEqual(
        await store.findOperation({ shop: "shop-a", kind: "capture", operationId: "pay-1" }),
        undefined,
      );
      assert.strictEqual(
        await store.findOperation({ shop: "shop-b", kind: "payment", operationId: "pay-1" }),
        undefined,
      );
      assert.strictEqual(await store.findPayment("shop-b", "pay-1"), undefined);
      await store.transaction(async (tx) => {
        assert.strictEqual(
          await tx.lockOperation({ shop: "shop-a", kind: "payment", operationId: "nope" }),
          undefined,
        );
        assert.deepStrictEqual(await tx.lockWithPaymentByReference("shop-b", anOperation().reference), {});
        assert.strictEqual(await tx.lockPayment("shop-a", "nope"), undefined);
      });
    },
  );
}
