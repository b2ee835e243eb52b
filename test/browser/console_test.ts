/**
 * The operator console in a real browser against a real gateway: sign-in refused with a wrong token, a forged
 * CSRF POST refused with nothing changed, a dead letter re-driven and a review item settled with a reason,
 * and a payment's page after authorize → partial capture → refund. Screenshots go to $SCREENSHOTS.
 */
import { ok, strictEqual as equal } from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  collectCspViolations,
  launchBrowser,
  needsBrowser,
  overflowsHorizontally,
  screenshot,
  withPage,
} from "../support/browser.ts";
import { addUnreachableShop, eventually, newId, startHarness } from "../support/harness.ts";

const TOKEN = "operator-token-for-console-tests";

async function signIn(page: Page, url: string, token = TOKEN): Promise<void> {
  await page.goto(`${url}/console`);
  await page.fill("#field-operator", "ada");
  await page.fill("#field-token", token);
  await page.click("button[type=submit]");
}

/** A form POST to the console as a same-origin browser would send it (no cookie unless given). */
async function postForm(url: string, path: string, body: string, extra: Record<string, string> = {}) {
  return await fetch(`${url}${path}`, {
    method: "POST",
    headers: {
      origin: url,
      "sec-fetch-site": "same-origin",
      "content-type": "application/x-www-form-urlencoded",
      ...extra,
    },
    body,
    redirect: "manual",
  });
}

