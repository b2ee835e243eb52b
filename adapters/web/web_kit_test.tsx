import { ok, strictEqual as equal } from "node:assert/strict";
import { Hono } from "hono";
import {
  collectCspViolations,
  launchBrowser,
  needsBrowser,
  overflowsHorizontally,
  withPage,
} from "../../test/support/browser.ts";
import { registerAssets } from "./assets.ts";
import { Field, Notice, Page } from "./page.tsx";
import { pageHeaders, sameOriginPosts } from "./security.ts";

function app(origin: () => string): Hono {
  const web = new Hono();
  registerAssets(web);
  web.use("/page/*", pageHeaders());
  web.use("/page/*", (c, next) => sameOriginPosts(origin())(c, next));
  web.get("/page/form", (c) =>
    c.html(
      <Page title="A form" nav={[{ href: "/page/form", label: "Form", current: true }]}>
        <Notice tone="ok">Saved: {"<script>alert(1)</script>"}</Notice>
        <form method="post" action="/page/form" class="stack">
          <Field name="apiKey" label="API key" error="Required" />
          <button type="submit">Save</button>
        </form>
      </Page>,
    ));
  web.post("/page/form", (c) => c.text("accepted"));
  return web;
}

Deno.test({
  ...needsBrowser(
    "web kit pages: escaped by default, strict CSP honoured, fit a phone, refuse cross-site posts",
  ),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    let origin = "";
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app(() => origin).fetch);
    origin = `http://127.0.0.1:${server.addr.port}`;
    const browser = await launchBrowser();
    try {
      await withPage(browser, async (page) => {
        const violations = collectCspViolations(page);
        const response = await page.goto(`${origin}/page/form`);
        ok(response?.headers()["content-security-policy"]?.includes("default-src 'none'"));
        equal(await page.locator(".notice").textContent(), "Saved: <script>alert(1)</script>");
        equal(await page.locator("input#field-apiKey").getAttribute("aria-invalid"), "true");
        ok(!await overflowsHorizontally(page), "the page overflows 375 px");
        await page.keyboard.press("Tab");
        await page.click("button");
        equal(await page.textContent("body"), "accepted");
        equal(violations.length, 0, violations.join("\n"));
      }, { width: 375 });
      const forged = await fetch(`${origin}/page/form`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
        body: "apiKey=x",
      });
      await forged.body?.cancel();
      equal(forged.status, 403);
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});
