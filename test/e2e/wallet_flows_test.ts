/**
 * The `wallet` extension end to end over real HTTP (contract section 8): the gateway in dev mode, the
 * sandbox's PayPal emulator, a fake Genstore. Approve, fail, cancel, abandon (action timeout), an approved
 * order whose buyer never came back, the buyer always ending at returnUrl, replays returning the same
 * redirectUrl, forged notifications refused, authorize → partial captures → refund, a void, and PayPal down
 * when the buyer returns.
 */
import { match, ok, strictEqual as equal } from "node:assert/strict";
import { actOnBuyerPage, createGenstoreClient } from "../../adapters/dev/genstore_client.ts";
import { CLIENT_SECRET, eventually, type Harness, newId, startHarness } from "../support/harness.ts";

const RETURN_URL = "https://demo.genmystore.com/checkout/return";

function walletClient(h: Harness) {
  return createGenstoreClient({
    gatewayUrl: h.gateway.url,
    clientSecret: CLIENT_SECRET,
    publicKey: h.gateway.publicKey,
    shopDomain: "demo.genmystore.com",
    extension: "wallet",
  });
}

async function statusOf(h: Harness, kind: string, id: string): Promise<string | undefined> {
  const rows = await h.gateway.db.query<{ status: string }>(
    "SELECT status FROM operations WHERE shop = 'demo' AND kind = $1 AND operation_id = $2",
    [kind, id],
  );
  return rows[0]?.status;
}

/** The buyer acts on PayPal's page but their browser never comes back to the gateway. */
async function actWithoutReturning(page: string, action: string): Promise<string> {
  const acted = await fetch(page, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `action=${action}`,
    redirect: "manual",
  });
  await acted.body?.cancel();
  return acted.headers.get("location")!;
}

