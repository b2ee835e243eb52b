import { strictEqual as equal } from "node:assert/strict";
import type { PspHttpResult } from "../../src/plugin_api.ts";
import { readMollie } from "./answer_rules.ts";

function answer(status: number, body: unknown): PspHttpResult {
  return {
    kind: "response",
    status,
    headers: { "content-type": "application/hal+json" },
    body: JSON.stringify(body),
  };
}

function error(status: number, title: string, detail: string, field?: string): PspHttpResult {
  const links = {
    documentation: { href: "https://docs.mollie.com/overview/handling-errors", type: "text/html" },
  };
  return answer(status, { status, title, detail, ...(field === undefined ? {} : { field }), _links: links });
}

Deno.test("readMollie() reads Mollie's answers by its documented rules", async (t) => {
  const rows: readonly [string, PspHttpResult, "operation" | "query", string][] = [
    ["a payment", answer(201, { resource: "payment", id: "tr_1" }), "operation", "answer"],
    ["a timeout", { kind: "no_answer", detail: "timed out" }, "operation", "unknown"],
    ["not sent", { kind: "not_sent", detail: "refused" }, "operation", "unknown"],
    ["a 400", error(400, "Bad Request", "Invalid JSON"), "operation", "failed:invalid_request"],
    [
      "a 422 on the amount",
      error(422, "Unprocessable Entity", "The amount is too low", "amount"),
      "operation",
      "failed:invalid_amount",
    ],
    [
      "a 422 on the method",
      error(422, "Unprocessable Entity", "Method not enabled", "method"),
      "operation",
      "failed:payment_method_not_available",
    ],
    [
      "a 422 on another field",
      error(422, "Unprocessable Entity", "The 'description' field is missing", "description"),
      "operation",
      "failed:invalid_request",
    ],
    ["a 422 naming no field", error(422, "Unprocessable Entity", "Something"), "operation", "unknown"],
    [
      "a 404 to an operation",
      error(404, "Not Found", "No payment exists with token tr_x."),
      "operation",
      "failed:payment_not_found",
    ],
    [
      "a 401",
      error(401, "Unauthorized Request", "Missing authentication"),
      "operation",
      "failed:psp_authentication_failed",
    ],
    ["a 403", error(403, "Forbidden", "Not allowed"), "operation", "failed:psp_authentication_failed"],
    [
      "a duplicate refund 409",
      error(409, "Conflict", "A duplicate refund has been detected"),
      "operation",
      "unknown",
    ],
    ["a 429", error(429, "Too Many Requests", "Slow down"), "operation", "unknown"],
    ["a 503", error(503, "Service Unavailable", "Payment platform not available"), "operation", "unknown"],
    ["a 404 to a query", error(404, "Not Found", "No payment exists"), "query", "unknown"],
    ["a 422 to a query", error(422, "Unprocessable Entity", "x", "amount"), "query", "unknown"],
    ["a 401 to a query", error(401, "Unauthorized Request", "x"), "query", "unknown"],
    ["HTML", { kind: "response", status: 200, headers: {}, body: "<html>" }, "query", "unknown"],
  ];
  for (const [name, result, call, expected] of rows) {
    await t.step(`${name} (${call}) -> ${expected}`, () => {
      const reading = readMollie(result, call);
      const got = reading.kind === "answer"
        ? "answer"
        : reading.outcome.kind === "failed"
        ? `failed:${reading.outcome.code}`
        : reading.outcome.kind;
      equal(got, expected);
    });
  }
});

Deno.test("readMollie() tells the merchant Mollie's words, scrubbed", () => {
  const reading = readMollie(
    error(422, "Unprocessable Entity", "IBAN NL91 ABNA 0417 1643 00 is not valid", "amount"),
    "operation",
  );
  equal(
    reading.kind === "decided" && reading.outcome.kind === "failed" && reading.outcome.message,
    "Mollie refused the request: HTTP 422, Unprocessable Entity: IBAN NL91 ABNA [redacted] is not valid (field amount)",
  );
});
