/**
 * Every refusal of the onboarding routes over HTTP, on the store under test: each answers the page or code
 * the contract says and leaves the database as it was (no token, no credentials, no callback, no state).
 */
import { ok, strictEqual as equal } from "node:assert/strict";
import { DEMO } from "../../adapters/server/seed.ts";
import type { Harness } from "../support/harness.ts";
import {
  browserClient,
  hiddenValue,
  installShop,
  launch,
  sendWebhook,
  startOnboardingHarness,
} from "./onboarding_support.ts";

const NOW = () => Math.floor(Date.now() / 1000);

async function count(h: Harness, table: string, shop: string): Promise<number> {
  const [row] = await h.gateway.db.query(`SELECT count(*) AS n FROM ${table} WHERE shop = $1`, [shop]);
  return Number(row.n);
}

/** Nothing of the shop is stored: no token, no binding, no callback. */
async function assertNothingStored(h: Harness, shop: string): Promise<void> {
  equal(await h.gateway.shops.accessToken(shop), undefined, `${shop} has a token`);
  equal(await count(h, "shop_extensions", shop), 0, `${shop} has a binding`);
  equal(await count(h, "outbox", shop), 0, `${shop} has a callback`);
}

function titleOf(html: string): string {
  return /<h1>([^<]*)<\/h1>/.exec(html)?.[1] ?? "";
}

