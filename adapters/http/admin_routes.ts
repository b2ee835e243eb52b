/**
 * Operator routes under `/admin`, behind `Authorization: Bearer <OPERATOR_TOKEN>`: metrics, the review queue,
 * incidents, dead letters, shops and their bindings, master-key re-sealing and the audit trail. Every action
 * needs a reason and is recorded with it. Without an operator token configured, the routes do not exist.
 * The operator CLIs reach a running gateway through these routes when its embedded store is locked.
 * @module
 */
import type { Context, Hono } from "hono";
import { z } from "zod";
import type { GatewayMetrics, OperationKind } from "../../src/mod.ts";
import { timingSafeEqual } from "../crypto/constant_time.ts";
import { EXTENSION_NAME, type Operations, SHOP_HANDLE } from "../operations/operations.ts";
import { readPaymentSearch } from "../operations/payment_search.ts";
import { invalidRequest, notFound, zodIssues } from "./errors.ts";

export interface AdminDeps {
  readonly operations: Operations;
  readonly operatorToken?: string;
}

const KINDS: readonly OperationKind[] = ["payment", "capture", "void", "refund"];
const REASON = z.object({ reason: z.string().trim().min(1, "A reason is required").max(1000) });
const SETTLE = REASON.extend({
  verdict: z.enum(["succeeded", "failed"]),
  pspReference: z.string().min(1).max(128).optional(),
});
const NEW_SHOP = z.object({
  shop: z.string().regex(SHOP_HANDLE, "shop is lower-case letters, digits and hyphens"),
  token: z.string().min(1).max(4096).optional(),
});
const TOKEN = z.object({ token: z.string().min(1).max(4096) });
const BIND = z.object({
  plugin: z.string().min(1).max(64),
  live: z.unknown().optional(),
  test: z.unknown().optional(),
  verify: z.boolean().optional(),
});

/** A path segment that names a shop, or undefined (then the route answers 404 without a lookup). */
function shopParam(c: Context): string | undefined {
  const shop = c.req.param("shop");
  return shop !== undefined && SHOP_HANDLE.test(shop) ? shop : undefined;
}

/** A path segment that is a positive integer id, or undefined. */
function idParam(c: Context, name: string): number | undefined {
  const text = c.req.param(name) ?? "";
  const id = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

async function body<T>(c: Context, schema: z.ZodType<T>): Promise<T | Response> {
  const parsed = schema.safeParse(await c.req.json().catch(() => undefined));
  return parsed.success ? parsed.data : invalidRequest(c, zodIssues(parsed.error));
}

export function registerAdminRoutes(app: Hono, deps: AdminDeps): void {
  const token = deps.operatorToken;
  if (token === undefined) return;
  const ops = deps.operations;
  const expected = new TextEncoder().encode(`Bearer ${token}`);
  app.use("/admin/*", async function operatorOnly(c, next) {
    const given = new TextEncoder().encode(c.req.header("authorization") ?? "");
    // Fail closed, in constant time for a header of the right length.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return c.json({ error: "operator_token_required" }, 401);
    }
    await next();
  });
  const operator = (c: Context) => (c.req.header("x-operator") ?? "admin-api").slice(0, 100);

  app.get("/admin/metrics", async (c) => {
    c.header("Content-Type", "text/plain; version=0.0.4");
    return c.body(prometheus(await ops.metrics()));
  });
  app.get("/admin/metrics.json", async (c) => c.json(await ops.metrics()));

  app.get("/admin/review", async (c) => c.json(await ops.reviewQueue()));

  app.post("/admin/review/:shop/:kind/:id/settle", async (c) => {
    const shop = shopParam(c);
    const kind = c.req.param("kind") as OperationKind;
    if (shop === undefined || !KINDS.includes(kind)) return notFound(c);
    const request = await body(c, SETTLE);
    if (request instanceof Response) return request;
    const result = await ops.settle({
      shop,
      kind,
      operationId: c.req.param("id")!,
      operator: operator(c),
      ...request,
    });
    switch (result.kind) {
      case "settled":
        return c.json({ status: result.status });
      case "not_found":
        return notFound(c);
      case "already_final":
        return c.json({ error: "already_final", status: result.status }, 409);
      case "reason_required":
        return invalidRequest(c, [{ path: "reason", message: "A reason is required" }]);
    }
  });

  app.get(
    "/admin/incidents",
    async (c) => c.json(await ops.incidents({ all: c.req.query("all") !== undefined })),
  );

  app.post("/admin/incidents/:shop/:id/resolve", async (c) => {
    const shop = shopParam(c);
    const id = idParam(c, "id");
    if (shop === undefined || id === undefined) return notFound(c);
    const request = await body(c, REASON);
    if (request instanceof Response) return request;
    const resolved = await ops.resolveIncident({ shop, id, reason: request.reason, operator: operator(c) });
    return resolved ? c.json({ resolved: true }) : notFound(c);
  });

  app.get("/admin/dead-letters", async (c) => c.json(await ops.deadLetters()));

  app.post("/admin/dead-letters/:shop/:seq/redrive", async (c) => {
    const shop = shopParam(c);
    const seq = idParam(c, "seq");
    if (shop === undefined || seq === undefined) return notFound(c);
    const request = await body(c, REASON);
    if (request instanceof Response) return request;
    const redriven = await ops.redrive({ shop, seq, reason: request.reason, operator: operator(c) });
    return redriven ? c.json({ redriven: true }) : notFound(c);
  });

  app.get("/admin/payments", async (c) => {
    const check = readPaymentSearch(c.req.query());
    if (!check.ok) return invalidRequest(c, check.issues);
    return c.json(await ops.payments(check.search));
  });
  app.get("/admin/payments/:shop/:id", async (c) => {
    const shop = shopParam(c);
    if (shop === undefined) return notFound(c);
    const story = await ops.payment({ shop, paymentId: c.req.param("id")! });
    return story === undefined ? notFound(c) : c.json(story);
  });

  registerShopRoutes(app, ops);

  app.get("/admin/audit/verify", async (c) => c.json(await ops.verifyAudit()));
  app.get("/admin/audit/:shop", async (c) => {
    const shop = shopParam(c);
    if (shop === undefined) return notFound(c);
    const count = Math.min(Math.max(Number(c.req.query("count") ?? 50) || 50, 1), 1000);
    return c.json(await ops.auditEntries({ shop, count }));
  });
}

