/**
 * Routes the PSP side reaches: the buyer's return after a challenge or offsite page, the forwarding page
 * for PSP pages that need a POST, and PSP notifications.
 * @module
 */
import type { Context, Hono } from "hono";
import { continuePayment, type GatewayDeps, handleNotification, pendingRedirect } from "../../src/mod.ts";
import { pageHeaders } from "../web/security.ts";
import { forwardPage, paymentStatusPage, unknownPaymentPage } from "./buyer_pages.tsx";

export function registerPspRoutes(app: Hono, gateway: GatewayDeps): void {
  app.use("/v1/return/*", pageHeaders({ scripts: false }));
  // The forwarding page's form goes to the PSP's own page, wherever the plugin says it is.
  app.use("/v1/redirect/*", pageHeaders({ formTargets: ["https:", "http:"], scripts: false }));
  app.on(["GET", "POST"], "/v1/return/:reference", async (c) => {
    // HEAD reaches GET routes: link scanners and prefetchers send it, and it must change nothing.
    if (c.req.method === "HEAD") return c.body(null, 200);
    const params = await returnParams(c);
    const outcome = await continuePayment(gateway, c.req.param("reference")!, params);
    switch (outcome.kind) {
      case "redirect":
        return c.redirect(outcome.url, 303);
      case "done":
        return paymentStatusPage(c, outcome.status);
      case "not_found":
        return unknownPaymentPage(c, "This payment is unknown.");
    }
  });

  app.get("/v1/redirect/:reference", async (c) => {
    const redirect = await pendingRedirect(gateway, c.req.param("reference")!);
    if (redirect === undefined) return unknownPaymentPage(c, "Nothing to do for this payment.");
    if (redirect.method === "GET" && redirect.data === undefined) return c.redirect(redirect.url, 303);
    return forwardPage(c, redirect);
  });

  app.post("/v1/notifications/:plugin", async (c) => {
    const plugin = c.req.param("plugin")!;
    // Only a plugin that declares notifications has a notification route.
    if (gateway.plugins.get(plugin)?.manifest.capabilities.notifications !== true) {
      return c.json({ error: "not_found" }, 404);
    }
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, key) => headers[key] = value);
    const params: Record<string, string> = {};
    new URL(c.req.url).searchParams.forEach((value, key) => params[key] = value);
    const result = await handleNotification(gateway, plugin, { headers, body: await c.req.text(), params });
    if (result.kind === "rejected") return c.json({ error: "invalid_notification" }, 401);
    return c.text(result.acknowledgement, 200);
  });
}

/** Query and form parameters the PSP sent the buyer back with (the form wins for a POST). */
async function returnParams(c: Context): Promise<Record<string, string>> {
  const params: Record<string, string> = {};
  new URL(c.req.url).searchParams.forEach((value, key) => params[key] = value);
  if (c.req.method === "POST") {
    // A body that is not a readable form brings no parameters; the PSP decides what the return means.
    const form = await c.req.parseBody().catch(() => ({}));
    for (const [key, value] of Object.entries(form)) if (typeof value === "string") params[key] = value;
  }
  return params;
}
