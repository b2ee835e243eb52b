/**
 * How Adyen's HTTP answers read under the plugin kit's shared rule (plugins/kit/http_answer.ts): Adyen's
 * ServiceError body, its transient-error marker, its refusals and its way of saying "no record of this key".
 * @module
 */
import type { AnswerRules, ErrorAnswer } from "../kit/mod.ts";
import { safeText } from "../kit/mod.ts";

/**
 * @param failureCodes core failure codes for particular Adyen error codes of a 400 or 422 answer to an
 * operation (such as 803, a stored card that is not there); any other is `invalid_request`.
 */
export function adyenRules(failureCodes: Readonly<Record<string, string>> = {}): AnswerRules {
  return {
    psp: "Adyen",
    summarise: serviceErrorSummary,
    // Adyen marks retryable idempotency errors (a key still in progress, 409/704) with this header.
    transient: (answer) => answer.headers["transient-error"]?.trim().toLowerCase() === "true",
    refusalCode(answer) {
      const errorCode = answer.body?.errorCode;
      return typeof errorCode === "string" && Object.hasOwn(failureCodes, errorCode)
        ? failureCodes[errorCode]
        : "invalid_request";
    },
    // A query replays the original call's key with a body that cannot be processed (no card data): Adyen
    // answers from its record when it has one, so a validation error means nothing was ever stored under the
    // key. Every other 4xx settles nothing.
    noRecord: (answer) => answer.status === 422 && answer.body?.errorType === "validation",
  };
}

/** "errorCode 101: Invalid card number", scrubbed so that nothing card-like can leak through it. */
function serviceErrorSummary(answer: ErrorAnswer): string | undefined {
  const body = answer.body;
  if (body === undefined) return undefined;
  const code = typeof body.errorCode === "string" && /^[\w.-]{1,16}$/.test(body.errorCode)
    ? body.errorCode
    : "";
  const message = typeof body.message === "string" ? safeText(body.message) : "";
  if (code === "" && message === "") return undefined;
  return `errorCode ${code || "?"}${message === "" ? "" : `: ${message}`}`;
}
