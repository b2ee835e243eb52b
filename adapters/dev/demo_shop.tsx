/**
 * The dev-mode demo shop at `/`: plays Genstore's checkout and admin for shop `demo` against this gateway
 * (encrypted sandbox cards, wallet and bank payments, signed captures, voids and refunds) and shows the
 * shop's payments as the database has them. Every POST carries the session's CSRF token and is answered
 * with a redirect back to the page (Post/Redirect/Get), its outcome in a short-lived signed flash cookie.
 * @module
 */
import type { Context, Hono } from "hono";
import { z } from "zod";
import type { Operations } from "../operations/operations.ts";
import { refuseCrossSitePosts } from "../onboarding/cross_site.ts";
import { problemPage } from "../onboarding/problem_page.tsx";
import { readForm } from "../web/forms.ts";
import { pageHeaders } from "../web/security.ts";
import { deriveSessionSecret, type SessionJar, sessionJar } from "../web/session.ts";
import { createGenstoreClient, type GenstoreClient, testCard } from "./genstore_client.ts";
import type { GenstoreInbox } from "./genstore_inbox.ts";
import { DEMO_CURRENCIES, DemoShopPage, SHOP_PATHS } from "./demo_shop_page.tsx";
import { type Outcome, pendingRequests } from "./demo_shop_requests.ts";
import { type DemoMethod, METHODS, rowView, SANDBOX_CARDS } from "./demo_shop_view.ts";

export interface DemoShopOptions {
  readonly gatewayUrl: string;
  readonly clientSecret: string;
  readonly publicKey: string;
  readonly hkdfInfo: string;
  /** The cookies' HMAC key is derived from it. */
  readonly masterKey: string;
  readonly inbox: GenstoreInbox;
  /** Where the payments are read from (the shop's own database, as the console reads it). */
  readonly operations: Operations;
}

const SHOP = "demo";
const LISTED = 15;

const PAY_FORM = z.object({
  csrf: z.string().max(200),
  method: z.enum(METHODS, { error: "Choose card, wallet or bank" }),
  card: z.enum(SANDBOX_CARDS.map((card) => card.number) as [string, ...string[]], {
    error: "Choose one of the sandbox cards",
  }),
  // The amount goes to the gateway as typed: judging it is the gateway's job, and its refusal is shown.
  amount: z.string().max(40, "The amount is too long"),
  currency: z.enum(DEMO_CURRENCIES, { error: "Choose a currency" }),
  manualCapture: z.literal("on").optional(),
});

const ACTION_FORM = z.object({
  csrf: z.string().max(200),
  paymentId: z.string().min(1).max(64),
  action: z.enum(["capture", "void", "refund"], { error: "Choose capture, void or refund" }),
  amount: z.string().max(40, "The amount is too long").optional(),
});

type Flash = { readonly tone: Outcome["tone"]; readonly text: string; readonly link?: string };

interface Cookies {
  readonly session: SessionJar<Record<string, never>>;
  readonly flash: SessionJar<Flash>;
}

async function cookies(options: DemoShopOptions): Promise<Cookies> {
  const secret = await deriveSessionSecret(options.masterKey, "demo-shop");
  const secure = options.gatewayUrl.startsWith("https:");
  return {
    // Lax: the buyer comes back from a PSP's page (another origin) to this page.
    session: sessionJar({ name: "gw_demo", secret, maxAgeSeconds: 8 * 3_600, sameSite: "Lax", secure }),
    flash: sessionJar({ name: "gw_demo_flash", secret, maxAgeSeconds: 60, sameSite: "Lax", secure }),
  };
}

function newId(prefix: string): string {
  const random = crypto.getRandomValues(new Uint8Array(4));
  return `${prefix}${Date.now().toString(36)}${Array.from(random, (b) => b.toString(36)).join("")}`;
}