function registerShopRoutes(app: Hono, ops: Operations): void {
  app.get("/admin/shops", async (c) => c.json(await ops.shops()));
  app.post("/admin/shops", async (c) => {
    const request = await body(c, NEW_SHOP);
    if (request instanceof Response) return request;
    await ops.addShop(request);
    return c.json({ added: request.shop }, 201);
  });
  app.delete("/admin/shops/:shop", async (c) => {
    const shop = shopParam(c);
    return shop !== undefined && await ops.removeShop(shop) ? c.json({ removed: shop }) : notFound(c);
  });
  app.put("/admin/shops/:shop/token", async (c) => {
    const shop = shopParam(c);
    if (shop === undefined) return notFound(c);
    const request = await body(c, TOKEN);
    if (request instanceof Response) return request;
    return await ops.setAccessToken({ shop, token: request.token }) ? c.json({ set: true }) : notFound(c);
  });
  app.put("/admin/shops/:shop/bindings/:extension", async (c) => {
    const shop = shopParam(c);
    const extension = c.req.param("extension")!;
    if (shop === undefined || !EXTENSION_NAME.test(extension)) return notFound(c);
    const request = await body(c, BIND);
    if (request instanceof Response) return request;
    const result = await ops.bind({ shop, extension, ...request });
    return result.kind === "bound"
      ? c.json(result)
      : result.kind === "no_shop"
      ? notFound(c)
      : c.json(result, 422);
  });
  app.post("/admin/master-key/reseal", async (c) => c.json({ resealed: await ops.resealSecrets() }));
}

/** The metrics in Prometheus' text format. */
export function prometheus(metrics: GatewayMetrics): string {
  const lines: [string, string, number][] = [
    ["gateway_operations_unknown", "Operations whose PSP outcome is unknown", metrics.operationsUnknown],
    [
      "gateway_operations_unknown_oldest_age_seconds",
      "Age of the oldest unknown operation",
      metrics.oldestUnknownAgeMs / 1000,
    ],
    ["gateway_operations_open", "Operations not final yet", metrics.operationsOpen],
    ["gateway_review_queue", "Operations waiting for a person in the review queue", metrics.reviewQueue],
    ["gateway_incidents_open", "Unresolved incidents", metrics.incidentsOpen],
    ["gateway_callbacks_pending", "Callbacks not delivered yet", metrics.callbacksPending],
    ["gateway_callbacks_dead", "Dead-lettered callbacks", metrics.callbacksDead],
    [
      "gateway_callbacks_oldest_pending_age_seconds",
      "Age of the oldest undelivered callback",
      metrics.oldestPendingCallbackAgeMs / 1000,
    ],
  ];
  return lines.map(([name, help, value]) =>
    `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${value}\n`
  )
    .join("");
}