Deno.test({
  name: "wallet payments end to end through the PayPal sandbox",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const h = await startHarness({ env: { ACTION_TIMEOUT_MS: "2500" } });
    const wallet = walletClient(h);
    const bodyOf = (id: string, extra: Record<string, unknown> = {}) => ({
      ...wallet.paymentBody({ paymentId: id, amount: "42.00", currency: "USD", returnUrl: RETURN_URL }),
      ...extra,
    });
    const pay = (id: string, extra: Record<string, unknown> = {}) =>
      wallet.send("payments", bodyOf(id, extra));
    try {
      await t.step(
        "approve: PayPal's page, the gateway captures on return, callback true; replay, same URL",
        async () => {
          const id = newId("PW");
          const body = bodyOf(id);
          const answer = await wallet.send("payments", body);
          equal(answer.status, 200, answer.text);
          const redirectUrl = String(answer.body.redirectUrl);
          ok(redirectUrl.startsWith(`${h.sandbox.url}/paypal/`), redirectUrl);
          equal((await wallet.send("payments", body)).text, answer.text);
          equal(await actOnBuyerPage(redirectUrl, "approve", RETURN_URL), RETURN_URL);
          const callback = await h.genstore.waitForCallback("payment", id);
          equal(callback.body.status, true);
          equal(callback.body.amount, "42.00");
          equal((await wallet.query("payments", id)).body.status, "SUCCESS");
        },
      );

      await t.step(
        "fail: the funding source declines, the buyer lands on returnUrl, callback false",
        async () => {
          const id = newId("PW");
          const answer = await pay(id);
          equal(await actOnBuyerPage(String(answer.body.redirectUrl), "fail", RETURN_URL), RETURN_URL);
          const callback = await h.genstore.waitForCallback("payment", id);
          equal(callback.body.status, false);
          match(String(callback.body.error), /^payment_declined: /);
        },
      );

      await t.step("cancel: the buyer lands on returnUrl and the payment fails", async () => {
        const id = newId("PW");
        const answer = await pay(id);
        equal(await actOnBuyerPage(String(answer.body.redirectUrl), "cancel", RETURN_URL), RETURN_URL);
        const callback = await h.genstore.waitForCallback("payment", id, 10_000);
        equal(callback.body.status, false);
        match(String(callback.body.error), /^(payment_canceled|authentication_abandoned): /);
      });

      await t.step(
        "abandon: no approval within ACTION_TIMEOUT_MS fails with authentication_abandoned",
        async () => {
          const id = newId("PW");
          await pay(id);
          const callback = await h.genstore.waitForCallback("payment", id, 15_000);
          equal(callback.body.status, false);
          match(String(callback.body.error), /^authentication_abandoned: /);
        },
      );

      await t.step("approved but never came back: captured at the deadline, not abandoned", async () => {
        const id = newId("PW");
        const answer = await pay(id);
        await actWithoutReturning(String(answer.body.redirectUrl), "approve");
        const callback = await h.genstore.waitForCallback("payment", id, 15_000);
        equal(callback.body.status, true);
      });

      await t.step("forged notifications are refused and change nothing", async () => {
        const id = newId("PW");
        await pay(id);
        const [row] = await h.gateway.db.query<{ reference: string }>(
          "SELECT reference FROM operations WHERE shop = 'demo' AND kind = 'payment' AND operation_id = $1",
          [id],
        );
        const forged = await fetch(`${h.gateway.url}/v1/notifications/paypal`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "paypal-transmission-id": crypto.randomUUID(),
            "paypal-transmission-time": new Date().toISOString(),
            "paypal-transmission-sig": "Zm9yZ2Vk",
            "paypal-auth-algo": "SHA256withRSA",
            "paypal-cert-url":
              "https://api-m.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-1d93a270",
          },
          body: JSON.stringify({
            id: "WH-FORGED",
            event_type: "PAYMENT.CAPTURE.COMPLETED",
            resource: {
              id: "CAPFORGED",
              status: "COMPLETED",
              custom_id: row.reference,
              amount: { currency_code: "USD", value: "42.00" },
            },
          }),
        });
        await forged.body?.cancel();
        equal(forged.status, 401);
        equal(await statusOf(h, "payment", id), "requires_action");
      });

      await t.step(
        "authorize, two partial captures, a partial refund; another authorization voided",
        async () => {
          const id = newId("PW");
          const answer = await pay(id, { manualCapture: true });
          await actOnBuyerPage(String(answer.body.redirectUrl), "approve", RETURN_URL);
          equal((await h.genstore.waitForCallback("pre_authorize", id)).body.status, true);
          equal((await wallet.query("payments", id)).body.status, "AUTHORIZED");
          const first = newId("CW");
          const second = newId("CW");
          equal((await wallet.capture(first, id, "10.00")).status, 200);
          equal((await h.genstore.waitForCallback("capture", first)).body.status, true);
          await wallet.capture(second, id, "12.00");
          equal((await h.genstore.waitForCallback("capture", second)).body.status, true);
          const refund = newId("RW");
          await wallet.refund(refund, id, "5.00");
          equal((await h.genstore.waitForCallback("refund", refund, 15_000)).body.status, true);

          const other = newId("PW");
          const authorized = await pay(other, { manualCapture: true });
          await actOnBuyerPage(String(authorized.body.redirectUrl), "approve", RETURN_URL);
          await h.genstore.waitForCallback("pre_authorize", other);
          const voidId = newId("VW");
          await wallet.void(voidId, other);
          equal((await h.genstore.waitForCallback("void", voidId)).body.status, true);
          equal((await wallet.query("payments", other)).body.status, "FAILURE");
        },
      );

      await t.step("PayPal down when the buyer returns: settled by asking later", async () => {
        const id = newId("PW");
        const answer = await pay(id);
        const back = await actWithoutReturning(String(answer.body.redirectUrl), "approve");
        h.setPspDown(true);
        try {
          const returned = await fetch(back, { redirect: "manual" });
          await returned.body?.cancel();
          equal(returned.headers.get("location"), RETURN_URL);
          ok(await statusOf(h, "payment", id) !== "succeeded");
        } finally {
          h.setPspDown(false);
        }
        const callback = await h.genstore.waitForCallback("payment", id, 20_000);
        equal(callback.body.status, true);
        await eventually(async () => await statusOf(h, "payment", id) === "succeeded");
      });
    } finally {
      await h.stop();
    }
  },
});
