/**
 * The `bank` extension end to end over real HTTP (contract section 8): the gateway in dev mode, the sandbox's
 * Mollie emulator, a fake Genstore. Approve, fail, cancel, abandon (Mollie's `expired`), the buyer always
 * ending at returnUrl, replays returning the same redirectUrl, forged and duplicate webhooks changing
 * nothing, a webhook before the buyer returns, partial refunds reported when final, manualCapture refused.
 */
import { deepStrictEqual as deepEqual, match, ok, strictEqual as equal } from "node:assert/strict";
import { jsonbHeldAsStrings } from "../support/databases.ts";
import { actOnBuyerPage, createGenstoreClient } from "../../adapters/dev/genstore_client.ts";
import type { MollieEmulator } from "../../plugins/mollie/emulator/mod.ts";
import { CLIENT_SECRET, eventually, type Harness, newId, startHarness } from "../support/harness.ts";

const RETURN_URL = "https://demo.genmystore.com/checkout/return";

function bankClient(h: Harness) {
  return createGenstoreClient({
    gatewayUrl: h.gateway.url,
    clientSecret: CLIENT_SECRET,
    publicKey: h.gateway.publicKey,
    shopDomain: "demo.genmystore.com",
    extension: "bank",
  });
}

async function operationOf(h: Harness, kind: string, id: string) {
  const rows = await h.gateway.db.query<{ reference: string; status: string; psp_reference: string | null }>(
    "SELECT reference, status, psp_reference FROM operations WHERE shop = 'demo' AND kind = $1 AND operation_id = $2",
    [kind, id],
  );
  return rows[0];
}

