/**
 * How PayPal's HTTP answers read under the plugin kit's shared rule (plugins/kit/http_answer.ts): PayPal's
 * error body `{name, message, debug_id, details: [{issue, description}]}`, the OAuth2 error body
 * `{error, error_description}`, which answers are final refusals and which only say "ask again".
 *
 * PayPal documents 400 (INVALID_REQUEST: "not well-formed, syntactically incorrect, or violates schema") and
 * 422 (UNPROCESSABLE_ENTITY: "could not be performed ... or failed business validation") as refusals of a
 * request it did not carry out; 409 (RESOURCE_CONFLICT, PREVIOUS_REQUEST_IN_PROGRESS: "a previous call for the
 * given resource is in progress") says nothing about the outcome; 401/403 refuse the caller.
 * @module
 */
import type { AnswerRules, ErrorAnswer } from "../kit/mod.ts";
import { isObject, safeText } from "../kit/mod.ts";
import { type IssueRule, issueRule, type IssueTable } from "./status_map.ts";

/** The first `details[].issue` of a PayPal error body, when it is a plain upper-case word. */
export function firstIssue(body: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const details = body?.details;
  if (!Array.isArray(details)) return undefined;
  for (const detail of details) {
    if (isObject(detail) && typeof detail.issue === "string" && /^[A-Z0-9_]{1,80}$/.test(detail.issue)) {
      return detail.issue;
    }
  }
  return undefined;
}

/** The rule of a 422 answer's issue in this flow's table; undefined for any other answer. */
export function unprocessableRule(answer: ErrorAnswer, issues: IssueTable): IssueRule | undefined {
  return answer.status === 422 ? issueRule(issues, firstIssue(answer.body)) : undefined;
}

/**
 * @param issues what each 422 `issue` means in this flow (a failure code, or "the PSP may have acted").
 * @param noRecord the PSP's own statement, in an answer to a query, that nothing is stored under the key.
 */
export function paypalRules(
  issues: IssueTable,
  noRecord?: (answer: ErrorAnswer) => boolean,
): AnswerRules {
  return {
    psp: "PayPal",
    summarise: errorSummary,
    // A call still in progress under the same PayPal-Request-Id, or an issue that means PayPal may have acted
    // after all (DUPLICATE_INVOICE_ID: a transaction with this reference exists), says nothing final.
    transient: (answer) => answer.status === 409 || unprocessableRule(answer, issues)?.kind === "unknown",
    refusals: [400, 422],
    refusalCode(answer) {
      const rule = unprocessableRule(answer, issues);
      return rule?.kind === "failed" ? rule.code : "invalid_request";
    },
    noRecord,
  };
}

/** "UNPROCESSABLE_ENTITY ORDER_NOT_APPROVED: Payer has not yet approved ... (debug_id f00)", made safe. */
function errorSummary(answer: ErrorAnswer): string | undefined {
  const body = answer.body;
  if (body === undefined) return undefined;
  const word = (value: unknown) =>
    typeof value === "string" && /^[A-Za-z0-9_.-]{1,80}$/.test(value) ? value : "";
  const name = word(body.name) || word(body.error);
  const issue = firstIssue(body) ?? "";
  const detail = Array.isArray(body.details) && isObject(body.details[0])
    ? body.details[0].description
    : undefined;
  const text = typeof detail === "string"
    ? detail
    : typeof body.error_description === "string"
    ? body.error_description
    : typeof body.message === "string"
    ? body.message
    : "";
  const debugId = word(body.debug_id);
  const head = [name, issue].filter((part) => part !== "").join(" ");
  const parts = [head === "" ? undefined : head, text === "" ? undefined : safeText(text, 120)]
    .filter((part) => part !== undefined).join(": ");
  if (parts === "") return debugId === "" ? undefined : `debug_id ${debugId}`;
  return debugId === "" ? parts : `${parts} (debug_id ${debugId})`;
}
