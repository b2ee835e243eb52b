/**
 * The one rule every plugin applies to what its PSP's HTTP answer says, before any PSP-specific translation:
 * only an answer that says what happened decides anything; everything else is `unknown`, which a query
 * settles later.
 *
 * - Not sent (the transport proves nothing left), no answer (timeout, reset), any 5xx, a "still in progress"
 *   answer, a 2xx whose body is not a JSON object: `unknown`. The core decides whether to resend with the
 *   same key; a plugin never retries on its own.
 * - A 4xx to a **query** (a replay or lookup of an earlier call): `unknown`, unless the plugin's
 *   `noRecord` rule recognises the PSP's own statement that it has no record of the call (`not_received`).
 * - A 4xx to an **operation**: 401/403 fail with `psp_authentication_failed`; the statuses the PSP documents
 *   as "refused, not processed" (`refusals`, by default 400 and 422) fail with the code the plugin maps; any
 *   other 4xx is `unknown`.
 * @module
 */
import type { PspHttpResult, PspOutcome } from "../../src/plugin_api.ts";
import { type Json, parseObject, safeText } from "./json.ts";

/**
 * `operation`: an original pay, continue, capture, void or refund call, where a documented 4xx is the PSP's
 * final answer about that call. `query`: a question about an earlier call, where only a stored answer or
 * the PSP's own "no record" settles anything.
 */
export type CallKind = "operation" | "query";

export type Reading =
  | { readonly kind: "answer"; readonly status: number; readonly body: Json }
  | { readonly kind: "decided"; readonly outcome: PspOutcome };

/** An error answer, summarised by the plugin's rules. */
export interface ErrorAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The body as a JSON object, when it is one. */
  readonly body?: Json;
}

export interface AnswerRules {
  /** The PSP's name, for messages ("Adyen", "PayPal"). */
  readonly psp: string;
  /** A short, safe summary of an error body (`errorCode 101: Invalid card number`); never card data. */
  readonly summarise?: (answer: ErrorAnswer) => string | undefined;
  /** The PSP marks an answer as "try again later" (e.g. Adyen's `Transient-Error: true`): unknown. */
  readonly transient?: (answer: ErrorAnswer) => boolean;
  /** Statuses the PSP documents as "refused and not processed" for operations (default 400 and 422). */
  readonly refusals?: readonly number[];
  /** The core failure code of a refusal (default `invalid_request`). */
  readonly refusalCode?: (answer: ErrorAnswer) => string;
  /** Recognises, in an answer to a query, the PSP's own statement that it has no record of the call. */
  readonly noRecord?: (answer: ErrorAnswer) => boolean;
}

const DEFAULT_REFUSALS: readonly number[] = [400, 422];

function decided(outcome: PspOutcome): Reading {
  return { kind: "decided", outcome };
}

function unknown(detail: string): Reading {
  return decided({ kind: "unknown", detail });
}

/** Reads a transport result by the shared rule; a JSON object from a 2xx is left to the plugin to translate. */
export function readAnswer(result: PspHttpResult, call: CallKind, rules: AnswerRules): Reading {
  const { psp } = rules;
  if (result.kind === "not_sent") return unknown(`not sent to ${psp}: ${result.detail}`);
  if (result.kind === "no_answer") return unknown(`no answer from ${psp}: ${result.detail}`);
  const { status } = result;
  if (status >= 200 && status < 300) {
    const body = parseObject(result.body);
    return body === undefined
      ? unknown(`${psp} answered HTTP ${status} with a body that is not a JSON object`)
      : { kind: "answer", status, body };
  }
  const answer: ErrorAnswer = {
    status,
    headers: lowerCaseKeys(result.headers),
    body: parseObject(result.body),
  };
  const summary = rules.summarise?.(answer);
  const described = `HTTP ${status}${summary === undefined || summary === "" ? "" : `, ${summary}`}`;
  if (rules.transient?.(answer) === true) return unknown(`${psp} answered a transient error, ${described}`);
  if (status >= 500 || status < 400) return unknown(`${psp} answered ${described}`);
  if (call === "query") {
    if (rules.noRecord?.(answer) === true) {
      return decided({ kind: "not_received", detail: `${psp} has no record of this call: ${described}` });
    }
    return unknown(`${psp} has no settled answer for this call: ${described}`);
  }
  if (status === 401 || status === 403) {
    return decided({
      kind: "failed",
      code: "psp_authentication_failed",
      message: `${psp} refused the credentials: ${described}`,
    });
  }
  if ((rules.refusals ?? DEFAULT_REFUSALS).includes(status)) {
    return decided({
      kind: "failed",
      code: rules.refusalCode?.(answer) ?? "invalid_request",
      message: `${psp} refused the request: ${described}`,
    });
  }
  return unknown(`${psp} answered ${described}`);
}

/** A header value by name, whatever the case of the name; trimmed. */
export function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value.trim();
  }
  return undefined;
}

function lowerCaseKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  const lowered: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) lowered[key.toLowerCase()] = value;
  return lowered;
}

export { safeText };
