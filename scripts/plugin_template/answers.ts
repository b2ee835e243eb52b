/**
 * Translates the template API's Payment and Modification objects into outcomes, after checking that an answer
 * is about what was asked. Notifications carry the same objects, so they use the same translation.
 * @module
 */
import type { Money, PspOutcome } from "../../src/plugin_api.ts";
import { isObject, type Json, safeText } from "./http_answer.ts";
import { BY_OPERATION, failureCode, modificationRule, paymentRule, type StatusRule } from "./status_map.ts";

export type ModificationOperation = "capture" | "void" | "refund";

/** What the plugin asked for. Absent for a notification: the core checks its amount against the operation. */
export interface Expected {
  readonly reference: string;
  /** Absent for a void, which names no amount. */
  readonly amount?: Money;
  /** For a payment: sale answers `captured`, authorize answers `authorized`. Unknown to a query, maybe. */
  readonly captureMode?: "sale" | "authorize";
  /** For a modification: the payment it modifies. */
  readonly paymentId?: string;
}

// TODO(skeleton-pay): your PSP's field names for the reference, amount, status, codes and message.
/** A Payment object (an answer to POST /payments, or the data of a `payment.updated` event). */
export function paymentOutcome(body: Json, expected?: Expected): PspOutcome {
  const id = nonEmptyString(body.id);
  const mismatch = expected === undefined ? undefined : describeMismatch(body, expected);
  if (mismatch !== undefined) return { kind: "unknown", detail: mismatch, pspReference: id };
  const rule = paymentRule(body.status);
  if (rule.kind === "succeeded" && expected?.captureMode !== undefined) {
    const asked = expected.captureMode === "sale";
    if (rule.captured !== asked) {
      // The PSP did something other than what was asked: neither a success nor a failure of the request.
      const did = rule.captured ? "captured" : "only authorized";
      return {
        kind: "unknown",
        detail: `Skeleton Pay ${did} a payment asked as ${expected.captureMode}`,
        pspReference: id,
      };
    }
  }
  return outcomeOf(rule, body, id, failureCode(body.declineCode, fallbackOf(rule, "pay")));
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
      detail: `Skeleton Pay answered about a ${safeText(String(body.type), 20)}`,
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
      return amount === undefined ? { kind: "succeeded", pspReference: id } : {
        kind: "succeeded",
        pspReference: id,
        amount,
      };
    }
    case "failed": {
      const message = typeof body.message === "string" && body.message !== ""
        ? safeText(body.message)
        : status;
      return id === undefined ? { kind: "failed", code, message } : {
        kind: "failed",
        code,
        message,
        pspReference: id,
      };
    }
    case "pending":
      if (id === undefined) return { kind: "unknown", detail: `status ${status} without an id` };
      return { kind: "pending", pspReference: id };
    case "unknown":
      return { kind: "unknown", detail: `Skeleton Pay status ${status}: ${rule.why}`, pspReference: id };
  }
}

/** Why the answer cannot be about what was asked, or undefined when it is. */
function describeMismatch(body: Json, expected: Expected): string | undefined {
  if (body.reference !== expected.reference) return "Skeleton Pay answered about another reference";
  if (expected.paymentId !== undefined && body.paymentId !== expected.paymentId) {
    return "Skeleton Pay answered about another payment";
  }
  if (expected.amount !== undefined && !sameMoney(body.amount, expected.amount)) {
    return "Skeleton Pay's amount differs from the asked amount";
  }
  return undefined;
}

function moneyOf(amount: unknown): Money | undefined {
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
