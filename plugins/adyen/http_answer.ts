/**
 * Reads what the transport brought back from Adyen into either a JSON answer to translate, or an outcome that
 * is already decided by the HTTP layer (transport failures, 5xx, auth and validation errors).
 * @module
 */
import type { PspHttpResult, PspOutcome } from "../../src/plugin_api.ts";

export type Json = Record<string, unknown>;

/**
 * `operation`: an original pay, continue, capture, void or refund call, where a 4xx from Adyen is a final answer
 * about that call. `query`: a replay request, where only a stored answer settles anything.
 */
export type CallKind = "operation" | "query";

export type Reading =
  | { readonly kind: "answer"; readonly status: number; readonly body: Json }
  | { readonly kind: "decided"; readonly outcome: PspOutcome };

function unknown(detail: string): Reading {
  return { kind: "decided", outcome: { kind: "unknown", detail } };
}

/**
 * @param failureCodes core failure codes for particular Adyen error codes of a 400 or 422 answer to an
 * operation (such as 803, a stored card that is not there); any other is `invalid_request`.
 */
export function readAnswer(
  result: PspHttpResult,
  call: CallKind,
  failureCodes: Readonly<Record<string, string>> = {},
): Reading {
  if (result.kind === "not_sent") {
    // Provably not sent: the core may resend with the same key; the plugin does not decide that.
    return unknown(`not sent to Adyen: ${result.detail}`);
  }
  if (result.kind === "no_answer") return unknown(`no answer from Adyen: ${result.detail}`);
  const { status } = result;
  const error = serviceErrorSummary(result.body);
  // Adyen marks retryable idempotency errors (a key still in progress, 409/704) with this header.
  if (headerValue(result.headers, "transient-error") === "true") {
    return unknown(`Adyen answered a transient error, HTTP ${status}${error}`);
  }
  if (status >= 500) return unknown(`Adyen answered HTTP ${status}${error}`);
  if (status >= 200 && status < 300) {
    const body = parseObject(result.body);
    return body === undefined ? unknown(`Adyen answered HTTP ${status} with an unparseable body`) : {
      kind: "answer",
      status,
      body,
    };
  }
  if (call === "query") {
    // A 4xx to a replay means Adyen has no stored answer for the key (it never saw the request, or it is not
    // ours to read): nothing is settled by it.
    return unknown(`Adyen has no settled answer for this key: HTTP ${status}${error}`);
  }
  if (status === 401 || status === 403) {
    return {
      kind: "decided",
      outcome: {
        kind: "failed",
        code: "psp_authentication_failed",
        message: `Adyen refused the credentials: HTTP ${status}${error}`,
      },
    };
  }
  if (status === 400 || status === 422) {
    const errorCode = parseObject(result.body)?.errorCode;
    const code = typeof errorCode === "string" && Object.hasOwn(failureCodes, errorCode)
      ? failureCodes[errorCode]
      : "invalid_request";
    return {
      kind: "decided",
      outcome: { kind: "failed", code, message: `Adyen rejected the request${error}` },
    };
  }
  return unknown(`Adyen answered HTTP ${status}${error}`);
}

/** ", errorCode 101: Invalid card number", scrubbed so that nothing card-like can leak through it. */
function serviceErrorSummary(text: string): string {
  const body = parseObject(text);
  if (body === undefined) return "";
  const code = typeof body.errorCode === "string" && /^[\w.-]{1,16}$/.test(body.errorCode)
    ? body.errorCode
    : "";
  const message = typeof body.message === "string" ? safeText(body.message) : "";
  if (code === "" && message === "") return "";
  return `, errorCode ${code || "?"}${message === "" ? "" : `: ${message}`}`;
}

/** Text from Adyen made safe to log or return: digit runs that could be a card number are removed. */
export function safeText(text: string, maxLength = 160): string {
  const printable = Array.from(text, (char) => char.charCodeAt(0) < 0x20 ? " " : char).join("");
  const scrubbed = printable.replace(/\d[\d\s-]{6,}\d/g, "[redacted]").trim();
  return scrubbed.length > maxLength ? `${scrubbed.slice(0, maxLength)}…` : scrubbed;
}

export function parseObject(text: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value.trim().toLowerCase();
  }
  return undefined;
}
