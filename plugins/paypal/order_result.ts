/**
 * What an order says about its payment: the capture (a sale) or the authorization (manual capture) in its
 * first purchase unit, read through the status map. The payment's PSP reference is always the order id:
 * Genstore's channelPaymentId stays the id it got with the redirect, and every later call finds the
 * authorization or captures by reading the order.
 * @module
 */
import type { Money, PspOutcome } from "../../src/plugin_api.ts";
import { safeText } from "../kit/mod.ts";
import type { CaptureView, Intent, OrderView } from "./orders.ts";
import { authorizationRule, captureRule, orderRule, type ResultRule } from "./status_map.ts";

export interface ExpectedPayment {
  readonly reference: string;
  readonly amount: Money;
  readonly orderId: string;
}

/** An order read: a result, or one of the two states in which the gateway itself must act or wait. */
export type OrderReading =
  | { readonly kind: "outcome"; readonly outcome: PspOutcome }
  /** Not approved by the buyer (yet): nothing happened. */
  | { readonly kind: "awaiting_buyer" }
  /** Approved, neither captured nor authorized: the gateway's call on the buyer's return is due. */
  | { readonly kind: "approved" };

/** Reads the payment's result from an order PayPal answered about `expected.orderId`. */
export function readOrderPayment(order: OrderView, intent: Intent, expected: ExpectedPayment): OrderReading {
  const unknown = (detail: string): OrderReading => ({
    kind: "outcome",
    outcome: { kind: "unknown", detail, pspReference: expected.orderId },
  });
  if (order.id !== expected.orderId) return unknown("PayPal answered about another order");
  if (order.customId !== undefined && order.customId !== expected.reference) {
    return unknown("PayPal's order carries another custom_id than the payment's reference");
  }
  if (order.intent !== undefined && order.intent !== intent) {
    return unknown("PayPal's order has another intent");
  }
  const transaction = intent === "CAPTURE" ? order.captures[0] : order.authorizations[0];
  if (transaction !== undefined) {
    const rule = intent === "CAPTURE"
      ? captureRule(transaction.status)
      : authorizationRule(transaction.status);
    const what = intent === "CAPTURE" ? "capture" : "authorization";
    return { kind: "outcome", outcome: transactionOutcome(transaction, rule, expected.orderId, what) };
  }
  const rule = orderRule(order.status);
  switch (rule.kind) {
    case "awaiting_buyer":
    case "approved":
      return { kind: rule.kind };
    case "failed":
      return {
        kind: "outcome",
        outcome: {
          kind: "failed",
          code: rule.code,
          message: `PayPal order ${order.status}`,
          pspReference: expected.orderId,
        },
      };
    case "completed":
      return unknown(
        `PayPal's completed order holds no ${intent === "CAPTURE" ? "capture" : "authorization"}`,
      );
    case "unknown":
      return unknown(`PayPal order: ${rule.why}`);
  }
}

/**
 * A capture, authorization or refund through its status rule. A success carries the amount PayPal confirmed
 * (the core refuses one that differs from the asked amount); a success without an amount is not believed.
 */
export function transactionOutcome(
  transaction: CaptureView,
  rule: ResultRule,
  pspReference: string,
  what: string,
): PspOutcome {
  const status = transaction.status === undefined ? "without a status" : safeText(transaction.status, 40);
  switch (rule.kind) {
    case "succeeded":
      return transaction.amount === undefined
        ? { kind: "unknown", detail: `PayPal's ${what} has no amount`, pspReference }
        : { kind: "succeeded", pspReference, amount: transaction.amount };
    case "pending":
      return { kind: "pending", pspReference };
    case "failed": {
      const reason = transaction.reason === undefined ? "" : `: ${safeText(transaction.reason, 64)}`;
      return { kind: "failed", code: rule.code, message: `PayPal ${what} ${status}${reason}`, pspReference };
    }
    case "unknown":
      return { kind: "unknown", detail: `PayPal ${what} ${status}: ${rule.why}`, pspReference };
  }
}
