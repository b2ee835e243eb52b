/**
 * PayPal webhook event types and what each tells the core (developer.paypal.com/api/rest/webhooks/event-names:
 * Orders v2 and Payments v2). An event type outside the table is acknowledged without an event: PayPal stops
 * resending it, and nothing in it is acted on.
 * @module
 */
import { authorizationRule, captureRule, refundRule, type ResultRule } from "./status_map.ts";

/** The resource an event carries. */
export type ResourceKind = "order" | "capture" | "authorization" | "refund";

export type EventRule =
  /** A genuine event the gateway does not act on. */
  | { readonly kind: "acknowledge"; readonly why: string }
  /** The payment's order was voided: nothing can be captured any more. */
  | { readonly kind: "order_voided"; readonly code: string }
  /**
   * A capture, authorization or refund: its own status decides, through `rule`, and must agree with what the
   * event type says (`expect`); a resource whose status says otherwise is not acted on.
   */
  | {
    readonly kind: "transaction";
    readonly resource: Exclude<ResourceKind, "order">;
    readonly expect: ResultRule["kind"];
    readonly rule: (status: unknown) => ResultRule;
  };

export const EVENT_TYPES = [
  "CHECKOUT.ORDER.APPROVED",
  "CHECKOUT.ORDER.SAVED",
  "CHECKOUT.ORDER.COMPLETED",
  "CHECKOUT.ORDER.VOIDED",
  "CHECKOUT.PAYMENT-APPROVAL.REVERSED",
  "PAYMENT.AUTHORIZATION.CREATED",
  "PAYMENT.AUTHORIZATION.VOIDED",
  "PAYMENT.CAPTURE.COMPLETED",
  "PAYMENT.CAPTURE.PENDING",
  "PAYMENT.CAPTURE.DECLINED",
  "PAYMENT.CAPTURE.DENIED",
  "PAYMENT.CAPTURE.REFUNDED",
  "PAYMENT.CAPTURE.REVERSED",
  "PAYMENT.REFUND.PENDING",
  "PAYMENT.REFUND.FAILED",
] as const;
export type EventType = typeof EVENT_TYPES[number];

function transaction(
  resource: Exclude<ResourceKind, "order">,
  expect: ResultRule["kind"],
): EventRule {
  const rule = resource === "capture"
    ? captureRule
    : resource === "authorization"
    ? authorizationRule
    : refundRule;
  return { kind: "transaction", resource, expect, rule };
}

export const EVENT_RULES: { readonly [T in EventType]: EventRule } = {
  // The buyer approved: no money moved. The gateway captures or authorizes on the buyer's return; a buyer who
  // never returns leaves the payment to fail at its action timeout (see README, "Approved, never returned").
  "CHECKOUT.ORDER.APPROVED": { kind: "acknowledge", why: "the gateway acts on the buyer's return" },
  "CHECKOUT.ORDER.SAVED": { kind: "acknowledge", why: "the gateway never saves orders" },
  // The capture or authorization in it is reported by its own PAYMENT.* event.
  "CHECKOUT.ORDER.COMPLETED": { kind: "acknowledge", why: "its PAYMENT.* event reports the result" },
  "CHECKOUT.ORDER.VOIDED": { kind: "order_voided", code: "payment_canceled" },
  // Approved but not captured in time: PayPal cancels the order (developer.paypal.com/docs/checkout/apm/reference/
  // handle-uncaptured-payments). Its resource is not an order, and names the order only by `order_id`.
  "CHECKOUT.PAYMENT-APPROVAL.REVERSED": { kind: "order_voided", code: "payment_canceled" },
  "PAYMENT.AUTHORIZATION.CREATED": transaction("authorization", "succeeded"),
  // A void names no reference of the void (its request has no body); the void's own answer settles it.
  "PAYMENT.AUTHORIZATION.VOIDED": { kind: "acknowledge", why: "the void's answer settles the void" },
  "PAYMENT.CAPTURE.COMPLETED": transaction("capture", "succeeded"),
  "PAYMENT.CAPTURE.PENDING": transaction("capture", "pending"),
  "PAYMENT.CAPTURE.DECLINED": transaction("capture", "failed"),
  "PAYMENT.CAPTURE.DENIED": transaction("capture", "failed"),
  // The resource is the refund.
  "PAYMENT.CAPTURE.REFUNDED": transaction("refund", "succeeded"),
  // PayPal took the money back (a reversal, not a refund the gateway asked for): no operation of the gateway's.
  "PAYMENT.CAPTURE.REVERSED": {
    kind: "acknowledge",
    why: "a reversal is not a refund the gateway asked for",
  },
  "PAYMENT.REFUND.PENDING": transaction("refund", "pending"),
  "PAYMENT.REFUND.FAILED": transaction("refund", "failed"),
};

export function eventRule(eventType: unknown): EventRule {
  if (typeof eventType === "string" && Object.hasOwn(EVENT_RULES, eventType)) {
    return EVENT_RULES[eventType as EventType];
  }
  return { kind: "acknowledge", why: "an event type the gateway does not act on" };
}
