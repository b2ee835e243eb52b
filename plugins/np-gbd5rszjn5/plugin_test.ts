/**
 * The plugin against its emulator over loopback HTTP: credentials, captures, voids and refunds under the PSP's
 * accounting, and queries that replay a key (and never charge). How a payment is made is in
 * payments_test.ts.
 */
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import type { PspOutcome } from "../../src/plugin_api.ts";
import { createNpGbd5rszjn5Plugin } from "./mod.ts";
import { context, reference, withHarness } from "./test_support.ts";
import { approvedPayment } from "./test_support_payments.ts";

const plugin = createNpGbd5rszjn5Plugin();
const money = (amountMinor: number) => ({ amountMinor, currency: "EUR" });

function kindAndCode(outcome: PspOutcome): string {
  return outcome.kind === "failed" ? `failed:${outcome.code}` : outcome.kind;
}

Deno.test("verifyCredentials() accepts the account's test key and refuses another", async () => {
  await withHarness(async (harness) => {
    deepStrictEqual(await plugin.verifyCredentials(context(harness)), { ok: true });
    const refused = await plugin.verifyCredentials(context(harness, { credentials: harness.badCredentials }));
    deepStrictEqual(refused, { ok: false, reason: "Np Gbd5rszjn5 refused the API key" });
  });
});

Deno.test("an authorization is captured in parts, refunded in part, and no longer voidable", async () => {
  await withHarness(async (harness) => {
    const { pspReference } = await approvedPayment(plugin, harness, "authorize");
    const modify = (operation: "capture" | "void" | "refund", amountMinor?: number) =>
      plugin[operation]({
        reference: reference(),
        paymentPspReference: pspReference,
        amount: amountMinor === undefined ? undefined : money(amountMinor),
        paymentAmount: money(1000),
      }, context(harness));
    strictEqual(kindAndCode(await modify("capture", 400)), "succeeded");
    strictEqual(kindAndCode(await modify("capture", 600)), "succeeded");
    strictEqual(kindAndCode(await modify("capture", 1)), "failed:payment_not_capturable");
    strictEqual(kindAndCode(await modify("refund", 300)), "succeeded");
    strictEqual(kindAndCode(await modify("refund", 701)), "failed:amount_exceeds_captured");
    strictEqual(kindAndCode(await modify("void")), "failed:void_after_capture");
  });
});

Deno.test("a query replays the key of a refund, and finds nothing under a key the PSP never got", async () => {
  await withHarness(async (harness) => {
    const { pspReference } = await approvedPayment(plugin, harness, "sale");
    const refund = {
      reference: reference(),
      paymentPspReference: pspReference,
      amount: money(250),
      paymentAmount: money(1000),
    };
    const key = `test-${crypto.randomUUID()}`;
    const done = await plugin.refund(refund, context(harness, { key }));
    const asked = await plugin.query({ operation: "refund", ...refund }, context(harness, { key }));
    deepStrictEqual(asked, done);
    const never = await plugin.query({ operation: "refund", ...refund }, context(harness));
    strictEqual(never.kind, "not_received");
    strictEqual(harness.emulator.payments()[0].refunded, 250, "the query refunded again");
  });
});

Deno.test("credentials that do not fit the mode's schema send nothing and fail", async () => {
  await withHarness(async (harness) => {
    const ctx = context(harness, { credentials: { apiKey: "live_not_a_test_key" } });
    const outcome = await plugin.refund(
      { reference: reference(), paymentPspReference: "pay_x", amount: money(1), paymentAmount: money(1) },
      ctx,
    );
    strictEqual(kindAndCode(outcome), "failed:account_not_configured");
  });
});
