/**
 * The status map as a table: every status of the PSP's reference, listed again here, with the rule it gets,
 * one step per row; anything else is unknown, never a success or a guessed failure.
 */
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import {
  eventOperation,
  failureCode,
  MODIFICATION_STATUSES,
  modificationRule,
  PAYMENT_STATUSES,
  paymentRule,
} from "./status_map.ts";

const PAYMENT_ROWS: readonly [string, string][] = [
  ["requires_action", "requires_action"],
  ["authorized", "succeeded"],
  ["captured", "succeeded"],
  ["declined", "failed:card_declined"],
  ["canceled", "failed:payment_cancelled"],
  ["expired", "failed:payment_expired"],
  ["failed", "failed:processing_error"],
  ["processing", "pending"],
];

const MODIFICATION_ROWS: readonly [string, string][] = [
  ["succeeded", "succeeded"],
  ["failed", "failed:by_operation"],
  ["processing", "pending"],
];

function summary(rule: ReturnType<typeof paymentRule>): string {
  return rule.kind === "failed" ? `failed:${rule.fallbackCode}` : rule.kind;
}

Deno.test("every payment status of the reference has its rule", async (t) => {
  deepStrictEqual(PAYMENT_ROWS.map(([status]) => status), [...PAYMENT_STATUSES]);
  for (const [status, expected] of PAYMENT_ROWS) {
    await t.step(status, () => strictEqual(summary(paymentRule(status)), expected));
  }
});

Deno.test("every modification status of the reference has its rule", async (t) => {
  deepStrictEqual(MODIFICATION_ROWS.map(([status]) => status), [...MODIFICATION_STATUSES]);
  for (const [status, expected] of MODIFICATION_ROWS) {
    await t.step(status, () => strictEqual(summary(modificationRule(status)), expected));
  }
});

Deno.test("a status outside the lists is unknown, whatever it looks like", () => {
  for (const status of ["CAPTURED", "toString", "__proto__", "", 1, null, undefined]) {
    strictEqual(paymentRule(status).kind, "unknown", String(status));
    strictEqual(modificationRule(status).kind, "unknown", String(status));
  }
});

Deno.test("codes map to core codes; an unlisted one keeps the status rule's code", () => {
  strictEqual(failureCode("do_not_honor", "x"), "card_declined");
  strictEqual(failureCode("exceeds_captured", "x"), "amount_exceeds_captured");
  strictEqual(failureCode("a_new_code", "card_declined"), "card_declined");
  strictEqual(failureCode("constructor", "card_declined"), "card_declined");
  strictEqual(eventOperation("refund.updated"), "refund");
  strictEqual(eventOperation("payout.updated"), undefined);
});
