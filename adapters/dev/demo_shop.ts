/**
 * The dev-mode demo shop at `/`: a page that plays Genstore's checkout and admin against this gateway
 * (encrypted test cards, signed requests, capture / void / refund buttons) and shows the callbacks the
 * built-in inbox received. Plain forms, no scripts.
 * @module
 */
import type { Context, Hono } from "hono";
import { escapeHtml, htmlPage } from "../http/html.ts";
import { createGenstoreClient, testCard } from "./genstore_client.ts";
import type { GenstoreInbox } from "./genstore_inbox.ts";

export interface DemoShopOptions {
  readonly gatewayUrl: string;
  readonly clientSecret: string;
  readonly publicKey: string;
  readonly hkdfInfo: string;
  readonly inbox: GenstoreInbox;
}

const CARDS: readonly [string, string][] = [
  ["4242424242424242", "approved"],
  ["4000000000000002", "declined"],
  ["4000000000009995", "insufficient funds"],
  ["4000000000003220", "3DS challenge"],
  ["4000000000000119", "PSP error 500"],
  ["4000000000006975", "PSP timeout"],
];

interface DemoPayment {
  readonly paymentId: string;
  readonly amount: string;
  readonly currency: string;
  readonly mode: string;
  readonly answer: string;
}

export function mountDemoShop(app: Hono, options: DemoShopOptions): void {
  const client = createGenstoreClient({
    gatewayUrl: options.gatewayUrl,
    clientSecret: options.clientSecret,
    publicKey: options.publicKey,
    hkdfInfo: options.hkdfInfo,
    shopDomain: "demo.genmystore.com",
  });
  const payments: DemoPayment[] = [];
  let counter = 0;
  const nextId = (prefix: string) => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;

  app.get("/", async (c) => await page(c, client, payments, options.inbox));

  app.post("/_dev/shop/pay", async (c) => {
    const form = await c.req.parseBody();
    const paymentId = nextId("PI");
    const amount = String(form.amount ?? "10.00");
    const currency = String(form.currency ?? "USD");
    const answer = await client.pay({
      paymentId,
      amount,
      currency,
      card: testCard(String(form.card ?? CARDS[0][0])),
      manualCapture: form.manualCapture === "on",
      returnUrl: `${options.gatewayUrl}/`,
    });
    payments.unshift({
      paymentId,
      amount,
      currency,
      mode: form.manualCapture === "on" ? "authorize" : "sale",
      answer: answer.text,
    });
    const redirectUrl = answer.body.redirectUrl;
    return c.redirect(typeof redirectUrl === "string" ? redirectUrl : "/", 303);
  });

  app.post("/_dev/shop/action", async (c) => {
    const form = await c.req.parseBody();
    const paymentId = String(form.paymentId);
    const amount = String(form.amount ?? "");
    const action = String(form.action);
    if (action === "capture") await client.capture(nextId("CA"), paymentId, amount);
    else if (action === "void") await client.void(nextId("VO"), paymentId);
    else if (action === "refund") await client.refund(nextId("RF"), paymentId, amount);
    return c.redirect("/", 303);
  });
}

async function page(
  c: Context,
  client: ReturnType<typeof createGenstoreClient>,
  payments: readonly DemoPayment[],
  inbox: GenstoreInbox,
): Promise<Response> {
  const rows = await Promise.all(
    payments.slice(0, 15).map(async (p) => {
      const status = await client.query("payments", p.paymentId);
      const action = (name: string, label: string, withAmount: boolean) =>
        `<form method="post" action="/_dev/shop/action" style="display:inline">` +
        `<input type="hidden" name="paymentId" value="${escapeHtml(p.paymentId)}">` +
        `<input type="hidden" name="action" value="${name}">` +
        (withAmount ? `<input name="amount" value="${escapeHtml(p.amount)}" size="6">` : "") +
        `<button>${label}</button></form>`;
      return `<tr><td><code>${escapeHtml(p.paymentId)}</code></td><td>${escapeHtml(p.amount)} ${
        escapeHtml(p.currency)
      }</td><td>${p.mode}</td><td>${escapeHtml(String(status.body.status ?? status.status))}</td><td><code>${
        escapeHtml(p.answer)
      }</code></td><td>${action("capture", "Capture", true)}${action("void", "Void", false)}${
        action("refund", "Refund", true)
      }</td></tr>`;
    }),
  );
  const callbacks = inbox.received().slice(0, 20).map((r) =>
    `<tr><td>${escapeHtml(r.at.slice(11, 19))}</td><td>${escapeHtml(r.kind)}/${
      escapeHtml(r.id)
    }</td><td><code>${escapeHtml(JSON.stringify(r.body))}</code></td></tr>`
  ).join("");
  const cards = CARDS.map(([number, label]) => `<option value="${number}">${number} (${label})</option>`)
    .join("");
  return htmlPage(
    c,
    "Genstore demo shop",
    `<p>This page plays Genstore against the gateway: it encrypts the card to the gateway's ECIES key, signs
    the request, and the gateway answers and calls back into the built-in inbox below. API docs:
    <a href="/openapi.json">/openapi.json</a>.</p>
    <form method="post" action="/_dev/shop/pay">
      <label>Amount <input name="amount" value="10.00" size="8"></label>
      <label>Currency <input name="currency" value="USD" size="4"></label>
      <label>Card <select name="card">${cards}</select></label>
      <label><input type="checkbox" name="manualCapture"> authorize only</label>
      <button>Pay</button>
    </form>
    <h2>Payments</h2><table><tr><th>id</th><th>amount</th><th>mode</th><th>status</th><th>answer</th><th></th></tr>
    ${rows.join("")}</table>
    <h2>Callbacks received by the Genstore inbox</h2><table>${callbacks}</table>
    <p><a href="/">Refresh</a></p>`,
  );
}
