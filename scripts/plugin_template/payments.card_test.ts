/**
 * Card payments against the emulator: the test cards' results, and a query that finds a payment whose answer
 * was lost without paying again.
 */
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { createSkeletonPayPlugin } from "./mod.ts";
import { context, withHarness } from "./test_support.ts";
import { card, payInput } from "./test_support_payments.card.ts";

const plugin = createSkeletonPayPlugin();

Deno.test("the test cards are approved, declined with their codes, or fail", async (t) => {
  const rows: [string, string][] = [
    ["4242424242424242", "succeeded"],
    ["4000000000000002", "failed:card_declined"],
    ["4000000000009995", "failed:insufficient_funds"],
    ["4000000000000069", "failed:expired_card"],
    ["4000000000000119", "failed:processing_error"],
  ];
  await withHarness(async (harness) => {
    for (const [number, expected] of rows) {
      await t.step(number, async () => {
        const outcome = await plugin.pay({ ...payInput("sale"), card: card(number) }, context(harness));
        strictEqual(outcome.kind === "failed" ? `failed:${outcome.code}` : outcome.kind, expected);
      });
    }
  });
});

Deno.test("a query with the key of a sale finds it, and charges nothing more", async () => {
  await withHarness(async (harness) => {
    const input = payInput("sale");
    const key = `test-${crypto.randomUUID()}`;
    const sold = await plugin.pay(input, context(harness, { key }));
    strictEqual(sold.kind, "succeeded");
    const asked = await plugin.query({ operation: "pay", ...input }, context(harness, { key }));
    deepStrictEqual(asked, sold);
    strictEqual(harness.charges(input.reference).count, 1);
  });
});
