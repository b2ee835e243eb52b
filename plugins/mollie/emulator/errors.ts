/**
 * Mollie's answers as the emulator writes them: HAL JSON (`application/hal+json`), and errors as Mollie words
 * them, `{status, title, detail, field?, _links: {documentation}}`
 * (https://docs.mollie.com/reference/handling-errors).
 * @module
 */
import type { StoredAnswer } from "../../kit/emulator/mod.ts";

export const HAL_JSON = "application/hal+json; charset=utf-8";
const ERROR_DOCS = { href: "https://docs.mollie.com/overview/handling-errors", type: "text/html" };

/** The reason phrases Mollie puts in `title`. */
const TITLES: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized Request",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** An error answer, ready to send or to store under an idempotency key. */
export function mollieError(status: number, detail: string, field?: string): StoredAnswer {
  const body: Record<string, unknown> = { status, title: TITLES[status] ?? "Error", detail };
  if (field !== undefined) body.field = field;
  body._links = { documentation: ERROR_DOCS };
  return { status, body };
}

/** A stored answer as an HTTP response in HAL JSON. */
export function halResponse(
  answer: StoredAnswer,
  extraHeaders: Readonly<Record<string, string>> = {},
): Response {
  return new Response(JSON.stringify(answer.body), {
    status: answer.status,
    headers: { "content-type": HAL_JSON, ...answer.headers, ...extraHeaders },
  });
}

/** 404 as Mollie answers an id it does not show this key (another account's, or none at all). */
export function notFound(kind: "payment" | "refund", id: string): StoredAnswer {
  return mollieError(404, `No ${kind} exists with token ${id}.`);
}

export const UNAUTHORIZED = mollieError(401, "Missing authentication, or failed to authenticate");

export const DOCUMENTATION_LINK = { href: "https://docs.mollie.com/reference/overview", type: "text/html" };
