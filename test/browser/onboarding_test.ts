/**
 * The whole onboarding of a new shop in dev mode, in a real browser (Debian's Chromium): create the shop in
 * the dev Genstore, install (consent), authorize the card extension with a wrong key and then the sandbox's,
 * pay, disconnect, uninstall. Screenshots of the main pages go to $SCREENSHOTS (`deno task screenshots`).
 */
import { ok, strictEqual as equal } from "node:assert/strict";
import type { Page } from "playwright-core";
import { testCard } from "../../adapters/dev/genstore_client.ts";
import {
  collectCspViolations,
  launchBrowser,
  needsBrowser,
  overflowsHorizontally,
  screenshot,
  withPage,
} from "../support/browser.ts";
import { eventually, type Harness, newId } from "../support/harness.ts";
import { launch, startOnboardingHarness } from "../e2e/onboarding_support.ts";

function accountResults(h: Harness, shop: string): Record<string, unknown>[] {
  return h.gateway.inbox!.received()
    .filter((r) => r.shop === shop && r.kind === "account_authorize")
    .map((r) => r.body as Record<string, unknown>);
}

async function outbox(h: Harness, shop: string) {
  return await h.gateway.db.query<{ kind: string; status: string; last_error: string | null }>(
    "SELECT kind, status, last_error FROM outbox WHERE shop = $1 ORDER BY seq",
    [shop],
  );
}

async function noticeText(page: Page): Promise<string> {
  return (await page.locator(".notice").first().textContent()) ?? "";
}

Deno.test({
  ...needsBrowser("onboarding in a browser: create shop, install, authorize, pay, disconnect, uninstall"),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const h = await startOnboardingHarness();
    const url = h.gateway.url;
    const acme = h.clientFor("acme.genmystore.com");
    const browser = await launchBrowser();
    try {
      await withPage(browser, async (page) => {
        const violations = collectCspViolations(page);
        await page.goto(`${url}/_dev/genstore/admin`);
        await page.fill("#new-shop", "acme");
        await page.click("text=Create shop");
        ok((await noticeText(page)).includes("Shop acme created"));
        await screenshot(page, "onboarding-genstore-admin");

        // Install: Genstore's consent page, then the app's account-authorization page.
        await page.click("text=Install on acme");
        equal(await page.locator("h1").textContent(), "Install the payment gateway on acme?");
        await screenshot(page, "onboarding-consent");
        await page.click("text=Approve and install");
        await page.waitForURL(`${url}/v1/ext/card/authorize?installed=1`);
        ok((await noticeText(page)).includes("The app is installed for acme"));
        ok(await h.gateway.shops.accessToken("acme") !== undefined);
        equal(await page.locator("#test-apiKey").getAttribute("type"), "password");
        equal(
          await page.inputValue("#test-merchantAccount"),
          "GenstoreDemoECOM",
          "prefilled with the sandbox",
        );
        equal(await page.inputValue("#live-apiKey"), "", "live mode is never prefilled");
        await screenshot(page, "onboarding-authorize");

        // A wrong key: the PSP's reason is shown; nothing stored, nothing reported.
        await page.fill("#test-apiKey", "not-the-sandbox-key");
        await page.click("text=Connect test account");
        ok(
          (await page.locator("#test-title ~ .notice").textContent())?.includes("Adyen refused the API key"),
        );
        equal(await page.inputValue("#test-apiKey"), "", "a submitted secret is not echoed");
        equal(await h.gateway.shops.findBinding("acme", "card"), undefined);
        equal((await outbox(h, "acme")).length, 0);
        await screenshot(page, "onboarding-authorize-refused");

        // The sandbox account, submitted from the keyboard.
        await page.click("text=fill in the bundled sandbox account again");
        await page.focus("#test-merchantAccount");
        await page.keyboard.press("Enter");
        await page.waitForURL(/done=connected/);
        ok((await noticeText(page)).includes("Test mode is connected"));
        await screenshot(page, "onboarding-authorize-connected");
        const authorized = await eventually(() => accountResults(h, "acme")[0]);
        equal(JSON.stringify(authorized), JSON.stringify({ status: true, extension: "card", test: true }));

        // A signed payment for the new shop succeeds.
        const paid = await acme.pay({
          paymentId: newId("PI"),
          amount: "10.00",
          card: testCard("4242424242424242"),
        });
        ok(typeof paid.body.channelPaymentId === "string" && paid.body.error === undefined, paid.text);

        // Disconnect: reported false; the next payment is account_not_configured.
        await page.click("text=Disconnect test account");
        await page.waitForURL(/done=disconnected/);
        ok((await noticeText(page)).includes("Test mode is disconnected"));
        const deauthorized = await eventually(() =>
          accountResults(h, "acme").find((r) => r.status === false)
        );
        ok(String(deauthorized.error).startsWith("account_deauthorized: "));
        const refused = await acme.pay({ paymentId: newId("PI"), amount: "10.00" });
        ok(String(refused.body.error).startsWith("account_not_configured"), refused.text);

        // Connected again, then uninstalled while Genstore is down: a callback is still waiting.
        await page.click("text=Connect test account");
        await page.waitForURL(/done=connected/);
        await eventually(async () => (await outbox(h, "acme")).every((row) => row.status === "delivered"));
        await page.goto(`${url}/_dev/genstore/admin`);
        ok((await page.locator("#shop-acme ~ dl").textContent())?.includes("test: authorized"));
        await page.click("text=Simulate a Genstore outage");
        await acme.pay({ paymentId: newId("PI"), amount: "4.00" });
        await eventually(async () => (await outbox(h, "acme")).some((row) => row.status === "pending"));
        await page.click("text=Uninstall from acme");
        ok((await noticeText(page)).includes("The app is uninstalled from acme"), await noticeText(page));
        await screenshot(page, "onboarding-genstore-admin-uninstalled");
        await page.click("text=End the outage");
        equal(await h.gateway.shops.accessToken("acme"), undefined);
        equal(await h.gateway.shops.findBinding("acme", "card"), undefined);
        const dead = (await outbox(h, "acme")).filter((row) => row.status === "dead");
        equal(dead.length, 1);
        ok(dead[0].last_error?.startsWith("app_uninstalled: "));
        equal(violations.length, 0, violations.join("\n"));
      });

      // On a phone: the pages fit 375 px.
      await withPage(browser, async (page) => {
        const violations = collectCspViolations(page);
        await page.goto(`${url}/_dev/genstore/admin`);
        ok(!await overflowsHorizontally(page), "the Genstore admin overflows 375 px");
        await page.goto(await launch(url, "/v1/ext/card/authorize", "demo"));
        equal(await page.locator("h1").textContent(), "Connect your Adyen (Checkout API v71, cards) account");
        ok(!await overflowsHorizontally(page), "the authorize page overflows 375 px");
        await screenshot(page, "onboarding-authorize-phone");
        await page.goto(`${url}/_dev/genstore/admin`);
        await page.click("text=Reinstall on demo");
        ok(!await overflowsHorizontally(page), "the consent page overflows 375 px");
        await page.click("text=Cancel");
        ok((await noticeText(page)).includes("cancelled"));
        await page.goto(await launch(url, "/install", "demo", { at: Math.floor(Date.now() / 1000) - 3600 }));
        equal(await page.locator("h1").textContent(), "Installation not started");
        ok(!await overflowsHorizontally(page), "the problem page overflows 375 px");
        await screenshot(page, "onboarding-refused-launch");
        equal(violations.length, 0, violations.join("\n"));
      }, { width: 375 });
    } finally {
      await browser.close();
      await h.stop();
    }
  },
});
