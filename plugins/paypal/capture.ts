/**
 * Captures of an authorization: POST /v2/payments/authorizations/{id}/capture, partial or whole, several of
 * them. `final_capture` is true only when one capture takes the whole authorized amount: the core does not say
 * what earlier captures took, so a partial capture always leaves the rest of the authorization open (PayPal
 * releases it when the authorization expires). The capture's `invoice_id` is the capture's reference.
 * @module
 */
import type { ModificationInput, PspCallContext, PspOutcome, QueryInput } from "../../src/plugin_api.ts";
import { decimalAmount } from "../kit/mod.ts";
import type { Endpoint } from "./access_token.ts";
import { getOrder, getTransaction } from "./lookups.ts";
import {
  type AnswerCheck,
  authorizationOf,
  cannotModify,
  modificationOf,
  notReceived,
  readModificationAnswer,
  transactionResult,
} from "./modification.ts";
import { sameMoney } from "./orders.ts";
import { callPayPal, segment } from "./paypal_api.ts";
import { CAPTURE_ISSUES, captureRule } from "./status_map.ts";

function check(reference: string): AnswerCheck {
  return { issues: CAPTURE_ISSUES, rule: captureRule, what: "capture", reference };
}

export async function captureAuthorization(
  endpoint: Endpoint,
  input: ModificationInput,
  ctx: PspCallContext,
): Promise<PspOutcome> {
  const modification = modificationOf(input);
  const amount = input.amount;
  if (modification === undefined) return cannotModify("the payment names no PayPal order");
  if (amount === undefined) return cannotModify("a capture needs an amount");
  const found = await getOrder(endpoint, ctx, modification.orderId);
  if (found.kind === "unknown") return found.outcome;
  const authorization = authorizationOf(found.value);
  if (authorization === undefined) {
    return {
      kind: "failed",
      code: "payment_not_capturable",
      message: "PayPal's order holds no authorization",
    };
  }
  const result = await callPayPal(endpoint, ctx, {
    method: "POST",
    path: `/v2/payments/authorizations/${segment(authorization.id)}/capture`,
    json: {
      amount: { currency_code: amount.currency, value: decimalAmount(amount) },
      invoice_id: input.reference,
      final_capture: sameMoney(authorization.amount ?? input.paymentAmount, amount),
    },
    keyed: true,
    operation: "paypal.authorizations.capture",
  });
  return readModificationAnswer(result, "operation", check(input.reference));
}

/**
 * Asks about a capture without any effect: by its id when an earlier answer named it, else among the order's
 * captures by invoice_id. A capture the order does not show was not carried out, under any key.
 */
export async function queryCapture(
  endpoint: Endpoint,
  input: QueryInput,
  ctx: PspCallContext,
): Promise<PspOutcome> {
  const modification = modificationOf(input);
  if (modification === undefined) return { kind: "unknown", detail: "the payment names no PayPal order" };
  if (input.pspReference !== undefined && input.pspReference !== modification.orderId) {
    const found = await getTransaction(endpoint, ctx, "captures", input.pspReference);
    return found.kind === "found" ? transactionResult(found.value, check(input.reference)) : found.outcome;
  }
  const found = await getOrder(endpoint, ctx, modification.orderId);
  if (found.kind === "unknown") return found.outcome;
  const capture = found.value.captures.find((item) => item.invoiceId === input.reference);
  return capture === undefined ? notReceived("capture") : transactionResult(capture, check(input.reference));
}
