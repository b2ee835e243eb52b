/**
 * Mollie's payment and refund objects, read into what the plugin needs and translated through the status map.
 * Every answer is checked against what was asked (the gateway reference in `metadata`, the amount): an answer
 * about another payment, refund or amount is unknown, never a result.
 * @module
 */
import type { Money, PspOutcome } from "../../src/plugin_api.ts";
import { isObject, type Json, moneyFromDecimal, safeText, stringField } from "../kit/mod.ts";
import { paymentStatusRule, refundStatusRule, type StatusRule } from "./status_map.ts";

export interface MolliePayment {
  readonly id: string;
  readonly status: string;
  readonly amount: Money;
  /** `metadata.reference`: the gateway reference the plugin sent, if the payment carries one. */
  readonly reference?: string;
  readonly mode?: string;
  /** `_links.checkout.href`: the hosted page, present while the buyer can still pay. */
  readonly checkoutUrl?: string;
  readonly statusReason?: string;
}

export interface MollieRefund {
  readonly id: string;
  readonly status: string;
  readonly amount: Money;
  readonly paymentId?: string;
  readonly reference?: string;
}

/** Who reads a payment: its creation, the buyer's return, a query, or a webhook. */
export type Reader = "create" | "return" | "query" | "notification";

export interface Expected {
  readonly reference: string;
  readonly amount?: Money;
}

/** A payment object, or undefined when the body is not one (no `tr_` id, no status, no valid amount). */
export function readPayment(body: Json): MolliePayment | undefined {
  const id = stringField(body, "id");
  const status = stringField(body, "status");
  const amount = readMoney(body.amount);
  if (id === undefined || !id.startsWith("tr_") || status === undefined || amount === undefined) {
    return undefined;
  }
  const links = isObject(body._links) ? body._links : undefined;
  const checkout = isObject(links?.checkout) ? stringField(links.checkout, "href") : undefined;
  const reason = isObject(body.statusReason) ? stringField(body.statusReason, "message") : undefined;
  return {
    id,
    status,
    amount,
    reference: isObject(body.metadata) ? stringField(body.metadata, "reference") : undefined,
    mode: stringField(body, "mode"),
    checkoutUrl: checkout !== undefined && isWebUrl(checkout) ? checkout : undefined,
    statusReason: reason === undefined ? undefined : safeText(reason),
  };
}

/** A refund object, or undefined when the body is not one. */
export function readRefund(body: Json): MollieRefund | undefined {
  const id = stringField(body, "id");
  const status = stringField(body, "status");
  const amount = readMoney(body.amount);
  if (id === undefined || !id.startsWith("re_") || status === undefined || amount === undefined) {
    return undefined;
  }
  return {
    id,
    status,
    amount,
    paymentId: stringField(body, "paymentId"),
    reference: isObject(body.metadata) ? stringField(body.metadata, "reference") : undefined,
  };
}

/**
 * The outcome a payment object stands for, for the one who reads it. `undefined` only for a webhook about a
 * payment that is still open: nothing happened that the core needs to hear.
 */
export function paymentOutcome(
  payment: MolliePayment,
  expected: Expected,
  reader: Reader,
): PspOutcome | undefined {
  const mismatch = mismatchOf(payment.reference, payment.amount, expected, "payment");
  if (mismatch !== undefined) return { kind: "unknown", detail: mismatch, pspReference: payment.id };
  const rule = paymentStatusRule(payment.status);
  if (rule.kind !== "awaiting_buyer") return ruleOutcome(rule, payment.id, payment.amount, describe(payment));
  switch (reader) {
    case "return":
      // Mollie adds nothing to the redirect URL, so only the payment tells whether the buyer finished: still
      // open means they came back without paying (yet). Nothing changed; the payment keeps waiting for them.
      return {
        kind: "return_refused",
        detail: "the buyer came back, but the payment is still open at Mollie",
      };
    case "notification":
      return undefined;
    case "create":
    case "query":
      return payment.checkoutUrl === undefined
        ? {
          kind: "unknown",
          detail: "the payment is open but has no checkout link",
          pspReference: payment.id,
        }
        : {
          kind: "requires_action",
          redirect: { url: payment.checkoutUrl, method: "GET" },
          pspReference: payment.id,
          resume: { paymentId: payment.id },
        };
  }
}

/** The outcome a refund object stands for. */
export function refundOutcome(
  refund: MollieRefund,
  expected: Expected & { readonly paymentId?: string },
): PspOutcome {
  if (expected.paymentId !== undefined && refund.paymentId !== expected.paymentId) {
    return {
      kind: "unknown",
      detail: "Mollie answered about a refund of another payment",
      pspReference: refund.id,
    };
  }
  const mismatch = mismatchOf(refund.reference, refund.amount, expected, "refund");
  if (mismatch !== undefined) return { kind: "unknown", detail: mismatch, pspReference: refund.id };
  const rule = refundStatusRule(refund.status);
  // A refund has no buyer to wait for; the status map gives none this rule.
  if (rule.kind === "awaiting_buyer") return { kind: "unknown", detail: "unexpected refund rule" };
  return ruleOutcome(
    rule,
    refund.id,
    refund.amount,
    `Mollie reports the refund ${safeText(refund.status, 20)}`,
  );
}

function ruleOutcome(
  rule: Exclude<StatusRule, { kind: "awaiting_buyer" }>,
  pspReference: string,
  amount: Money,
  message: string,
): PspOutcome {
  switch (rule.kind) {
    case "succeeded":
      return { kind: "succeeded", pspReference, amount };
    case "failed":
      return { kind: "failed", code: rule.code, message, pspReference };
    case "pending":
      return { kind: "pending", pspReference };
    case "unknown":
      return { kind: "unknown", detail: `Mollie's status: ${rule.why}`, pspReference };
  }
}

function describe(payment: MolliePayment): string {
  const status = `Mollie reports the payment ${safeText(payment.status, 20)}`;
  return payment.statusReason === undefined ? status : `${status}: ${payment.statusReason}`;
}

function mismatchOf(
  reference: string | undefined,
  amount: Money,
  expected: Expected,
  what: string,
): string | undefined {
  if (reference !== expected.reference) return `Mollie answered about a ${what} with another reference`;
  const asked = expected.amount;
  if (
    asked !== undefined && (asked.amountMinor !== amount.amountMinor || asked.currency !== amount.currency)
  ) {
    return `Mollie answered about a ${what} of another amount or currency`;
  }
  return undefined;
}

function readMoney(value: unknown): Money | undefined {
  return isObject(value) ? moneyFromDecimal(value.value, value.currency) : undefined;
}

function isWebUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}
