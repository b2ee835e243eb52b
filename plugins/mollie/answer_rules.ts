/**
 * How Mollie's HTTP answers read under the plugin kit's shared rule (plugins/kit/http_answer.ts). Mollie
 * answers `application/hal+json`; an error is `{status, title, detail, field?, _links}`
 * (https://docs.mollie.com/reference/handling-errors):
 *
 * - 400 (a malformed request) and 422 naming a `field` (a validation error) refuse a request without
 *   processing it; a 422 without a field says less, so it is unknown.
 * - 404 to an operation: the payment to refund does not exist (for this key and mode); nothing was done.
 * - 401 and 403: the key is refused or may not do this (the kit's `psp_authentication_failed`).
 * - 409 (a duplicate refund in short succession: the first one may well be processed), 429 and any 5xx:
 *   unknown.
 * @module
 */
import type { PspHttpResult } from "../../src/plugin_api.ts";
import {
  type AnswerRules,
  type CallKind,
  type ErrorAnswer,
  parseObject,
  readAnswer,
  type Reading,
  safeText,
} from "../kit/mod.ts";

/** Core failure codes for the field a 422 names; any other field is `invalid_request`. */
const FIELD_CODES: Readonly<Record<string, string>> = Object.freeze({
  amount: "invalid_amount",
  "amount.value": "invalid_amount",
  "amount.currency": "invalid_amount",
  method: "payment_method_not_available",
});

/** Mollie's rules for operations (create payment, create refund) and queries alike. */
export const MOLLIE_RULES: AnswerRules = {
  psp: "Mollie",
  summarise: errorSummary,
  refusals: [400, 404, 422],
  refusalCode(answer) {
    if (answer.status === 404) return "payment_not_found";
    const field = fieldOf(answer);
    return field !== undefined && Object.hasOwn(FIELD_CODES, field) ? FIELD_CODES[field] : "invalid_request";
  },
};

/**
 * Reads an answer by the kit's rule, with Mollie's one exception: a 422 that names no field is not a
 * documented validation refusal, so it decides nothing.
 */
export function readMollie(result: PspHttpResult, call: CallKind): Reading {
  const reading = readAnswer(result, call, MOLLIE_RULES);
  if (
    result.kind === "response" && result.status === 422 && reading.kind === "decided" &&
    reading.outcome.kind === "failed" &&
    fieldOf({ status: 422, headers: {}, body: parseObject(result.body) }) === undefined
  ) {
    return {
      kind: "decided",
      outcome: {
        kind: "unknown",
        detail: `${reading.outcome.message}; it names no field, so it decides nothing`,
      },
    };
  }
  return reading;
}

function fieldOf(answer: ErrorAnswer): string | undefined {
  const field = answer.body?.field;
  return typeof field === "string" && /^[\w.[\]]{1,64}$/.test(field) ? field : undefined;
}

/** "Unprocessable Entity: The amount is lower than the minimum (field amount)", scrubbed of anything card-like. */
function errorSummary(answer: ErrorAnswer): string | undefined {
  const body = answer.body;
  if (body === undefined) return undefined;
  const title = typeof body.title === "string" ? safeText(body.title, 60) : "";
  const detail = typeof body.detail === "string" ? safeText(body.detail) : "";
  const field = fieldOf(answer);
  const text = [title, detail].filter((part) => part !== "").join(": ");
  if (text === "") return field === undefined ? undefined : `field ${field}`;
  return field === undefined ? text : `${text} (field ${field})`;
}
