/**
 * Reading the template API's answers: which HTTP answers decide by themselves (the plugin kit's shared rule,
 * stated for this PSP), and the Payment and Modification objects translated into outcomes, after checking
 * that an answer is about what was asked. Notifications carry the same objects, so they use the same
 * translation.
 * @module
 */
import type { Money, PspHttpResult, PspOutcome } from "../../src/plugin_api.ts";
import {
  type AnswerRules,
  type CallKind,
  type ErrorAnswer,
  isObject,
  type Json,
  readAnswer,
  safeText,
} from "../kit/mod.ts";
import { BY_OPERATION, failureCode, modificationRule, paymentRule, type StatusRule } from "./status_map.ts";

export type ModificationOperation = "capture" | "void" | "refund";

// TODO(np-gbd5rszjn5): how your PSP's error answers read: the error body, which statuses are documented as
// "refused, not processed", and how it says "no record of this key" to a replay.
/**
 * The template API's errors are `{error: {code, message}}`. 400 and 404 are refusals (nothing processed,
 * nothing stored); a replay-only request for a key the PSP never stored answers 404 `idempotency_key_not_found`.
 */
export const ANSWER_RULES: AnswerRules = {
  psp: "Np Gbd5rszjn5",
  summarise: errorSummary,
  refusals: [400, 404],
  refusalCode: (answer) => failureCode(errorOf(answer)?.code, "invalid_request"),
  noRecord: (answer) => answer.status === 404 && errorOf(answer)?.code === "idempotency_key_not_found",
};

function errorOf(answer: ErrorAnswer): Json | undefined {
  const error = answer.body?.error;
  return isObject(error) ? error : undefined;
}

function errorSummary(answer: ErrorAnswer): string | undefined {
  const error = errorOf(answer);
  if (error === undefined) return undefined;
  const code = typeof error.code === "string" && /^[a-z_]{1,40}$/.test(error.code) ? error.code : "?";
  const message = typeof error.message === "string" ? safeText(error.message) : "";
  return message === "" ? code : `${code}: ${message}`;
}

/** A payment answer read by the shared rule, then translated: an outcome either way. */
export function readPayment(result: PspHttpResult, call: CallKind, expected: Expected): PspOutcome {
  const reading = readAnswer(result, call, ANSWER_RULES);
  return reading.kind === "decided" ? reading.outcome : paymentOutcome(reading.body, expected);
}

/** A capture, void or refund answer read by the shared rule, then translated. */
export function readModification(
  result: PspHttpResult,
  call: CallKind,
  operation: ModificationOperation,
  expected: Expected,
): PspOutcome {
  const reading = readAnswer(result, call, ANSWER_RULES);
  return reading.kind === "decided"
    ? reading.outcome
    : modificationOutcome(reading.body, operation, expected);
}

/** What the plugin asked for. Absent for a notification: the core checks its amount against the operation. */
export interface Expected {
  readonly reference: string;
  /** Absent for a void, which names no amount. */
  readonly amount?: Money;
  /** For a payment: sale answers `captured`, authorize answers `authorized`. */
  readonly captureMode?: "sale" | "authorize";
  /** For a modification: the payment it modifies. */
  readonly paymentId?: string;
}

// TODO(np-gbd5rszjn5): your PSP's field names for the id, reference, amount, status, codes and message.
/** A Payment object (an answer to POST /payments or GET /payments/{id}, or a `payment.updated` event's data). */
export function paymentOutcome(body: Json, expected?: Expected): PspOutcome {
  const id = nonEmptyString(body.id);
  const mismatch = expected === undefined ? undefined : describeMismatch(body, expected);
  if (mismatch !== undefined) return { kind: "unknown", detail: mismatch, pspReference: id };
  const rule = paymentRule(body.status);
  if (
    rule.kind === "succeeded" && expected?.captureMode !== undefined &&
    rule.captured !== (expected.captureMode === "sale")
  ) {
    // The PSP did something other than what was asked: neither a success nor a failure of the request.
    const did = rule.captured ? "captured" : "only authorized";
    return {
      kind: "unknown",
      detail: `Np Gbd5rszjn5 ${did} a payment asked as ${expected.captureMode}`,
      pspReference: id,
    };
  }
  if (rule.kind === "requires_action") return actionOf(body, id, expected?.captureMode);
  return outcomeOf(rule, body, id, failureCode(body.declineCode, fallbackOf(rule, "pay")));
}