Deno.test({
  name: "bank payments end to end through the Mollie sandbox",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const h = await startHarness();
    const mollie = h.sandbox.programs.get("mollie") as MollieEmulator;
    const bank = bankClient(h);
    const bodyOf = (id: string, extra: Record<string, unknown> = {}) => ({
      ...bank.paymentBody({ paymentId: id, amount: "25.00", currency: "EUR", returnUrl: RETURN_URL }),
      ...extra,
    });
    const pay = (id: string, extra: Record<string, unknown> = {}) => bank.send("payments", bodyOf(id, extra));
    try {
      await t.step(
        "approve: redirect to Mollie's checkout, back at returnUrl, callback true; replay, same URL",
        async () => {
          const id = newId("PB");
          const body = bodyOf(id);
          const answer = await bank.send("payments", body);
          equal(answer.status, 200, answer.text);
          ok(
            typeof answer.body.channelPaymentId === "string" &&
              String(answer.body.channelPaymentId).startsWith("tr_"),
          );
          const redirectUrl = String(answer.body.redirectUrl);
          ok(redirectUrl.startsWith(`${h.sandbox.url}/mollie/`), redirectUrl);
          const replay = await bank.send("payments", body);
          equal(replay.text, answer.text);
          equal(replay.headers.get("idempotent-replayed"), "true");
          equal((await bank.query("payments", id)).body.status, "PROCESSING");
          equal(await actOnBuyerPage(redirectUrl, "approve", RETURN_URL), RETURN_URL);
          const callback = await h.genstore.waitForCallback("payment", id);
          equal(callback.body.status, true);
          equal(callback.body.amount, "25.00");
          equal(callback.body.currency, "EUR");
          equal((await bank.query("payments", id)).body.status, "SUCCESS");
        },
      );

      for (const [action, code] of [["fail", "payment_failed"], ["cancel", "payment_canceled"]] as const) {
        await t.step(`${action}: the buyer still lands on returnUrl and the callback is false`, async () => {
          const id = newId("PB");
          const answer = await pay(id);
          equal(await actOnBuyerPage(String(answer.body.redirectUrl), action, RETURN_URL), RETURN_URL);
          const callback = await h.genstore.waitForCallback("payment", id);
          equal(callback.body.status, false);
          match(String(callback.body.error), new RegExp(`^${code}: `));
        });
      }

      await t.step("abandon: Mollie expires the payment, and its webhook ends it false", async () => {
        const id = newId("PB");
        await pay(id);
        const { psp_reference } = await operationOf(h, "payment", id);
        ok(await mollie.expire(psp_reference!));
        const callback = await h.genstore.waitForCallback("payment", id, 15_000);
        equal(callback.body.status, false);
        match(String(callback.body.error), /^payment_expired: /);
      });

      await t.step("the webhook arrives before the buyer returns; the return changes nothing", async () => {
        const id = newId("PB");
        const answer = await pay(id);
        const page = String(answer.body.redirectUrl);
        // The buyer approves but their browser never follows the redirect back.
        const acted = await fetch(page, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: "action=approve",
          redirect: "manual",
        });
        await acted.body?.cancel();
        const callback = await h.genstore.waitForCallback("payment", id);
        equal(callback.body.status, true);
        const back = await fetch(acted.headers.get("location")!, { redirect: "manual" });
        await back.body?.cancel();
        equal(back.headers.get("location"), RETURN_URL);
        await new Promise((resolve) => setTimeout(resolve, 500));
        equal(h.genstore.delivered().filter((a) => a.kind === "payment" && a.id === id).length, 1);
      });

      await t.step("forged and repeated webhooks change nothing", async () => {
        const id = newId("PB");
        await pay(id);
        const { reference, psp_reference } = await operationOf(h, "payment", id);
        const url = `${h.gateway.url}/v1/notifications/mollie?reference=${encodeURIComponent(reference)}`;
        // Another payment's id under this reference: the fetched payment names another reference.
        const other = newId("PB");
        await pay(other);
        const forged = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: `id=${(await operationOf(h, "payment", other)).psp_reference}`,
        });
        await forged.body?.cancel();
        equal(forged.status, 401);
        for (let i = 0; i < 2; i++) {
          const repeated = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: `id=${psp_reference}`,
          });
          await repeated.body?.cancel();
          equal(repeated.status, 200);
        }
        equal((await operationOf(h, "payment", id)).status, "requires_action", "an open payment stays open");
      });

      await t.step("partial refunds are reported when Mollie says they are final", async () => {
        const id = newId("PB");
        const answer = await pay(id);
        await actOnBuyerPage(String(answer.body.redirectUrl), "approve", RETURN_URL);
        await h.genstore.waitForCallback("payment", id);
        const first = newId("RB");
        const refunded = await bank.refund(first, id, "10.00");
        equal(refunded.status, 200, refunded.text);
        ok(refunded.body.error === undefined, refunded.text);
        const callback = await h.genstore.waitForCallback("refund", first, 15_000);
        equal(callback.body.status, true);
        equal(callback.body.amount, "10.00");
        const second = newId("RB");
        await bank.refund(second, id, "15.00");
        equal((await h.genstore.waitForCallback("refund", second, 15_000)).body.status, true);
        const over = newId("RB");
        match(String((await bank.refund(over, id, "0.01")).body.error), /^amount_exceeds_captured: /);
        equal((await bank.query("refunds", first)).body.status, "SUCCESS");
      });

      await t.step("manualCapture on bank is refused with capture_not_supported", async () => {
        const id = newId("PB");
        const answer = await pay(id, { manualCapture: true });
        match(String(answer.body.error), /^capture_not_supported: /);
        const callback = await h.genstore.waitForCallback("pre_authorize", id);
        equal(callback.body.status, false);
      });

      await t.step("an offsite payment needs a returnUrl", async () => {
        const body = bank.paymentBody({ paymentId: newId("PB"), amount: "5.00", currency: "EUR" }) as {
          paymentMethod: { data: Record<string, unknown> };
        };
        delete body.paymentMethod.data.returnUrl;
        const answer = await bank.send("payments", body);
        equal(answer.status, 400);
        equal((answer.body.issues as { path: string }[])[0].path, "paymentMethod.data.returnUrl");
      });

      await t.step("Mollie down when the buyer returns: the gateway finds out by asking later", async () => {
        const id = newId("PB");
        const answer = await pay(id);
        const page = String(answer.body.redirectUrl);
        const acted = await fetch(page, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: "action=approve",
          redirect: "manual",
        });
        await acted.body?.cancel();
        h.setPspDown(true);
        try {
          const back = await fetch(acted.headers.get("location")!, { redirect: "manual" });
          await back.body?.cancel();
          equal(
            back.headers.get("location"),
            RETURN_URL,
            "the buyer is sent on even when Mollie cannot be asked",
          );
          await new Promise((resolve) => setTimeout(resolve, 500));
          ok(
            (await operationOf(h, "payment", id)).status !== "succeeded",
            "nothing was decided without Mollie",
          );
        } finally {
          h.setPspDown(false);
        }
        // Mollie's webhook retries, or the gateway's own question: one final callback either way.
        const callback = await h.genstore.waitForCallback("payment", id, 20_000);
        equal(callback.body.status, true);
        await eventually(async () => (await operationOf(h, "payment", id)).status === "succeeded");
      });

      await t.step("every jsonb value is stored as JSON, not as a string of JSON", async () => {
        deepEqual(await jsonbHeldAsStrings(h.gateway.db), []);
      });
    } finally {
      await h.stop();
    }
  },
});