Deno.test({
  name: "onboarding refuses bad launches, forged or reused states, forged forms and bad webhooks",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const h = await startOnboardingHarness();
    const SANDBOX = h.sandboxCard;
    const url = h.gateway.url;
    try {
      await t.step("GET /install without, with a wrong or with a stale hmac is a 401 page", async () => {
        const browser = browserClient(url);
        const good = await launch(url, "/install", "nohmac");
        for (
          const [label, target] of [
            ["missing hmac", good.replace(/&hmac=[0-9a-f]+/, "")],
            ["wrong hmac", good.replace(/hmac=[0-9a-f]{4}/, "hmac=0000")],
            ["other secret", await launch(url, "/install", "nohmac", { secret: "not-the-client-secret" })],
            ["stale timestamp", await launch(url, "/install", "nohmac", { at: NOW() - 400 })],
            ["future timestamp", await launch(url, "/install", "nohmac", { at: NOW() + 400 })],
          ]
        ) {
          const answer = await browser.get(target);
          equal(answer.status, 401, label);
          equal(titleOf(answer.text), "Installation not started", label);
          ok(answer.text.includes("What to do"), label);
          ok(answer.headers.get("content-security-policy")?.includes("default-src 'none'"), label);
        }
        equal(browser.cookies.size, 0, "no state cookie was set");
        equal(await count(h, "oauth_states", "nohmac"), 0);
      });

      await t.step("GET /install naming a shop of another domain is a 400 page", async () => {
        const browser = browserClient(url);
        const target = (await launch(url, "/install", "x")).replace(
          "shop=x.genmystore.com",
          "shop=x.evil.example",
        );
        equal((await browser.get(target)).status, 401, "the signature covers the shop");
        const { signQuery } = await import("../../adapters/genstore/signature.ts");
        const { CLIENT_SECRET } = await import("../support/harness.ts");
        const query = await signQuery(CLIENT_SECRET, { shop: "x.evil.example", timestamp: String(NOW()) });
        equal((await browser.get(`${url}/install?${query}`)).status, 400);
      });

      await t.step(
        "GET /install sends to consent with a state bound in an HttpOnly SameSite=Lax cookie",
        async () => {
          const browser = browserClient(url);
          const answer = await browser.get(await launch(url, "/install", "statecheck"));
          equal(answer.status, 302);
          const target = new URL(answer.location!);
          equal(target.pathname, "/_dev/genstore/statecheck/admin/oauth2/authorize");
          equal(target.searchParams.get("clientId"), "test-client");
          equal(target.searchParams.get("scope"), "read_payments,write_payments");
          equal(target.searchParams.get("redirectUri"), `${url}/oauth/callback`);
          ok(/^[0-9a-f]{64}$/.test(target.searchParams.get("state")!));
          const cookie = answer.headers.getSetCookie().find((line) => line.startsWith("gw_install="))!;
          ok(/HttpOnly/i.test(cookie) && /SameSite=Lax/i.test(cookie), cookie);
          ok(!/Secure/i.test(cookie), "http APP_URL: not Secure");
          equal(await count(h, "oauth_states", "statecheck"), 1);
        },
      );

      await t.step("GET /oauth/callback refuses forged, foreign, missing and reused states", async () => {
        const browser = browserClient(url);
        const start = await browser.get(await launch(url, "/install", "cbshop"));
        const state = new URL(start.location!).searchParams.get("state")!;
        const callback = (extra: Record<string, string>, shop = "cbshop", at?: number) =>
          launch(url, "/oauth/callback", shop, { at, extra: { code: "c0de", state, ...extra } });
        const cases: [string, string, ReturnType<typeof browserClient>][] = [
          ["missing hmac", (await callback({})).replace(/&hmac=[0-9a-f]+/, ""), browser],
          ["stale timestamp", await callback({}, "cbshop", NOW() - 400), browser],
          ["forged state", await callback({ state: "f".repeat(64) }), browser],
          ["other shop", await callback({}, "othershop"), browser],
          ["no cookie", await callback({}), browserClient(url)],
        ];
        for (const [label, target, client] of cases) {
          const answer = await client.get(target);
          equal(answer.status, 401, label);
          equal(titleOf(answer.text), "Installation not completed", label);
        }
        // A code Genstore refuses (the state is good): 401, nothing stored, and the state is spent.
        const saved = new Map(browser.cookies);
        const bogus = await browser.get(await callback({ code: "not-a-code-genstore-issued" }));
        equal(bogus.status, 401);
        ok(bogus.text.includes("Genstore did not accept the authorization code"), bogus.text);
        await assertNothingStored(h, "cbshop");
        const replay = browserClient(url);
        for (const [name, value] of saved) replay.cookies.set(name, value);
        const reused = await replay.get(await callback({}));
        equal(reused.status, 401);
        ok(reused.text.includes("already used"), reused.text);
        await assertNothingStored(h, "cbshop");
      });

      await t.step("a used state cannot install twice, even with the cookie and a fresh code", async () => {
        const browser = browserClient(url);
        await browser.post("/_dev/genstore/admin/shops", { handle: "twice" });
        const start = await browser.get(await launch(url, "/install", "twice"));
        const saved = new Map(browser.cookies);
        const consent = await browser.follow(start);
        const action = /<form method="post" action="([^"]+)"/.exec(consent.text)![1];
        const fields = Object.fromEntries(
          [...consent.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((
            m,
          ) => [m[1], m[2]]),
        );
        const approved = await browser.post(action, { ...fields, decision: "approve" });
        const callbackUrl = approved.location!;
        equal((await browser.follow(approved)).status, 200);
        const token = await h.gateway.shops.accessToken("twice");
        ok(token !== undefined);
        const again = browserClient(url);
        for (const [name, value] of saved) again.cookies.set(name, value);
        equal((await again.get(callbackUrl)).status, 401);
        equal(await h.gateway.shops.accessToken("twice"), token, "the token was not replaced");
      });

      await t.step(
        "the authorize page refuses bad launches, missing sessions and uninstalled shops",
        async () => {
          const browser = browserClient(url);
          const good = await launch(url, "/v1/ext/card/authorize", DEMO.shop);
          equal((await browser.get(good.replace(/hmac=[0-9a-f]{4}/, "hmac=0000"))).status, 401);
          equal(
            (await browser.get(await launch(url, "/v1/ext/card/authorize", DEMO.shop, { at: NOW() - 600 })))
              .status,
            401,
          );
          equal((await browser.get("/v1/ext/card/authorize")).status, 401, "no session");
          equal(
            (await browser.get(await launch(url, "/v1/ext/card/authorize", "neverinstalled"))).status,
            403,
          );
          equal((await browser.get(await launch(url, "/v1/ext/nosuch/authorize", DEMO.shop))).status, 404);
          equal(browser.cookies.size, 0, "no session was started");
          const opened = await browser.get(good);
          equal(opened.status, 303, "a good launch starts a session and drops the launch parameters");
          equal(opened.location, "/v1/ext/card/authorize");
          const cookie = opened.headers.getSetCookie().find((line) => line.startsWith("gw_authorize_card="))!;
          ok(
            /HttpOnly/i.test(cookie) && /SameSite=Lax/i.test(cookie) && /Max-Age=3600/i.test(cookie),
            cookie,
          );
          equal((await browser.get("/v1/ext/card/authorize")).status, 200);
          // A tampered cookie is no session.
          const tampered = browserClient(url);
          tampered.cookies.set(
            "gw_authorize_card",
            browser.cookies.get("gw_authorize_card")!.replace(/%22demo%22/, "%22acme%22"),
          );
          equal((await tampered.get("/v1/ext/card/authorize")).status, 401);
        },
      );

      const browser = browserClient(url);
      const landing = await installShop(h, browser, "formshop");
      const csrf = hiddenValue(landing.text, "csrf")!;
      const post = (fields: Record<string, string>, options?: { origin?: string | null }) =>
        browser.post("/v1/ext/card/authorize", { csrf, shop: "formshop", mode: "test", ...fields }, options);

      await t.step(
        "POST authorize refuses cross-site posts, forged CSRF tokens and another shop",
        async () => {
          equal((await post(SANDBOX, { origin: "https://evil.example" })).status, 403);
          equal((await post(SANDBOX, { origin: null })).status, 403, "no Origin, no Sec-Fetch-Site");
          const forged = await browser.post("/v1/ext/card/authorize", {
            ...SANDBOX,
            csrf: "0".repeat(48),
            shop: "formshop",
            mode: "test",
          });
          equal(forged.status, 403);
          equal(
            (await browser.post("/v1/ext/card/authorize", { ...SANDBOX, shop: "formshop", mode: "test" }))
              .status,
            403,
          );
          const otherShop = await post({ ...SANDBOX, shop: "demo" });
          equal(otherShop.status, 403, "the form names another shop than the session's");
          ok(otherShop.text.includes("does not belong to this browser"), otherShop.text);
          equal(
            (await browserClient(url).post("/v1/ext/card/authorize", {
              ...SANDBOX,
              csrf,
              shop: "formshop",
              mode: "test",
            })).status,
            401,
          );
          equal(
            (await browser.post("/v1/ext/card/authorize/disconnect", {
              csrf: "x",
              shop: "formshop",
              mode: "test",
            })).status,
            403,
          );
          equal(await count(h, "shop_extensions", "formshop"), 0);
          equal(await count(h, "outbox", "formshop"), 0);
        },
      );

      await t.step(
        "POST authorize shows schema errors next to their fields (400) and stores nothing",
        async () => {
          const answer = await post({ ...SANDBOX, hmacKeyHex: "xyz", merchantAccount: "" });
          equal(answer.status, 400);
          ok(/id="test-hmacKeyHex"[^>]*aria-invalid="true"/.test(answer.text), "the field is marked");
          ok(answer.text.includes('id="test-merchantAccount-error">Enter the merchant account'), answer.text);
          const schema = await post({ ...SANDBOX, hmacKeyHex: "abc" });
          equal(schema.status, 400);
          ok(
            schema.text.includes('id="test-hmacKeyHex-error">must be an even-length hexadecimal string'),
            schema.text,
          );
          ok(
            schema.text.includes('id="test-apiKey" name="apiKey" type="password" value=""'),
            "secrets not echoed",
          );
          ok(schema.text.includes(`value="${SANDBOX.merchantAccount}"`), "non-secrets are kept");
          const mode = await post({ ...SANDBOX, mode: "prod" });
          equal(mode.status, 400);
          ok(mode.text.includes("Choose test or live mode"));
          const huge = await post({ ...SANDBOX, merchantAccount: "x".repeat(20_000) });
          equal(huge.status, 413);
          equal(await count(h, "shop_extensions", "formshop"), 0);
          equal(await count(h, "outbox", "formshop"), 0);
        },
      );

      await t.step("disconnecting a mode that is not connected changes and reports nothing", async () => {
        const answer = await browser.post("/v1/ext/card/authorize/disconnect", {
          csrf,
          shop: "formshop",
          mode: "live",
        });
        equal(answer.status, 303);
        ok((await browser.follow(answer)).text.includes("Live mode was not connected: nothing changed"));
        equal(await count(h, "outbox", "formshop"), 0);
      });

      await t.step(
        "POST /webhooks/genstore refuses a missing or wrong signature, changing nothing",
        async () => {
          const body = { shopId: "1", shopDomain: "formshop.genmystore.com" };
          for (
            const [label, options] of [
              ["missing", { signature: null }],
              ["wrong secret", { secret: "not-the-client-secret" }],
              ["garbage", { signature: "bm90IGEgc2lnbmF0dXJl" }],
            ] as const
          ) {
            const answer = await sendWebhook(url, "app/uninstalled", "formshop", body, options);
            equal(answer.status, 401, label);
          }
          ok(await h.gateway.shops.accessToken("formshop") !== undefined, "still installed");
          equal(await count(h, "genstore_webhooks", "formshop"), 0);
          const malformed = await sendWebhook(url, "customers/redact", "formshop", {
            customer: "not an object",
          });
          equal(malformed.status, 400);
        },
      );

      await t.step("a repeated webhook delivery gets the same answer and changes nothing", async () => {
        const body = { shopId: "1", shopDomain: "formshop.genmystore.com" };
        const first = await sendWebhook(url, "app/uninstalled", "formshop", body, { id: "delivery-1" });
        equal(first.status, 200);
        equal(await h.gateway.shops.accessToken("formshop"), undefined);
        // Installed again meanwhile: the same delivery again must not uninstall it.
        await h.gateway.shops.install("formshop", "gst_new-token");
        const again = await sendWebhook(url, "app/uninstalled", "formshop", body, { id: "delivery-1" });
        equal(again.status, 200);
        equal(JSON.stringify(again.body), JSON.stringify(first.body));
        equal(await h.gateway.shops.accessToken("formshop"), "gst_new-token");
        // Without a delivery id, a repeat is recognised by its topic and body.
        const request = { shopId: "1", customer: { id: "c1" }, ordersRequested: ["PI-none"] };
        const a = await sendWebhook(url, "customers/data_request", "formshop", request);
        const b = await sendWebhook(url, "customers/data_request", "formshop", request);
        equal(a.status, 200);
        equal(JSON.stringify(a.body), JSON.stringify(b.body));
        const audited = await h.gateway.db.query(
          "SELECT kind FROM audit_log WHERE shop = 'formshop' AND kind = 'gdpr.data_request'",
        );
        equal(audited.length, 1, "handled once");
      });
    } finally {
      await h.stop();
    }
  },
});