/** The payment waits for the buyer on the PSP's page: where to send the buyer, and what continue needs. */
function actionOf(body: Json, id: string | undefined, captureMode: Expected["captureMode"]): PspOutcome {
  const url = nonEmptyString(body.redirectUrl);
  if (id === undefined || url === undefined || !/^https?:\/\//.test(url)) {
    return {
      kind: "unknown",
      detail: "Np Gbd5rszjn5 asks for the buyer without a page to send the buyer to",
    };
  }
  const capture = captureMode ?? (body.capture === false ? "authorize" : "sale");
  return {
    kind: "requires_action",
    redirect: { url, method: "GET" },
    pspReference: id,
    resume: { paymentId: id, captureMode: capture },
  };
}

/** A Modification object (an answer to a capture, void or refund, or the data of its event). */
export function modificationOutcome(
  body: Json,
  operation: ModificationOperation,
  expected?: Expected,
): PspOutcome {
  const id = nonEmptyString(body.id);
  const mismatch = expected === undefined ? undefined : describeMismatch(body, expected);
  if (mismatch !== undefined) return { kind: "unknown", detail: mismatch, pspReference: id };
  if (body.type !== undefined && body.type !== operation) {
    return {
      kind: "unknown",
      detail: `Np Gbd5rszjn5 answered about a ${safeText(String(body.type), 20)}`,
      pspReference: id,
    };
  }
  const rule = modificationRule(body.status);
  return outcomeOf(rule, body, id, failureCode(body.failureCode, fallbackOf(rule, operation)));
}

function fallbackOf(rule: StatusRule, operation: string): string {
  if (rule.kind !== "failed") return "";
  return rule.fallbackCode === BY_OPERATION ? `${operation}_failed` : rule.fallbackCode;
}

function outcomeOf(rule: StatusRule, body: Json, id: string | undefined, code: string): PspOutcome {
  const status = typeof body.status === "string" ? safeText(body.status, 40) : "missing";
  switch (rule.kind) {
    case "succeeded": {
      if (id === undefined) return { kind: "unknown", detail: `status ${status} without an id` };
      const amount = moneyOf(body.amount);
      return amount === undefined
        ? { kind: "succeeded", pspReference: id }
        : { kind: "succeeded", pspReference: id, amount };
    }
    case "failed": {
      const message = typeof body.message === "string" && body.message !== ""
        ? safeText(body.message)
        : status;
      return id === undefined
        ? { kind: "failed", code, message }
        : { kind: "failed", code, message, pspReference: id };
    }
    case "pending":
      return id === undefined
        ? { kind: "unknown", detail: `status ${status} without an id` }
        : { kind: "pending", pspReference: id };
    case "requires_action":
      return {
        kind: "unknown",
        detail: "Np Gbd5rszjn5 asks for the buyer where no buyer can act",
        pspReference: id,
      };
    case "unknown":
      return { kind: "unknown", detail: `Np Gbd5rszjn5 status ${status}: ${rule.why}`, pspReference: id };
  }
}

/** Why the answer cannot be about what was asked, or undefined when it is. */
function describeMismatch(body: Json, expected: Expected): string | undefined {
  if (body.reference !== expected.reference) return "Np Gbd5rszjn5 answered about another reference";
  if (expected.paymentId !== undefined && body.paymentId !== expected.paymentId) {
    return "Np Gbd5rszjn5 answered about another payment";
  }
  if (expected.amount !== undefined && !sameMoney(body.amount, expected.amount)) {
    return "Np Gbd5rszjn5's amount differs from the asked amount";
  }
  return undefined;
}

/** The template API's amount object: `{value: minor units, currency: ISO 4217}`. */
export function moneyOf(amount: unknown): Money | undefined {
  if (!isObject(amount) || !Number.isSafeInteger(amount.value) || typeof amount.currency !== "string") {
    return undefined;
  }
  return { amountMinor: amount.value as number, currency: amount.currency };
}

function sameMoney(amount: unknown, money: Money): boolean {
  const read = moneyOf(amount);
  return read !== undefined && read.amountMinor === money.amountMinor && read.currency === money.currency;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