Deno.test({
  ...needsBrowser("operator console: sign-in, CSRF, re-drive, settle, a payment's story"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const h = await startHarness({
      env: { OPERATOR_TOKEN: TOKEN, RECONCILE_DEADLINE_MS: "1500" },
      genstoreTokens: { demo: "dev-token", broken: "broken-token" },
    });
    const { client, genstore, gateway } = h;
    const url = gateway.url;
    const admin = async (path: string) =>
      await (await fetch(`${url}/admin${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    const browser = await launchBrowser();
    try {
      await t.step("a wrong token is refused with 401 and nothing else", async () => {
        const answer = await postForm(url, "/console/sign-in", "operator=ada&token=wrong");
        equal(answer.status, 401);
        const text = await answer.text();
        ok(text.includes("Sign-in refused"));
        ok(!text.includes(TOKEN));
        equal(answer.headers.get("set-cookie"), null);
        const oversized = await postForm(
          url,
          "/console/sign-in",
          `operator=ada&token=${"x".repeat(100_000)}`,
        );
        await oversized.body?.cancel();
        equal(oversized.status, 413, "a page form over 64 KiB is refused before it is read");
        await withPage(browser, async (page) => {
          await signIn(page, url, "still-wrong");
          ok((await page.locator(".notice").textContent())?.includes("Sign-in refused"));
        });
      });

      await t.step("a dead letter is re-driven from the console with a reason", async () => {
        let redriven = false;
        const dead = newId("PI");
        genstore.respondWith((attempt) => attempt.id === dead && !redriven ? 400 : 200);
        await client.pay({ paymentId: dead, amount: "2.00" });
        await eventually(async () =>
          ((await admin("/dead-letters")) as { targetId: string }[]).find((l) => l.targetId === dead)
        );
        await withPage(browser, async (page) => {
          const violations = collectCspViolations(page);
          await signIn(page, url);
          await page.waitForURL(`${url}/console/overview`);
          ok((await page.locator("main").textContent())?.includes("Dead letters: 1"));
          await screenshot(page, "console-overview");

          // A forged CSRF token, with the real session cookie: 403, the letter stays dead.
          const cookies = await page.context().cookies();
          const cookie = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
          const letter = ((await admin("/dead-letters")) as { seq: number; shop: string }[])[0];
          const forged = await postForm(
            url,
            "/console/dead-letters/redrive",
            `csrf=forged&shop=${letter.shop}&seq=${letter.seq}&reason-x=forged`,
            { cookie },
          );
          equal(forged.status, 403);
          equal((await admin("/dead-letters") as unknown[]).length, 1, "nothing changed");

          await page.goto(`${url}/console/dead-letters`);
          await screenshot(page, "console-dead-letters");
          // An empty reason: shown next to the field, nothing changed.
          await page.click("text=Re-drive");
          ok(await page.locator("input:invalid").count() > 0, "the browser refuses an empty reason");
          // A reason of spaces passes the browser's check; the gateway refuses it, says so once, does nothing.
          await page.fill(`#field-reason-${letter.shop}-${letter.seq}`, "   ");
          await page.click("text=Re-drive");
          ok((await page.locator(".notice.bad").textContent())?.includes("a reason is required"));
          ok((await page.locator(".field-error").count()) > 0, "the error is shown next to the field");
          equal((await admin("/dead-letters") as unknown[]).length, 1, "still dead");
          await page.reload();
          equal(await page.locator(".notice").count(), 0, "a notice is shown once");
          // A notice comes only from the gateway's own signed flash, never from the address bar.
          await page.goto(`${url}/console/dead-letters?notice=Send+your+token+to+evil.example&error=x`);
          equal(await page.locator(".notice").count(), 0, "a notice in the URL is not shown");
          await page.fill(`#field-reason-${letter.shop}-${letter.seq}`, "Fixed on Genstore's side");
          redriven = true;
          await page.click("text=Re-drive");
          ok((await page.locator(".notice").textContent())?.includes(`Dead letter ${letter.seq} re-driven`));
          await genstore.waitForCallback("payment", dead);
          equal((await admin("/dead-letters") as unknown[]).length, 0);
          equal(violations.length, 0);
        });
      });

      await t.step(
        "a review item is settled with a reason; the audit keeps operator and reason",
        async () => {
          await addUnreachableShop(gateway, "broken", "broken-token");
          const id = newId("PI");
          await h.clientFor("broken.genmystore.com").pay({ paymentId: id, amount: "5.00" });
          await eventually(async () => ((await admin("/review")) as unknown[]).length > 0 || undefined);
          await withPage(browser, async (page) => {
            await signIn(page, url);
            await page.goto(`${url}/console/review`);
            await screenshot(page, "console-review");
            await page.fill(`#field-reason-broken-payment-${id}`, "PSP dashboard shows it paid");
            await page.click("text=Settle");
            ok((await page.locator(".notice").textContent())?.includes(`Settle payment ${id} as succeeded`));
          });
          equal(((await admin("/review")) as unknown[]).length, 0);
          const audit = JSON.stringify(await admin("/audit/broken?count=50"));
          ok(audit.includes("ada"), "operator recorded");
          ok(audit.includes("PSP dashboard shows it paid"), "reason recorded");
          await genstore.waitForCallback("payment", id);
        },
      );

      await t.step(
        "authorize, partial capture, refund: the payment page shows totals and timeline",
        async () => {
          const id = newId("PI");
          equal((await client.pay({ paymentId: id, amount: "100.00", manualCapture: true })).status, 200);
          await genstore.waitForCallback("pre_authorize", id);
          const captureId = newId("CA");
          equal((await client.capture(captureId, id, "60.00")).status, 200);
          await genstore.waitForCallback("capture", captureId);
          const refundId = newId("RF");
          equal((await client.refund(refundId, id, "20.00")).status, 200);
          await genstore.waitForCallback("refund", refundId);
          for (const width of [1280, 375]) {
            await withPage(browser, async (page) => {
              await signIn(page, url);
              await page.goto(`${url}/console/payments?paymentId=${id}`);
              if (width === 1280) {
                await screenshot(page, "console-payments");
                // A bad filter is refused by the same check as /admin/payments: shown, nothing searched.
                // (PostgreSQL would read `yesterday` as a date: the check must come first.)
                await page.goto(`${url}/console/payments?from=yesterday&shop=demo`);
                ok((await page.locator(".notice.bad").textContent())?.includes("Nothing searched: from:"));
                equal(await page.locator("#field-from-error").count(), 1, "the error is shown by its field");
                equal(await page.locator("table tbody tr").count(), 0, "nothing searched");
                await page.goto(`${url}/console/payments?paymentId=${id}`);
              }
              await page.click(`text=${id}`);
              equal((await page.locator("#authorized").textContent())?.trim(), "100.00 USD");
              equal((await page.locator("#captured").textContent())?.trim(), "60.00 USD");
              equal((await page.locator("#refunded").textContent())?.trim(), "20.00 USD");
              equal((await page.locator("#remaining-refund").textContent())?.trim(), "40.00 USD");
              const timeline = (await page.locator("table").nth(1).textContent()) ?? "";
              ok(timeline.includes(captureId), "capture in the timeline");
              ok(timeline.includes(refundId), "refund in the timeline");
              const callbacks = (await page.locator("h2:has-text('Callbacks') + ul").textContent()) ?? "";
              ok(/capture \S+: delivered, 1 attempt; Genstore answered HTTP 200/.test(callbacks), callbacks);
              await screenshot(page, width === 1280 ? "console-payment" : "console-payment-phone");
              if (width === 375) equal(await overflowsHorizontally(page), false, "nothing overflows a phone");
            }, { width });
          }
        },
      );

      // Last: it locks this client out of sign-in for a minute.
      await t.step(
        "wrong tokens are limited per connection; X-Forwarded-For buys no more tries",
        async () => {
          const statuses: number[] = [];
          for (let attempt = 0; attempt < 12; attempt++) {
            const answer = await postForm(url, "/console/sign-in", "operator=mallory&token=guess", {
              "x-forwarded-for": `203.0.113.${attempt}`,
            });
            await answer.body?.cancel();
            statuses.push(answer.status);
          }
          equal(statuses.at(-1), 429, statuses.join(" "));
          const right = await postForm(url, "/console/sign-in", `operator=ada&token=${TOKEN}`);
          await right.body?.cancel();
          equal(right.status, 429, "even the right token waits out the minute");
        },
      );
    } finally {
      await browser.close();
      await h.stop();
    }
  },
});
