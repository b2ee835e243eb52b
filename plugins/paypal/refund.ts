/**
 * Refunds: POST /v2/payments/captures/{id}/refund, partial and several, with the refund's reference as
 * `invoice_id` and `custom_id`. PayPal refunds a capture, the core a payment: a sale has one capture; a
 * payment captured several times is refunded from the first capture whose unrefunded rest covers the amount
 * (refunds count against their capture through their `up` link). A refund no single capture covers is not
 * sent: PayPal would need one refund per capture, and the core has one operation for it.
 * @module
 */
import type {
  ModificationInput,
  Money,
  PspCallContext,
  PspOutcome,
  QueryInput,
} from "../../src/plugin_api.ts";
import { decimalAmount } from "../kit/mod.ts";
import type { Endpoint } from "./access_token.ts";
import { getOrder, getTransaction } from "./lookups.ts";
import {
  type AnswerCheck,
  cannotModify,
  modificationOf,
  notReceived,
  readModificationAnswer,
  transactionResult,
} from "./modification.ts";
import type { CaptureView, OrderView } from "./orders.ts";
import { callPayPal, segment } from "./paypal_api.ts";
import { REFUND_ISSUES, refundRule } from "./status_map.ts";

function check(reference: string): AnswerCheck {
  return { issues: REFUND_ISSUES, rule: refundRule, what: "refund", reference };
}

/** Capture statuses that still hold money to refund. */
const REFUNDABLE = ["COMPLETED", "PARTIALLY_REFUNDED"];
/** Refund statuses that take money from their capture. */
const TAKING = ["COMPLETED", "PENDING"];

export type CaptureChoice =
  | { readonly kind: "capture"; readonly capture: CaptureView }
  | { readonly kind: "none"; readonly code: string; readonly message: string };

/** The capture a refund of `amount` is taken from. */
export function chooseCapture(order: OrderView, amount: Money): CaptureChoice {
  const refundable = order.captures.filter((capture) => REFUNDABLE.includes(capture.status ?? ""));
  if (refundable.length === 0) {
    return {
      kind: "none",
      code: "payment_not_refundable",
      message: "PayPal's order holds no refundable capture",
    };
  }
  for (const capture of refundable) {
    if (capture.amount === undefined || capture.amount.currency !== amount.currency) continue;
    const taken = order.refunds
      .filter((refund) => refund.captureId === capture.id && TAKING.includes(refund.status ?? ""))
      .reduce((sum, refund) => sum + (refund.amount?.amountMinor ?? 0), 0);
    if (capture.amount.amountMinor - taken >= amount.amountMinor) return { kind: "capture", capture };
  }
  // One capture: PayPal itself says whether the amount fits (REFUND_AMOUNT_EXCEEDED otherwise).
  if (refundable.length === 1) return { kind: "capture", capture: refundable[0] };
  return {
    kind: "none",
    code: "refund_exceeds_capture",
    message: "no single PayPal capture of this payment covers the refund; refund each capture on its own",
  };
}

export async function refundPayment(
  endpoint: Endpoint,
  input: ModificationInput,
  ctx: PspCallContext,
): Promise<PspOutcome> {
  const modification = modificationOf(input);
  const amount = input.amount;
  if (modification === undefined) return cannotModify("the payment names no PayPal order");
  if (amount === undefined) return cannotModify("a refund needs an amount");
  const found = await getOrder(endpoint, ctx, modification.orderId);
  if (found.kind === "unknown") return found.outcome;
  const choice = chooseCapture(found.value, amount);
  if (choice.kind === "none") return { kind: "failed", code: choice.code, message: choice.message };
  const result = await callPayPal(endpoint, ctx, {
    method: "POST",
    path: `/v2/payments/captures/${segment(choice.capture.id)}/refund`,
    json: {
      amount: { currency_code: amount.currency, value: decimalAmount(amount) },
      invoice_id: input.reference,
      custom_id: input.reference,
    },
    keyed: true,
    operation: "paypal.captures.refund",
  });
  return readModificationAnswer(result, "operation", check(input.reference));
}

/**
 * Asks about a refund without any effect: by its id when an earlier answer named it (a pending refund), else
 * among the order's refunds by reference. A refund the order does not show was not carried out.
 */
export async function queryRefund(
  endpoint: Endpoint,
  input: QueryInput,
  ctx: PspCallContext,
): Promise<PspOutcome> {
  const modification = modificationOf(input);
  if (modification === undefined) return { kind: "unknown", detail: "the payment names no PayPal order" };
  if (input.pspReference !== undefined && input.pspReference !== modification.orderId) {
    const found = await getTransaction(endpoint, ctx, "refunds", input.pspReference);
    return found.kind === "found" ? transactionResult(found.value, check(input.reference)) : found.outcome;
  }
  const found = await getOrder(endpoint, ctx, modification.orderId);
  if (found.kind === "unknown") return found.outcome;
  const refund = found.value.refunds.find((item) =>
    item.invoiceId === input.reference || item.customId === input.reference
  );
  return refund === undefined ? notReceived("refund") : transactionResult(refund, check(input.reference));
}
