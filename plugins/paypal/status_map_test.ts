import { deepStrictEqual as assertEquals, ok, strictEqual as equal } from "node:assert/strict";
import {
  ACCOUNT_ISSUES,
  AUTHORIZATION_RULES,
  AUTHORIZATION_STATUSES,
  authorizationRule,
  CAPTURE_ISSUES,
  CAPTURE_RULES,
  CAPTURE_STATUSES,
  captureRule,
  CREATE_ORDER_ISSUES,
  ORDER_ACTION_ISSUES,
  ORDER_RULES,
  ORDER_STATUSES,
  orderRule,
  REFUND_ISSUES,
  REFUND_RULES,
  REFUND_STATUSES,
  refundRule,
  VOID_ISSUES,
  VOID_RULES,
  voidRule,
} from "./status_map.ts";
import { EVENT_RULES, EVENT_TYPES, eventRule } from "./event_map.ts";
import { readOrderPayment } from "./order_result.ts";
import type { OrderView } from "./orders.ts";
import { DROPPED_PATTERNS } from "./test_support.ts";

const ORDERS = JSON.parse(
  Deno.readTextFileSync(new URL("../../test/peers/paypal/checkout_orders_v2.json", import.meta.url)),
);
const PAYMENTS = JSON.parse(
  Deno.readTextFileSync(new URL("../../test/peers/paypal/payments_payment_v2.json", import.meta.url)),
);

function statusEnum(
  spec: { components: { schemas: Record<string, { properties: { status: { enum: string[] } } }> } },
  name: string,
) {
  return [...spec.components.schemas[name].properties.status.enum].sort();
}

/** The `issue` values a 422 answer of an operation may carry, as its component schema enumerates them. */
function issuesOf(spec: typeof ORDERS, ...schemas: string[]): Set<string> {
  const issues = new Set<string>();
  for (const name of schemas) {
    for (const alternative of spec.components.schemas[name].properties?.details?.items?.anyOf ?? []) {
      issues.add(alternative.properties.issue.enum[0]);
    }
  }
  return issues;
}

Deno.test("the status lists are exactly the enums of PayPal's documents", () => {
  assertEquals([...ORDER_STATUSES].sort(), [...ORDERS.components.schemas.order_status.enum].sort());
  for (const spec of [ORDERS, PAYMENTS]) {
    assertEquals([...CAPTURE_STATUSES].sort(), statusEnum(spec, "capture_status"));
    assertEquals([...AUTHORIZATION_STATUSES].sort(), statusEnum(spec, "authorization_status"));
    assertEquals([...REFUND_STATUSES].sort(), statusEnum(spec, "refund_status"));
  }
});

Deno.test("ORDER_RULES maps every order status", async (t) => {
  const expected = {
    CREATED: "awaiting_buyer",
    PAYER_ACTION_REQUIRED: "awaiting_buyer",
    SAVED: "unknown",
    APPROVED: "approved",
    COMPLETED: "completed",
    VOIDED: "failed:payment_canceled",
  } as const;
  for (const status of ORDER_STATUSES) {
    await t.step(`${status} -> ${expected[status]}`, () => {
      const rule = ORDER_RULES[status];
      equal(rule.kind === "failed" ? `failed:${rule.code}` : rule.kind, expected[status]);
    });
  }
});

Deno.test("the capture, authorization, void and refund rules map every status", async (t) => {
  const show = (rule: { kind: string; code?: string }) =>
    rule.kind === "failed" ? `failed:${rule.code}` : rule.kind;
  const tables = [
    ["capture", CAPTURE_STATUSES, CAPTURE_RULES, {
      COMPLETED: "succeeded",
      PARTIALLY_REFUNDED: "succeeded",
      REFUNDED: "succeeded",
      PENDING: "pending",
      DECLINED: "failed:payment_declined",
      FAILED: "failed:capture_failed",
    }],
    ["authorization", AUTHORIZATION_STATUSES, AUTHORIZATION_RULES, {
      CREATED: "succeeded",
      CAPTURED: "succeeded",
      PARTIALLY_CAPTURED: "succeeded",
      PENDING: "pending",
      DENIED: "failed:payment_declined",
      VOIDED: "failed:authorization_voided",
    }],
    ["void", AUTHORIZATION_STATUSES, VOID_RULES, {
      VOIDED: "succeeded",
      CREATED: "unknown",
      PENDING: "unknown",
      DENIED: "unknown",
      PARTIALLY_CAPTURED: "failed:void_after_capture",
      CAPTURED: "failed:void_after_capture",
    }],
    ["refund", REFUND_STATUSES, REFUND_RULES, {
      COMPLETED: "succeeded",
      PENDING: "pending",
      FAILED: "failed:refund_failed",
      CANCELLED: "failed:refund_cancelled",
    }],
  ] as const;
  for (const [name, statuses, rules, expected] of tables) {
    for (const status of statuses) {
      await t.step(`${name} ${status} -> ${expected[status as keyof typeof expected]}`, () => {
        equal(show(rules[status as keyof typeof rules]), expected[status as keyof typeof expected]);
      });
    }
  }
});

Deno.test("any status outside the enums is unknown, never a success", () => {
  for (
    const value of [
      "completed",
      "Completed",
      "APPROVED ",
      "",
      "toString",
      "__proto__",
      undefined,
      null,
      7,
      {},
    ]
  ) {
    equal(captureRule(value).kind, "unknown", String(value));
    equal(authorizationRule(value).kind, "unknown", String(value));
    equal(voidRule(value).kind, "unknown", String(value));
    equal(refundRule(value).kind, "unknown", String(value));
    equal(orderRule(value).kind, "unknown", String(value));
  }
});

