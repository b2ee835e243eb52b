/**
 * The one place that turns gateway outcomes into HTTP error answers. Bodies are stable codes plus, for
 * invalid requests, which field was wrong; they never echo a submitted value.
 * @module
 */
import type { Context } from "hono";
import type { z } from "zod";

export interface Issue {
  readonly path: string;
  readonly message: string;
}

export function invalidRequest(c: Context, issues: readonly Issue[]): Response {
  return c.json({ error: "invalid_request", issues }, 400);
}

export function invalidSignature(c: Context): Response {
  return c.json({ error: "invalid_signature" }, 401);
}

export function shopNotAuthorized(c: Context): Response {
  return c.json({ error: "shop_not_authorized" }, 403);
}

export function notFound(c: Context): Response {
  return c.json({ error: "not_found" }, 404);
}

export function idempotencyConflict(c: Context): Response {
  return c.json({ error: "idempotency_conflict" }, 409);
}

/** The first request with this id is still being processed: Genstore should retry shortly. */
export function requestInProgress(c: Context): Response {
  c.header("Retry-After", "1");
  return c.json({ error: "request_in_progress" }, 409);
}

/** The body did not arrive in time; the server closes the connection, whose body is left unread. */
export function requestTimeout(c: Context): Response {
  c.header("Connection", "close");
  return c.json({ error: "request_timeout" }, 408);
}

/** The rest of the body is never read; the server closes the connection (tested in security_test.ts). */
export function payloadTooLarge(c: Context): Response {
  return c.json({ error: "payload_too_large" }, 413);
}

/** zod issues as `{path, message}`, with dotted paths; zod's messages name types, never input values. */
export function zodIssues(error: z.ZodError): Issue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(body)",
    message: issue.message,
  }));
}
