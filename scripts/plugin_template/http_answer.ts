/**
 * Reads what the transport brought back into either a JSON answer to translate, or an outcome the HTTP layer
 * already decides (no answer, 5xx, authentication and request errors). The rule: only an answer that says
 * what happened decides anything; everything else is `unknown`, which a query settles later.
 * @module
 */
import type { PspHttpResult, PspOutcome } from "../../src/plugin_api.ts";
import { failureCode } from "./status_map.ts";

export type Json = Record<string, unknown>;

/**
 * `operation`: an original pay, capture, void or refund, where a 4xx is the PSP's final word about it.
 * `query`: a replay of an earlier call's key, where only a stored answer settles anything.
 */
export type CallKind = "operation" | "query";

export type Reading =
  | { readonly kind: "answer"; readonly body: Json }
  | { readonly kind: "decided"; readonly outcome: PspOutcome };

function unknown(detail: string): Reading {
  return { kind: "decided", outcome: { kind: "unknown", detail } };
}

function failed(code: string, message: string): Reading {
  return { kind: "decided", outcome: { kind: "failed", code, message } };
}

// TODO(skeleton-pay): your PSP's HTTP statuses and error body. Keep the rule: a 4xx is final only when the PSP
// documents that it did nothing and will do nothing with the request.
export function readAnswer(result: PspHttpResult, call: CallKind): Reading {
  // Even a request that provably never left is unknown here: the core decides whether to resend it with the
  // same key. A plugin never retries on its own.
  if (result.kind === "not_sent") return unknown(`not sent to Skeleton Pay: ${result.detail}`);
  if (result.kind === "no_answer") return unknown(`no answer from Skeleton Pay: ${result.detail}`);
  const { status } = result;
  const error = errorOf(result.body);
  const summary = `HTTP ${status}${error === undefined ? "" : `, ${error.code}: ${error.message}`}`;
  if (status >= 200 && status < 300) {
    const body = parseObject(result.body);
    return body === undefined ? unknown(`Skeleton Pay answered ${summary} with an unreadable body`) : {
      kind: "answer",
      body,
    };
  }
  if (status >= 500) return unknown(`Skeleton Pay answered ${summary}`);
  // A 4xx to a replay means the PSP has no stored answer for the key (it never got the call): nothing is
  // settled, whatever the error says.
  if (call === "query") return unknown(`Skeleton Pay has no stored answer for this key: ${summary}`);
  // The first request with this key is still being processed: its result is not known yet.
  if (status === 409) return unknown(`Skeleton Pay is still processing this key: ${summary}`);
  if (status === 401 || status === 403) {
    return failed("psp_authentication_failed", `Skeleton Pay refused the credentials: ${summary}`);
  }
  // The API documents that it neither processes nor stores a request it answers 400 or 404.
  if (status === 400 || status === 404) {
    return failed(
      failureCode(error?.code, "invalid_request"),
      `Skeleton Pay refused the request: ${summary}`,
    );
  }
  return unknown(`Skeleton Pay answered ${summary}`);
}

/** The `{error: {code, message}}` of an error answer, made safe to log and return. */
function errorOf(text: string): { code: string; message: string } | undefined {
  const error = parseObject(text)?.error;
  if (!isObject(error)) return undefined;
  const code = typeof error.code === "string" && /^[a-z0-9_]{1,64}$/.test(error.code) ? error.code : "error";
  const message = typeof error.message === "string" ? safeText(error.message) : "";
  return { code, message };
}

/** Text from the PSP made safe to log and return: control characters and card-number-like digit runs go. */
export function safeText(text: string, maxLength = 160): string {
  const printable = Array.from(text, (char) => char.charCodeAt(0) < 0x20 ? " " : char).join("");
  const scrubbed = printable.replace(/\d[\d\s-]{6,}\d/g, "[redacted]").trim();
  return scrubbed.length > maxLength ? `${scrubbed.slice(0, maxLength)}…` : scrubbed;
}

/** The body as a JSON object, or undefined for anything else (empty, HTML, truncated, null, an array). */
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
