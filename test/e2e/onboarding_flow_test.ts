/**
 * Merchant onboarding end to end over HTTP (contract section 9), on the store under test: a new shop is
 * created in the dev Genstore, installs the app through OAuth consent, connects its sandbox account (a wrong
 * key first), pays, disconnects and uninstalls; every step is checked in the gateway's database and in what
 * the dev Genstore's inbox received.
 */
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { testCard } from "../../adapters/dev/genstore_client.ts";
import { eventually, type Harness, newId } from "../support/harness.ts";
import {
  type BrowserClient,
  browserClient,
  hiddenValue,
  installShop,
  startOnboardingHarness,
} from "./onboarding_support.ts";

function accountCallbacks(h: Harness, shop: string): { body: Record<string, unknown> }[] {
  return h.gateway.inbox!.received().filter((r) => r.shop === shop && r.kind === "account_authorize") as {
    body: Record<string, unknown>;
  }[];
}

async function outboxRows(h: Harness, shop: string) {
  return await h.gateway.db.query<
    { kind: string; status: string; last_error: string | null; payment_id: string }
  >(
    "SELECT kind, status, last_error, payment_id FROM outbox WHERE shop = $1 ORDER BY seq",
    [shop],
  );
}

async function connect(browser: BrowserClient, page: string, fields: Record<string, string>) {
  return await browser.post("/v1/ext/card/authorize", {
    csrf: hiddenValue(page, "csrf")!,
    shop: "acme",
    mode: "test",
    ...fields,
  });
}

Deno.test({
  name: "onboarding: create shop, install, authorize (wrong key, then sandbox), pay, disconnect, uninstall",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const h = await startOnboardingHarness();
    const SANDBOX = h.sandboxCard;
    try {
      const browser = browserClient(h.gateway.url);
      const landing = await installShop(h, browser, "acme");
      equal(landing.status, 200, landing.text.slice(0, 300));
      ok(landing.text.includes("The app is installed for acme"), "the landing page says what happened");
      equal(await h.gateway.shops.accessToken("acme") !== undefined, true, "the token is stored");
      equal(h.gateway.inbox!.received().length >= 0, true);

      // The form comes from the plugin's schema: labels, secrets as passwords, prefilled with the sandbox.
      ok(landing.text.includes("Merchant account"));
      ok(
        /<input id="test-apiKey" name="apiKey" type="password" value="demo-emulator-api-key"/.test(
          landing.text,
        ),
      );
      ok(/<input id="live-apiKey" name="apiKey" type="password" value=""/.test(landing.text));

      // A wrong key: refused by the sandbox, shown, nothing stored, nothing reported.
      const wrong = await connect(browser, landing.text, { ...SANDBOX, apiKey: "not-the-sandbox-key" });
      equal(wrong.status, 400);
      ok(wrong.text.includes("The PSP refused these credentials: Adyen refused the API key"), wrong.text);
      ok(!wrong.text.includes("not-the-sandbox-key"), "a submitted secret is never echoed");
      equal(await h.gateway.shops.findBinding("acme", "card"), undefined);
      equal((await outboxRows(h, "acme")).length, 0);

      // The sandbox account: connected, stored sealed, reported true.
      const done = await connect(browser, landing.text, SANDBOX);
      equal(done.status, 303);
      const page = await browser.follow(done);
      ok(page.text.includes("Test mode is connected"), page.text);
      ok(page.text.includes("GenstoreDemoECOM"), "the non-secret identifier is shown");
      ok(
        !page.text.includes(SANDBOX.apiKey) && !page.text.includes(SANDBOX.hmacKeyHex),
        "no stored secret is shown",
      );
      equal(
        (await h.gateway.shops.findBinding("acme", "card"))?.test?.merchantAccount,
        SANDBOX.merchantAccount,
      );
      const authorized = await eventually(() => accountCallbacks(h, "acme")[0]);
      deepEqual(authorized.body, { status: true, extension: "card", test: true });

      // A signed payment for acme succeeds with the connected account.
      const acme = h.clientFor("acme.genmystore.com");
      const paid = await acme.pay({
        paymentId: newId("PI"),
        amount: "12.00",
        card: testCard("4242424242424242"),
      });
      equal(paid.status, 200);
      ok(typeof paid.body.channelPaymentId === "string" && paid.body.error === undefined, paid.text);

      // Disconnect: reported false, and the next test payment is account_not_configured.
      const disconnected = await browser.post("/v1/ext/card/authorize/disconnect", {
        csrf: hiddenValue(page.text, "csrf")!,
        shop: "acme",
        mode: "test",
      });
      equal(disconnected.status, 303);
      ok((await browser.follow(disconnected)).text.includes("Test mode is disconnected"));
      const deauthorized = await eventually(() =>
        accountCallbacks(h, "acme").find((r) => r.body.status === false)
      );
      equal(deauthorized.body.extension, "card");
      equal(deauthorized.body.test, true);
      ok(String(deauthorized.body.error).startsWith("account_deauthorized: "));
      const refused = await acme.pay({ paymentId: newId("PI"), amount: "5.00" });
      ok(String(refused.body.error).startsWith("account_not_configured"), refused.text);

      // Uninstall during a Genstore outage: the callback still waiting is dead-lettered with the reason.
      await eventually(async () => (await outboxRows(h, "acme")).every((row) => row.status === "delivered"));
      h.gateway.inbox!.setOutage(true);
      await acme.pay({ paymentId: newId("PI"), amount: "6.00" });
      await eventually(async () => (await outboxRows(h, "acme")).some((row) => row.status === "pending"));
      const uninstalled = await browser.post("/_dev/genstore/admin/uninstall", { shop: "acme" });
      equal(uninstalled.status, 303);
      ok(uninstalled.location?.includes("answer=200"), uninstalled.location ?? "");
      h.gateway.inbox!.setOutage(false);
      equal(await h.gateway.shops.accessToken("acme"), undefined);
      equal(await h.gateway.shops.findBinding("acme", "card"), undefined);
      const dead = (await outboxRows(h, "acme")).filter((row) => row.status === "dead");
      equal(dead.length, 1);
      ok(dead[0].last_error?.startsWith("app_uninstalled: "), dead[0].last_error ?? "");
      const payments = await h.gateway.db.query("SELECT payment_id FROM payments WHERE shop = 'acme'");
      equal(payments.length, 3, "payment records stay");
    } finally {
      await h.stop();
    }
  },
});
