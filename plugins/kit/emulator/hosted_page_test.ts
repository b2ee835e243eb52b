import { ok, strictEqual as equal } from "node:assert/strict";
import { hostedPage, messagePage, readPageAction, seeOther } from "./hosted_page.ts";

const HOSTILE = `<script>alert("x")</script>&'`;

Deno.test("hostedPage() renders a form of action buttons that posts to its own URL, escaping every value", async () => {
  const page = await hostedPage({
    title: `Approve ${HOSTILE}`,
    paragraphs: [`Pay ${HOSTILE}`],
    details: [["Reference", HOSTILE]],
    actions: [{ action: "approve", label: "Approve" }, { action: "cancel", label: `Cancel ${HOSTILE}` }],
    onwardUrls: ["https://gateway.example/v1/return/pay_1?sig=a", "https://gateway.example/other"],
  });
  equal(page.status, 200);
  equal(page.headers.get("content-type"), "text/html; charset=utf-8");
  const text = await page.text();
  ok(!text.includes("<script>"), "no markup from values");
  ok(text.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"));
  ok(text.includes('<form method="post">'), "posts to the page's own URL");
  ok(text.includes('<button type="submit" name="action" value="approve">Approve</button>'));
  ok(text.includes('name="action" value="cancel"'));
  ok(text.includes('<meta name="viewport" content="width=device-width, initial-scale=1">'), "fits a phone");
  const csp = page.headers.get("content-security-policy") ?? "";
  ok(csp.includes("default-src 'none'"));
  ok(csp.includes("form-action 'self' https://gateway.example;"), csp);
  ok(!csp.includes("unsafe-inline") && !csp.includes("script-src"));
  // The only stylesheet is allowed by its hash, and it is the one in the page.
  const style = text.match(/<style>(.*)<\/style>/)?.[1] ?? "";
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(style));
  ok(csp.includes(`style-src 'sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}'`));
  equal(page.headers.get("referrer-policy"), "no-referrer");
});

Deno.test("readPageAction() accepts only the page's own actions", async () => {
  const post = (body: string) =>
    new Request("http://127.0.0.1/page", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
    });
  const actions = ["approve", "fail", "cancel"] as const;
  equal(await readPageAction(post("action=fail"), actions), "fail");
  equal(await readPageAction(post("action=maybe"), actions), undefined);
  equal(await readPageAction(post(""), actions), undefined);
  equal(await readPageAction(post(`action=approve&padding=${"x".repeat(20_000)}`), actions), undefined);
});

Deno.test("seeOther() and messagePage() answer as a page's form handler does", async () => {
  const onward = seeOther("https://gateway.example/v1/return/pay_1?redirectResult=abc");
  equal(onward.status, 303);
  equal(onward.headers.get("location"), "https://gateway.example/v1/return/pay_1?redirectResult=abc");
  const unknown = await messagePage("Unknown page", `Nothing here ${HOSTILE}`, 404);
  equal(unknown.status, 404);
  ok(!(await unknown.text()).includes("<script>"));
});
