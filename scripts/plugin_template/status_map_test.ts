import { deepStrictEqual as assertEquals, ok, strictEqual as equal } from "node:assert/strict";
import {
  BY_OPERATION,
  eventOperation,
  FAILURE_CODES,
  failureCode,
  MODIFICATION_STATUS_RULES,
  MODIFICATION_STATUSES,
  modificationRule,
  PAYMENT_STATUS_RULES,
  PAYMENT_STATUSES,
  paymentRule,
} from "./status_map.ts";

// Written out, not derived: a status added to the vocabulary must be added here with its meaning.
const PAYMENT_ROWS = [
  ["authorized", { kind: "succeeded", captured: false }],
  ["captured", { kind: "succeeded", captured: true }],
  ["declined", { kind: "failed", fallbackCode: "card_declined" }],
  ["failed", { kind: "failed", fallbackCode: "processing_error" }],
  ["processing", { kind: "pending" }],
] as const;

const MODIFICATION_ROWS = [
  ["succeeded", { kind: "succeeded" }],
  ["failed", { kind: "failed", fallbackCode: BY_OPERATION }],
  ["processing", { kind: "pending" }],
] as const;

const NOT_STATUSES: readonly unknown[] = [
  "AUTHORIZED",
  " captured",
  "refunded",
  "",
  "toString",
  "__proto__",
  "constructor",
  42,
  null,
  undefined,
  { status: "captured" },
];

Deno.test("paymentRule() maps every payment status of the API", async (t) => {
  assertEquals(PAYMENT_ROWS.map(([status]) => status), [...PAYMENT_STATUSES]);
  for (const [status, rule] of PAYMENT_ROWS) {
    await t.step(`${status} -> ${rule.kind}`, () => {
      assertEquals(paymentRule(status), rule);
      assertEquals(PAYMENT_STATUS_RULES[status], rule);
    });
  }
});

Deno.test("modificationRule() maps every modification status of the API", async (t) => {
  assertEquals(MODIFICATION_ROWS.map(([status]) => status), [...MODIFICATION_STATUSES]);
  for (const [status, rule] of MODIFICATION_ROWS) {
    await t.step(`${status} -> ${rule.kind}`, () => {
      assertEquals(modificationRule(status), rule);
      assertEquals(MODIFICATION_STATUS_RULES[status], rule);
    });
  }
});

Deno.test("paymentRule() and modificationRule() read anything else as unknown, never a success", async (t) => {
  for (const value of NOT_STATUSES) {
    await t.step(JSON.stringify(value) ?? "undefined", () => {
      equal(paymentRule(value).kind, "unknown");
      equal(modificationRule(value).kind, "unknown");
    });
  }
});

Deno.test("failureCode() maps PSP codes to snake_case core codes and falls back otherwise", async (t) => {
  for (const [pspCode, coreCode] of Object.entries(FAILURE_CODES)) {
    await t.step(`${pspCode} -> ${coreCode}`, () => {
      ok(/^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/.test(coreCode), `${coreCode} is not snake_case`);
      equal(failureCode(pspCode, "fallback"), coreCode);
    });
  }
  equal(failureCode("lost_in_transit", "card_declined"), "card_declined");
  equal(failureCode(undefined, "processing_error"), "processing_error");
  equal(failureCode("__proto__", "card_declined"), "card_declined");
});

Deno.test("eventOperation() names the operation of every event type and nothing else", () => {
  equal(eventOperation("payment.updated"), "pay");
  equal(eventOperation("capture.updated"), "capture");
  equal(eventOperation("void.updated"), "void");
  equal(eventOperation("refund.updated"), "refund");
  equal(eventOperation("payout.paid"), undefined);
  equal(eventOperation("toString"), undefined);
  equal(eventOperation(7), undefined);
});
