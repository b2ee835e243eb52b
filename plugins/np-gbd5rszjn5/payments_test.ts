/**
 * Offsite payments against the emulator: the hosted page, and what the plugin makes of each way the buyer
 * leaves it (or never does).
 */
import { ok, strictEqual } from "node:assert/strict";
import type { PspOutcome } from "../../src/plugin_api.ts";
import { driveBuyerPage } from "../kit/conformance/mod.ts";
import { createNpGbd5rszjn5Plugin } from "./mod.ts";
import { context, withHarness } from "./test_support.ts";
import { payInput } from "./test_support_payments.ts";
import type { Harness } from "./emulator/mod.ts";

const plugin = createNpGbd5rszjn5Plugin();
/**
 * These tests are about offsite payments: they apply to a plugin whose manifest declares `redirect` (the
 * template they come from also holds a card plugin).
 */
const ignore = !plugin.manifest.capabilities.redirect;

function summary(outcome: PspOutcome): string {
  return outcome.kind === "failed" ? `failed:${outcome.code}` : outcome.kind;
}

async function waiting(harness: Harness) {
  const input = payInput("sale");
  const action = await plugin.pay(input, context(harness));
  if (action.kind !== "requires_action") throw new Error(`pay() answered ${JSON.stringify(action)}`);
  const back = (returnParams: Record<string, string>) =>
    plugin.continueAfterRedirect(
      {
        reference: input.reference,
        amount: input.amount,
        pspReference: action.pspReference,
        resume: action.resume,
        returnParams,
      },
      context(harness),
    );
  return { input, action, back };
}

Deno.test(
  { name: "the buyer's return before acting on the page is refused and changes nothing", ignore },
  async () => {
    await withHarness(async (harness) => {
      const { input, action, back } = await waiting(harness);
      strictEqual(summary(await back({})), "return_refused");
      const page = await fetch(action.redirect.url);
      ok((await page.text()).includes('value="approve"'), "the hosted page has no approve button");
      await driveBuyerPage(action.redirect, "approve", input.returnUrl);
      strictEqual(summary(await back({})), "succeeded");
    });
  },
);

Deno.test(
  { name: "failing or cancelling on the page fails the payment with its code", ignore },
  async (t) => {
    for (
      const [decision, expected] of [["fail", "failed:payment_declined"], [
        "cancel",
        "failed:payment_cancelled",
      ]] as const
    ) {
      await t.step(decision, async () => {
        await withHarness(async (harness) => {
          const { input, action, back } = await waiting(harness);
          await driveBuyerPage(action.redirect, decision, input.returnUrl);
          strictEqual(summary(await back({})), expected);
        });
      });
    }
  },
);

Deno.test(
  { name: "a payment the buyer never finishes waits, then fails once the PSP expires it", ignore },
  async () => {
    await withHarness(async (harness) => {
      const { input, action } = await waiting(harness);
      const ask = () =>
        plugin.query({ operation: "pay", ...input, pspReference: action.pspReference }, context(harness));
      strictEqual(summary(await ask()), "requires_action");
      await harness.expire(input.reference);
      strictEqual(summary(await ask()), "failed:payment_expired");
    });
  },
);

Deno.test({
  name: "a query with the key of a pay call whose answer was lost finds the payment by replay",
  ignore,
}, async () => {
  await withHarness(async (harness) => {
    const input = payInput("authorize");
    const key = `test-${crypto.randomUUID()}`;
    const created = await plugin.pay(input, context(harness, { key }));
    const found = await plugin.query({ operation: "pay", ...input }, context(harness, { key }));
    strictEqual(found.kind, "requires_action");
    strictEqual(
      found.kind === "requires_action" && created.kind === "requires_action" && found.redirect.url,
      created.kind === "requires_action" && created.redirect.url,
    );
    strictEqual(harness.charges(input.reference).count, 1);
  });
});
