import { deepStrictEqual as equal } from "node:assert/strict";
import type { PspHttpResult } from "../../src/plugin_api.ts";
import { type AnswerRules, readAnswer } from "./http_answer.ts";

const RULES: AnswerRules = {
  psp: "Acme",
  summarise: (answer) => typeof answer.body?.code === "string" ? answer.body.code : undefined,
  transient: (answer) => answer.headers["transient-error"] === "true",
  refusalCode: (answer) => answer.body?.code === "card_gone" ? "card_token_not_found" : "invalid_request",
  noRecord: (answer) => answer.status === 404 && answer.body?.code === "no_such_key",
};

function response(status: number, body: unknown, headers: Record<string, string> = {}): PspHttpResult {
  return { kind: "response", status, headers, body: typeof body === "string" ? body : JSON.stringify(body) };
}

Deno.test("readAnswer() applies the shared rule to every kind of answer", async (t) => {
  const rows: readonly [string, PspHttpResult, "operation" | "query", string][] = [
    ["not sent", { kind: "not_sent", detail: "connection refused" }, "operation", "unknown"],
    ["no answer", { kind: "no_answer", detail: "timed out" }, "operation", "unknown"],
    ["a JSON object", response(200, { ok: true }), "operation", "answer"],
    ["a 2xx that is not an object", response(200, "[1]"), "operation", "unknown"],
    ["a 2xx in HTML", response(201, "<html>"), "query", "unknown"],
    ["a 5xx", response(503, { code: "down" }), "operation", "unknown"],
    [
      "a transient 409",
      response(409, { code: "busy" }, { "Transient-Error": "true" }),
      "operation",
      "unknown",
    ],
    ["a 3xx", response(302, ""), "operation", "unknown"],
    ["a 401 to an operation", response(401, {}), "operation", "failed:psp_authentication_failed"],
    ["a 403 to an operation", response(403, {}), "operation", "failed:psp_authentication_failed"],
    ["a 400 refusal", response(400, { code: "bad" }), "operation", "failed:invalid_request"],
    [
      "a mapped 422 refusal",
      response(422, { code: "card_gone" }),
      "operation",
      "failed:card_token_not_found",
    ],
    ["an undocumented 404 to an operation", response(404, {}), "operation", "unknown"],
    ["a 401 to a query", response(401, {}), "query", "unknown"],
    ["a 422 to a query", response(422, { code: "bad" }), "query", "unknown"],
    ["the PSP's 'no record' to a query", response(404, { code: "no_such_key" }), "query", "not_received"],
    ["the PSP's 'no record' to an operation", response(404, { code: "no_such_key" }), "operation", "unknown"],
  ];
  for (const [name, result, call, expected] of rows) {
    await t.step(`${name} -> ${expected}`, () => {
      const reading = readAnswer(result, call, RULES);
      const got = reading.kind === "answer"
        ? "answer"
        : reading.outcome.kind === "failed"
        ? `failed:${reading.outcome.code}`
        : reading.outcome.kind;
      equal(got, expected);
    });
  }
});

Deno.test("readAnswer() names the PSP and its error summary, never the body", () => {
  const reading = readAnswer(response(400, { code: "bad", pan: "4242424242424242" }), "operation", RULES);
  equal(reading, {
    kind: "decided",
    outcome: { kind: "failed", code: "invalid_request", message: "Acme refused the request: HTTP 400, bad" },
  });
});
