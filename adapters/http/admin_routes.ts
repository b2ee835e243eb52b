/**
 * Operator routes under `/admin`, behind `Authorization: Bearer <OPERATOR_TOKEN>`: metrics, the review queue,
 * incidents and dead letters. Every action needs a reason and is recorded with it. Without an operator token
 * configured, the routes do not exist.
 * @module
 */
import type { Context, Hono } from "hono";
import { z } from "zod";
import {
  type GatewayDeps,
  type GatewayMetrics,
  type OperationKind,
  type OutboxStore,
  type ReviewStore,
  settleByHand,
} from "../../src/mod.ts";
import { timingSafeEqual } from "../crypto/constant_time.ts";
import { invalidRequest, notFound, zodIssues } from "./errors.ts";

export interface AdminDeps {
  readonly gateway: GatewayDeps;
  readonly outbox: OutboxStore;
  readonly review: ReviewStore;
  readonly operatorToken?: string;
}

const KINDS: readonly OperationKind[] = ["payment", "capture", "void", "refund"];
const REASON = z.object({ reason: z.string().trim().min(1, "A reason is required").max(1000) });
const SETTLE = REASON.extend({
  verdict: z.enum(["succeeded", "failed"]),
  pspReference: z.string().min(1).max(128).optional(),
});

export function registerAdminRoutes(app: Hono, deps: AdminDeps): void {
  const token = deps.operatorToken;
  if (token === undefined) return;
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
  const now = () => deps.gateway.clock.now();

  app.get("/admin/metrics", async (c) => {
    c.header("Content-Type", "text/plain; version=0.0.4");
    return c.body(prometheus(await deps.review.metrics(now())));
  });

  app.get("/admin/review", async (c) => c.json(await deps.review.reviewQueue(500)));

  app.post("/admin/review/:shop/:kind/:id/settle", async (c) => {
    const kind = c.req.param("kind") as OperationKind;
    if (!KINDS.includes(kind)) return notFound(c);
    const body = SETTLE.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return invalidRequest(c, zodIssues(body.error));
    const result = await settleByHand(deps.gateway, {
      key: { shop: c.req.param("shop")!, kind, operationId: c.req.param("id")! },
      verdict: body.data.verdict,
      reason: body.data.reason,
      pspReference: body.data.pspReference,
      operator: operator(c),
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
    async (c) => c.json(await deps.review.incidents({ open: c.req.query("all") === undefined, limit: 500 })),
  );

  app.post("/admin/incidents/:shop/:id/resolve", async (c) => {
    const body = REASON.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return invalidRequest(c, zodIssues(body.error));
    const shop = c.req.param("shop")!;
    const id = Number(c.req.param("id"));
    const resolved = await deps.review.resolveIncident(shop, id, body.data.reason, {
      shop,
      action: "resolve_incident",
      target: `incident/${id}`,
      reason: body.data.reason,
      operator: operator(c),
    });
    return resolved ? c.json({ resolved: true }) : notFound(c);
  });

  app.get("/admin/dead-letters", async (c) => c.json(await deps.outbox.listDead(500)));

  app.post("/admin/dead-letters/:shop/:seq/redrive", async (c) => {
    const body = REASON.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return invalidRequest(c, zodIssues(body.error));
    const shop = c.req.param("shop")!;
    const seq = Number(c.req.param("seq"));
    if (!Number.isSafeInteger(seq) || !await deps.outbox.redrive(shop, seq, now())) return notFound(c);
    await deps.review.recordAction({
      shop,
      action: "redrive_callback",
      target: `outbox/${seq}`,
      reason: body.data.reason,
      operator: operator(c),
    });
    return c.json({ redriven: true });
  });
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
