/**
 * Card-on-file end to end (contract section 5): a payment with `storeCard: true` calls back a `cardToken`
 * with brand, last 4 and expiry; later payments with that token, customer- or merchant-initiated, are
 * charged without card data; tokens belong to one shop, one extension and one mode.
 */
import { deepStrictEqual as deepEqual, match, ok, strictEqual as equal } from "node:assert/strict";
import { testCard } from "../../adapters/dev/genstore_client.ts";
import { newId, startHarness } from "../support/harness.ts";

Deno.test({
  name: "card-on-file: store a card, then charge its token as customer and as merchant",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const h = await startHarness({ genstoreTokens: { demo: "dev-token", other: "other-token" } });
    const { client, genstore } = h;
    const tokenPayment = (paymentId: string, token: string, extra: Record<string, unknown> = {}) => ({
      paymentId,
      amount: "7.00",
      currency: "USD",
      test: true,
      manualCapture: false,
      paymentMethod: {
        data: { cardToken: token, returnUrl: "https://demo.genmystore.com/return", ...extra },
      },
    });
    try {
      let token = "";
      await t.step(
        "a payment with storeCard calls back a token and the card's brand, last 4 and expiry",
        async () => {
          const id = newId("PI");
          const body = client.paymentBody({ paymentId: id, amount: "12.00" });
          (body.paymentMethod as { data: Record<string, unknown> }).data.storeCard = true;
          equal((await client.send("payments", body)).status, 200);
          const callback = await genstore.waitForCallback("payment", id);
          equal(callback.body.status, true);
          token = String(callback.body.cardToken);
          match(token, /^ct_[a-z2-7]{20}$/);
          equal(callback.body.last4, "4242");
          equal(callback.body.expiryMonth, "03");
          equal(callback.body.expiryYear, "2030");
          ok(typeof callback.body.brand === "string");
          ok(!callback.text.includes("4242424242424242"));
        },
      );

      for (const initiator of ["customer", "merchant"] as const) {
        await t.step(`the token is charged without card data (${initiator}-initiated)`, async () => {
          const id = newId("PI");
          const answer = await client.send("payments", tokenPayment(id, token, { initiator }));
          equal(answer.status, 200, answer.text);
          ok(answer.body.channelPaymentId);
          const callback = await genstore.waitForCallback("payment", id);
          equal(callback.body.status, true);
          equal(callback.body.amount, "7.00");
          equal(callback.body.cardToken, undefined, "only storing payments hand out a token");
        });
      }

      await t.step("a stored declining card declines", async () => {
        const id = newId("PI");
        const body = client.paymentBody({
          paymentId: id,
          amount: "1.00",
          card: testCard("4000000000000002"),
        });
        (body.paymentMethod as { data: Record<string, unknown> }).data.storeCard = "true";
        await client.send("payments", body);
        const first = await genstore.waitForCallback("payment", id);
        equal(first.body.status, false);
        equal(first.body.cardToken, undefined, "a declined payment stores nothing");
      });

      await t.step("an unknown token, or one of another shop, is refused and called back false", async () => {
        const unknown = newId("PI");
        const answer = await client.send("payments", tokenPayment(unknown, "ct_aaaaaaaaaaaaaaaaaaaa"));
        match(String(answer.body.error), /^card_token_not_found: /);
        equal((await genstore.waitForCallback("payment", unknown)).body.status, false);

        await h.gateway.shops.upsertShop("other");
        await h.gateway.shops.setAccessToken("other", "other-token");
        const demoBinding = await h.gateway.shops.findBinding("demo", "card");
        await h.gateway.shops.bind({ ...demoBinding!, shop: "other" });
        const foreign = newId("PI");
        const other = h.clientFor("other.genmystore.com");
        const refused = await other.send("payments", tokenPayment(foreign, token));
        match(String(refused.body.error), /^card_token_not_found: /);
      });

      await t.step("a live payment cannot use a test token", async () => {
        const id = newId("PI");
        const answer = await client.send("payments", { ...tokenPayment(id, token), test: false });
        match(String(answer.body.error), /^(account_not_configured|card_token_not_found): /);
      });

      await t.step("malformed card-on-file requests are 400 and store nothing", async () => {
        const both = client.paymentBody({ paymentId: newId("PI"), amount: "1.00" });
        (both.paymentMethod as { data: Record<string, unknown> }).data.cardToken = token;
        deepEqual((await client.send("payments", both)).body.issues, [{
          path: "paymentMethod.data.cardToken",
          message: "Send either the encrypted card or a cardToken, not both",
        }]);
        equal((await client.send("payments", tokenPayment(newId("PI"), "4242424242424242"))).status, 400);
        equal(
          (await client.send("payments", tokenPayment(newId("PI"), token, { initiator: "robot" }))).status,
          400,
        );
      });

      await t.step("the database holds no card number, only the PSP's token and the summary", async () => {
        const rows = await h.gateway.db.query<Record<string, unknown>>("SELECT * FROM card_tokens");
        ok(rows.length >= 1);
        for (const row of rows) ok(!JSON.stringify(row).includes("4242424242424242"));
      });
    } finally {
      await h.stop();
    }
  },
});
