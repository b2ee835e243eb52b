/**
 * The pages' stylesheet and scripts, served by the gateway itself from adapters/web/assets/, so the CSP can
 * allow `'self'` and nothing inline.
 * @module
 */
import type { Hono } from "hono";

const ASSETS = new URL("./assets/", import.meta.url);
const TYPES: Readonly<Record<string, string>> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
};

/**
 * Read synchronously, once, so the route exists before the app serves its first request (Hono refuses routes
 * added after its router is built, and a request may already be queued when the gateway starts).
 */
export function registerAssets(app: Hono): void {
  const files = new Map<string, { body: string; type: string }>();
  for (const entry of Deno.readDirSync(ASSETS)) {
    const extension = entry.name.split(".").pop() ?? "";
    if (!entry.isFile || TYPES[extension] === undefined) continue;
    files.set(entry.name, {
      body: Deno.readTextFileSync(new URL(entry.name, ASSETS)),
      type: TYPES[extension],
    });
  }
  app.get("/assets/:name", (c) => {
    const file = files.get(c.req.param("name"));
    if (file === undefined) return c.notFound();
    c.header("Content-Type", file.type);
    c.header("Cache-Control", "public, max-age=300");
    c.header("X-Content-Type-Options", "nosniff");
    return c.body(file.body);
  });
}