Deno.test("every issue the plugin reads is one PayPal documents for that operation", () => {
  const anywhere = new Set<string>();
  for (const spec of [ORDERS, PAYMENTS]) {
    for (const name of Object.keys(spec.components.schemas).filter((n) => /422$/.test(n))) {
      for (const issue of issuesOf(spec, name)) anywhere.add(issue);
    }
  }
  // The account issues apply to every call, wherever PayPal documents them; the rest per operation.
  const check = (table: Readonly<Record<string, unknown>>, documented: Set<string>, what: string) => {
    for (const issue of Object.keys(table)) {
      ok(anywhere.has(issue), `${what}: ${issue} is not a documented issue`);
      if (!Object.hasOwn(ACCOUNT_ISSUES, issue)) {
        ok(documented.has(issue), `${what}: ${issue} is not documented`);
      }
    }
  };
  check(CREATE_ORDER_ISSUES, issuesOf(ORDERS, "422"), "create order");
  check(
    ORDER_ACTION_ISSUES,
    issuesOf(ORDERS, "orders.capture-422", "orders.authorize-422", "422"),
    "capture/authorize",
  );
  check(CAPTURE_ISSUES, issuesOf(PAYMENTS, "422"), "authorization capture");
  check(VOID_ISSUES, issuesOf(PAYMENTS, "authorizations.void-422"), "void");
  check(REFUND_ISSUES, issuesOf(PAYMENTS, "captures.refund-422", "422"), "refund");
});

Deno.test("EVENT_RULES names every event type the plugin knows; others are acknowledged", async (t) => {
  const expected: Record<(typeof EVENT_TYPES)[number], string> = {
    "CHECKOUT.ORDER.APPROVED": "acknowledge",
    "CHECKOUT.ORDER.SAVED": "acknowledge",
    "CHECKOUT.ORDER.COMPLETED": "acknowledge",
    "CHECKOUT.ORDER.VOIDED": "order_voided",
    "CHECKOUT.PAYMENT-APPROVAL.REVERSED": "order_voided",
    "PAYMENT.AUTHORIZATION.CREATED": "authorization:succeeded",
    "PAYMENT.AUTHORIZATION.VOIDED": "acknowledge",
    "PAYMENT.CAPTURE.COMPLETED": "capture:succeeded",
    "PAYMENT.CAPTURE.PENDING": "capture:pending",
    "PAYMENT.CAPTURE.DECLINED": "capture:failed",
    "PAYMENT.CAPTURE.DENIED": "capture:failed",
    "PAYMENT.CAPTURE.REFUNDED": "refund:succeeded",
    "PAYMENT.CAPTURE.REVERSED": "acknowledge",
    "PAYMENT.REFUND.PENDING": "refund:pending",
    "PAYMENT.REFUND.FAILED": "refund:failed",
  };
  for (const type of EVENT_TYPES) {
    await t.step(`${type} -> ${expected[type]}`, () => {
      const rule = EVENT_RULES[type];
      equal(rule.kind === "transaction" ? `${rule.resource}:${rule.expect}` : rule.kind, expected[type]);
    });
  }
  for (const other of ["PAYMENT.SALE.COMPLETED", "CUSTOMER.DISPUTE.CREATED", "toString", "", 7]) {
    equal(eventRule(other).kind, "acknowledge");
  }
});

Deno.test("readOrderPayment() believes only a capture of this order, for the reference it was created with", () => {
  const expected = {
    reference: "demo.abcdefghijklmnop",
    amount: { amountMinor: 1000, currency: "EUR" },
    orderId: "ORDER1",
  };
  const capture = { id: "CAP1", status: "COMPLETED", amount: expected.amount };
  const order = (overrides: Partial<OrderView>): OrderView => ({
    id: "ORDER1",
    status: "COMPLETED",
    intent: "CAPTURE",
    customId: expected.reference,
    captures: [capture],
    authorizations: [],
    refunds: [],
    ...overrides,
  });
  const kind = (view: OrderView) => {
    const read = readOrderPayment(view, "CAPTURE", expected);
    return read.kind === "outcome" ? read.outcome.kind : read.kind;
  };
  equal(kind(order({})), "succeeded");
  equal(kind(order({ id: "OTHER" })), "unknown");
  equal(kind(order({ customId: "demo.someoneelsesreference" })), "unknown");
  equal(kind(order({ intent: "AUTHORIZE" })), "unknown");
  equal(kind(order({ captures: [{ ...capture, amount: undefined }] })), "unknown");
  equal(kind(order({ captures: [], status: "APPROVED" })), "approved");
  equal(kind(order({ captures: [], status: "PAYER_ACTION_REQUIRED" })), "awaiting_buyer");
  equal(kind(order({ captures: [], status: "VOIDED" })), "failed");
  equal(kind(order({ captures: [], status: "COMPLETED" })), "unknown");
});

Deno.test("the spec validators drop only the patterns JavaScript cannot compile in Unicode mode", () => {
  assertEquals(DROPPED_PATTERNS.map((p) => p.replace(/^.*#/, "")).sort(), [
    "/components/schemas/email",
    "/components/schemas/email",
    "/components/schemas/level_2_card_processing_data/properties/invoice_id",
    "/components/schemas/vault_venmo_wallet_base/allOf/1/properties/description",
  ]);
});
