/**
 * Builds the HTTP application: Genstore's routes, PSP routes, health, and whatever the composition root
 * mounts (dev tools, emulators).
 * @module
 */
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { GatewayDeps, Logger } from "../../src/mod.ts";
import { type AdminDeps, registerAdminRoutes } from "./admin_routes.ts";
import { payloadTooLarge, requestTimeout } from "./errors.ts";
import { registerGenstoreRoutes } from "./genstore_routes.ts";
import { openApiDocument } from "./openapi.ts";
import { registerPspRoutes } from "./psp_routes.ts";
import { registerAssets } from "../web/assets.ts";
import { HTTPException } from "hono/http-exception";

export interface AppOptions {
  readonly gateway: GatewayDeps;
  readonly clientSecret: string;
  readonly extensions: ReadonlySet<string>;
  /** Shops are `{handle}.{shopDomain}`. */
  readonly shopDomain?: string;
  /** Whether the database answers and migrations are done. */
  readonly ready: () => Promise<boolean>;
  readonly logger: Logger;
  readonly maxBodyBytes?: number;
  /** How long a body may take to arrive (slow-body clients hold a connection and a handler otherwise). */
  readonly bodyTimeoutMs?: number;
  /** Operator routes; absent without an operator token. */
  readonly admin?: AdminDeps;
  /** Extra routes (dev tools, emulators), mounted before the catch-all 404. */
  readonly mount?: (app: Hono) => void;
}

const ONE_MIB = 1024 * 1024;
/** A page's form or a dev tool's post; the onboarding forms refuse more than 16 KiB themselves. */
const PAGE_BODY_BYTES = 64 * 1024;

/**
 * Reads a request's body within `ms`, or answers 408 and drops the rest: Deno's server has no body timeout of
 * its own, and a client trickling a body would hold the connection and a handler for as long as it likes.
 * The body read is handed on as the request's body, so handlers read it as usual.
 */
function bodyWithin(ms: number): MiddlewareHandler {
  return async function bodyTimeout(c, next) {
    const stream = c.req.raw.body;
    if (stream === null) return await next();
    const reader = stream.getReader();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => timer = setTimeout(() => resolve("late"), ms));
    const chunks: Uint8Array[] = [];
    const drained = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return "read" as const;
        chunks.push(value);
      }
    })();
    try {
      if (await Promise.race([drained, late]) === "late") {
        drained.catch(() => {});
        await reader.cancel().catch(() => {});
        return requestTimeout(c);
      }
    } finally {
      clearTimeout(timer);
    }
    c.req.raw = new Request(c.req.raw, { body: new Blob(chunks as BlobPart[]) });
    await next();
  };
}

export function createApp(options: AppOptions): Hono {
  const app = new Hono();
  const { logger } = options;

  app.use(async function accessLog(c, next) {
    const started = performance.now();
    await next();
    const status = c.res.status;
    const fields = {
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      status,
      durationMs: Math.round(performance.now() - started),
      shop: c.get("shop" as never) as string | undefined,
      operationId: c.get("operationId" as never) as string | undefined,
    };
    if (status >= 500) logger.error("http.request", fields);
    else logger.info("http.request", fields);
  });

  app.use(async function apiHeaders(c, next) {
    await next();
    c.res.headers.set("X-Content-Type-Options", "nosniff");
    c.res.headers.set("Referrer-Policy", "no-referrer");
    if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
  });

  const apiPaths = ["/v1/", "/webhooks/"];
  for (const path of apiPaths) {
    app.use(`${path}*`, bodyLimit({ maxSize: options.maxBodyBytes ?? ONE_MIB, onError: payloadTooLarge }));
    app.use(`${path}*`, bodyWithin(options.bodyTimeoutMs ?? 10_000));
  }
  // Everything else (pages, the console, dev tools) takes small forms: a bounded body, even when chunked.
  const pageBodyLimit = bodyLimit({ maxSize: PAGE_BODY_BYTES, onError: payloadTooLarge });
  app.use(async function pageBodies(c, next) {
    if (c.req.method === "GET" || apiPaths.some((p) => c.req.path.startsWith(p))) return await next();
    return await pageBodyLimit(c, next);
  });

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    const ready = await options.ready().catch(() => false);
    return c.json({ status: ready ? "ready" : "not_ready" }, ready ? 200 : 503);
  });
  registerAssets(app);
  app.get("/openapi.json", (c) => c.json(openApiDocument(options.gateway.settings.appUrl)));

  registerGenstoreRoutes(app, options);
  registerPspRoutes(app, options.gateway);
  if (options.admin !== undefined) registerAdminRoutes(app, options.admin);
  options.mount?.(app);

  app.notFound((c) => c.json({ error: "not_found" }, 404));
  app.onError((error, c) => {
    // A middleware's deliberate refusal (hono's csrf answers 403 by throwing) is an answer, not a crash.
    if (error instanceof HTTPException && error.status < 500) return error.getResponse();
    logger.error("http.unhandled", {
      path: new URL(c.req.url).pathname,
      error: error.name,
      // Our messages never carry card data (it never reaches a message or the database); keep them short.
      detail: error.message.slice(0, 200),
    });
    return c.json({ error: "internal_error" }, 500);
  });
  return app;
}
