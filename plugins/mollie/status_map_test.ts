import { deepStrictEqual as assertEquals, strictEqual as equal } from "node:assert/strict";
import type { PspOutcome } from "../../src/plugin_api.ts";
import { PAYMENT_STATUSES, REFUND_STATUSES } from "./api_schemas_test_support.ts";
import { type MolliePayment, paymentOutcome, type Reader, refundOutcome } from "./answers.ts";
import {
  MOLLIE_PAYMENT_STATUSES,
  MOLLIE_REFUND_STATUSES,
  type MolliePaymentStatus,
  type MollieRefundStatus,
  paymentStatusRule,
  refundStatusRule,
} from "./status_map.ts";

const EUR_10 = { amountMinor: 1000, currency: "EUR" };
const REFERENCE = "demo.abcdefghijklmnop";
const CHECKOUT = "https://www.mollie.com/checkout/select-method/7UhSN1zuXS";

function payment(status: string, overrides: Partial<MolliePayment> = {}): MolliePayment {
  return {
    id: "tr_7UhSN1zuXS",
    status,
    amount: EUR_10,
    reference: REFERENCE,
    checkoutUrl: CHECKOUT,
    ...overrides,
  };
}

function describe(outcome: PspOutcome | undefined): string {
  if (outcome === undefined) return "no event";
  return outcome.kind === "failed" ? `failed:${outcome.code}` : outcome.kind;
}

Deno.test("the status lists are exactly the statuses of Mollie's reference", () => {
  assertEquals([...MOLLIE_PAYMENT_STATUSES].sort(), [...PAYMENT_STATUSES].sort());
  assertEquals([...MOLLIE_REFUND_STATUSES].sort(), [...REFUND_STATUSES].sort());
});

Deno.test("paymentOutcome() maps every payment status for every reader", async (t) => {
  // create / return / query / notification
  const expected: { readonly [S in MolliePaymentStatus]: readonly [string, string, string, string] } = {
    open: ["requires_action", "return_refused", "requires_action", "no event"],
    pending: ["pending", "pending", "pending", "pending"],
    authorized: ["unknown", "unknown", "unknown", "unknown"],
    paid: ["succeeded", "succeeded", "succeeded", "succeeded"],
    canceled: [
      "failed:payment_canceled",
      "failed:payment_canceled",
      "failed:payment_canceled",
      "failed:payment_canceled",
    ],
    expired: [
      "failed:payment_expired",
      "failed:payment_expired",
      "failed:payment_expired",
      "failed:payment_expired",
    ],
    failed: [
      "failed:payment_failed",
      "failed:payment_failed",
      "failed:payment_failed",
      "failed:payment_failed",
    ],
  };
  const readers: readonly Reader[] = ["create", "return", "query", "notification"];
  for (const status of MOLLIE_PAYMENT_STATUSES) {
    for (const [index, reader] of readers.entries()) {
      await t.step(`${status} read by ${reader} -> ${expected[status][index]}`, () => {
        const outcome = paymentOutcome(payment(status), { reference: REFERENCE, amount: EUR_10 }, reader);
        equal(describe(outcome), expected[status][index]);
      });
    }
  }
});

Deno.test("paymentOutcome() names the payment and the checkout page", () => {
  assertEquals(paymentOutcome(payment("open"), { reference: REFERENCE }, "create"), {
    kind: "requires_action",
    redirect: { url: CHECKOUT, method: "GET" },
    pspReference: "tr_7UhSN1zuXS",
    resume: { paymentId: "tr_7UhSN1zuXS" },
  });
  assertEquals(paymentOutcome(payment("paid"), { reference: REFERENCE, amount: EUR_10 }, "return"), {
    kind: "succeeded",
    pspReference: "tr_7UhSN1zuXS",
    amount: EUR_10,
  });
  equal(
    paymentOutcome(payment("open", { checkoutUrl: undefined }), { reference: REFERENCE }, "query")?.kind,
    "unknown",
  );
});

Deno.test("paymentOutcome() reads an answer about another payment or amount as unknown", async (t) => {
  const rows: readonly [string, MolliePayment][] = [
    ["another reference", payment("paid", { reference: "demo.qrstuvwxyzabcdef" })],
    ["no reference", payment("paid", { reference: undefined })],
    ["another amount", payment("paid", { amount: { amountMinor: 1001, currency: "EUR" } })],
    ["another currency", payment("paid", { amount: { amountMinor: 1000, currency: "USD" } })],
  ];
  for (const [name, answer] of rows) {
    await t.step(name, () => {
      equal(paymentOutcome(answer, { reference: REFERENCE, amount: EUR_10 }, "return")?.kind, "unknown");
    });
  }
});

Deno.test("refundOutcome() maps every refund status", async (t) => {
  const expected: { readonly [S in MollieRefundStatus]: string } = {
    queued: "pending",
    pending: "pending",
    processing: "pending",
    refunded: "succeeded",
    failed: "failed:refund_failed",
    canceled: "failed:refund_canceled",
  };
  for (const status of MOLLIE_REFUND_STATUSES) {
    await t.step(`${status} -> ${expected[status]}`, () => {
      const refund = { id: "re_4qqhO89gsT", status, amount: EUR_10, paymentId: "tr_1", reference: REFERENCE };
      const outcome = refundOutcome(refund, { reference: REFERENCE, amount: EUR_10, paymentId: "tr_1" });
      equal(describe(outcome), expected[status]);
    });
  }
  const foreign = {
    id: "re_4qqhO89gsT",
    status: "refunded",
    amount: EUR_10,
    paymentId: "tr_2",
    reference: REFERENCE,
  };
  equal(refundOutcome(foreign, { reference: REFERENCE, paymentId: "tr_1" }).kind, "unknown");
});

Deno.test("the rules read any value outside Mollie's lists as unknown, never a success", () => {
  for (
    const value of [
      "PAID",
      "Paid",
      "refunded ",
      "success",
      "",
      undefined,
      null,
      7,
      {},
      "toString",
      "__proto__",
    ]
  ) {
    equal(paymentStatusRule(value).kind, "unknown", String(value));
    equal(refundStatusRule(value).kind, "unknown", String(value));
  }
  equal(paymentStatusRule("refunded").kind, "unknown");
  equal(refundStatusRule("paid").kind, "unknown");
});