export function mountDemoShop(app: Hono, options: DemoShopOptions): void {
  const clientOf = (extension: DemoMethod): GenstoreClient =>
    createGenstoreClient({
      gatewayUrl: options.gatewayUrl,
      clientSecret: options.clientSecret,
      publicKey: options.publicKey,
      hkdfInfo: options.hkdfInfo,
      shopDomain: `${SHOP}.genmystore.com`,
      extension,
    });
  const clients = new Map(METHODS.map((method) => [method, clientOf(method)]));
  const requests = pendingRequests();
  const prepared = cookies(options);
  // The buyer comes back here from a PSP's page (the gateway's return route sends them on).
  const returnUrl = `${options.gatewayUrl.replace(/\/+$/, "")}${SHOP_PATHS.page}`;

  for (const path of [SHOP_PATHS.page, "/_dev/shop/*"]) {
    app.use(path, pageHeaders({ scripts: false }));
    app.use(path, refuseCrossSitePosts(options.gatewayUrl));
  }

  app.get(SHOP_PATHS.page, async (c) => {
    const jars = await prepared;
    const session = await jars.session.read(c) ?? await jars.session.start(c, {});
    const flash = await jars.flash.read(c);
    if (flash !== undefined) jars.flash.end(c);
    const notices: Outcome[] = [...(flash === undefined ? [] : [flash.data]), ...requests.takeLate()];
    let rows;
    try {
      const page = await options.operations.payments({ shop: SHOP, limit: LISTED });
      const stories = await Promise.all(
        page.payments.map((p) => options.operations.payment({ shop: SHOP, paymentId: p.paymentId })),
      );
      rows = stories.flatMap((story) =>
        story === undefined ? [] : [{ ...rowView(story), link: requests.linkOf(story.payment.paymentId) }]
      );
    } catch {
      rows = undefined;
    }
    c.header("Cache-Control", "no-store");
    return c.html(
      <DemoShopPage
        csrf={session.csrf}
        notices={notices}
        rows={rows ?? []}
        unreadable={rows === undefined}
        callbacks={options.inbox.received()}
      />,
    );
  });

  async function accepted<T>(c: Context, schema: z.ZodType<T>): Promise<T | Response> {
    const jars = await prepared;
    const session = await jars.session.read(c);
    const form = await readForm(c, schema);
    if (session === undefined || !jars.session.csrfMatches(session, form.raw.csrf)) {
      return await problemPage(c, 403, {
        title: "The form was not accepted",
        happened: "The form does not belong to this browser's session (it expired, or came from elsewhere).",
        next: "Open the demo shop again and submit its form from there.",
      });
    }
    if (!form.ok) {
      return await back(c, { tone: "bad", text: Object.values(form.errors).join("; ") });
    }
    return form.data;
  }

  async function back(c: Context, outcome: Outcome): Promise<Response> {
    const jars = await prepared;
    const flash: Flash = outcome.link === undefined
      ? { tone: outcome.tone, text: outcome.text }
      : { tone: outcome.tone, text: outcome.text, link: outcome.link };
    await jars.flash.start(c, flash);
    return c.redirect(SHOP_PATHS.page, 303);
  }

  app.post(SHOP_PATHS.pay, async (c) => {
    const form = await accepted(c, PAY_FORM);
    if (form instanceof Response) return form;
    const client = clients.get(form.method)!;
    const paymentId = newId("PI");
    const body = client.paymentBody({
      paymentId,
      amount: form.amount,
      currency: form.currency,
      card: testCard(form.card),
      manualCapture: form.manualCapture === "on",
      returnUrl,
    }) as { paymentMethod: { data: Record<string, unknown> } };
    // Genstore sends no card for an offsite method: the buyer pays on the PSP's page.
    if (form.method !== "card") body.paymentMethod.data = { returnUrl };
    const outcome = await requests.send("payment", paymentId, () => client.send("payments", body));
    return await back(c, outcome);
  });

  app.post(SHOP_PATHS.action, async (c) => {
    const form = await accepted(c, ACTION_FORM);
    if (form instanceof Response) return form;
    const story = await options.operations.payment({ shop: SHOP, paymentId: form.paymentId });
    if (story === undefined) {
      return await back(c, { tone: "bad", text: `Shop demo has no payment ${form.paymentId}.` });
    }
    const client = clients.get(story.payment.extension as DemoMethod) ?? clients.get("card")!;
    const amount = form.amount ?? "";
    const test = story.payment.test;
    const [id, send] = form.action === "capture"
      ? [newId("CA"), (id: string) => client.capture(id, form.paymentId, amount, test)]
      : form.action === "void"
      ? [newId("VO"), (id: string) => client.void(id, form.paymentId, test)]
      : [newId("RF"), (id: string) => client.refund(id, form.paymentId, amount, test)];
    const outcome = await requests.send(form.action, id, () => send(id));
    return await back(c, outcome);
  });
}
