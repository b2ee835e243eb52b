import { deepStrictEqual as assertEquals, ok, strictEqual as equal } from "node:assert/strict";
import { createPaymentRequest, createRefundRequest, issuesOf } from "./api_schemas_test_support.ts";
import { idSegment, mollieIdempotencyKey, paymentBody, refundBody } from "./requests.ts";

const REFERENCE = "demo.abcdefghijklmnop";
const RETURN_URL = "https://gateway.example/v1/return/demo.abcdefghijklmnop";
const NOTIFY_URL = "https://gateway.example/v1/notifications/mollie?reference=demo.abcdefghijklmnop";

Deno.test("paymentBody() writes Mollie's create-payment request", () => {
  const body = paymentBody({
    reference: REFERENCE,
    amount: { amountMinor: 1234, currency: "EUR" },
    returnUrl: RETURN_URL,
    notificationUrl: NOTIFY_URL,
    description: "Order #1001",
  }, "ideal");
  assertEquals(body, {
    amount: { currency: "EUR", value: "12.34" },
    description: "Order #1001",
    redirectUrl: RETURN_URL,
    webhookUrl: NOTIFY_URL,
    metadata: { reference: REFERENCE },
    method: "ideal",
  });
  assertEquals(issuesOf(createPaymentRequest, body), []);
});

Deno.test("paymentBody() writes every currency's digits and always a description", async (t) => {
  const rows = [
    [{ amountMinor: 1234, currency: "JPY" }, "1234"],
    [{ amountMinor: 1234, currency: "KWD" }, "1.234"],
    [{ amountMinor: 5, currency: "EUR" }, "0.05"],
  ] as const;
  for (const [amount, value] of rows) {
    await t.step(`${amount.amountMinor} ${amount.currency} -> ${value}`, () => {
      const body = paymentBody({ reference: REFERENCE, amount, returnUrl: RETURN_URL }, undefined);
      assertEquals(body.amount, { currency: amount.currency, value });
      equal(body.description, REFERENCE);
      equal("webhookUrl" in body || "method" in body, false);
      assertEquals(issuesOf(createPaymentRequest, body), []);
    });
  }
  const long = paymentBody({
    reference: REFERENCE,
    amount: { amountMinor: 100, currency: "EUR" },
    returnUrl: RETURN_URL,
    description: `\n${"é".repeat(300)}`,
  }, undefined);
  equal(Array.from(long.description as string).length, 255);
  assertEquals(issuesOf(createPaymentRequest, long), []);
  equal(
    paymentBody({
      reference: REFERENCE,
      amount: { amountMinor: 1, currency: "EUR" },
      returnUrl: RETURN_URL,
      description: " \t",
    }, undefined)
      .description,
    REFERENCE,
  );
});

Deno.test("refundBody() writes Mollie's create-refund request with the refund's own reference", () => {
  const body = refundBody({
    reference: "demo.refundreference1",
    amount: { amountMinor: 300, currency: "EUR" },
  });
  assertEquals(body, {
    amount: { currency: "EUR", value: "3.00" },
    metadata: { reference: "demo.refundreference1" },
  });
  assertEquals(issuesOf(createRefundRequest, body), []);
  equal(refundBody({ reference: "demo.refundreference1" }), undefined);
});

Deno.test("mollieIdempotencyKey() keeps the core's key, and hashes only a very long one, deterministically", async () => {
  equal(await mollieIdempotencyKey("gw-abcdefghijklmnop-p1"), "gw-abcdefghijklmnop-p1");
  const long = "k".repeat(65);
  const hashed = await mollieIdempotencyKey(long);
  equal(hashed.length, 64);
  equal(await mollieIdempotencyKey(long), hashed);
  ok(hashed !== (await mollieIdempotencyKey("k".repeat(66))));
});

Deno.test("idSegment() lets only Mollie ids into a path", () => {
  equal(idSegment("tr_7UhSN1zuXS", "tr_"), "tr_7UhSN1zuXS");
  equal(idSegment("re_4qqhO89gsT", "re_"), "re_4qqhO89gsT");
  for (
    const bad of [
      undefined,
      "",
      "tr_",
      "re_4qqhO89gsT",
      "tr_../methods",
      "tr_a/refunds",
      "tr_a?x=1",
      "tr_a%2F",
    ]
  ) {
    equal(idSegment(bad, "tr_"), undefined, String(bad));
  }
});
