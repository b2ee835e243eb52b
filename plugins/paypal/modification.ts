/**
 * What captures, voids and refunds share: the payment's order is read first (its PSP reference is the order
 * id) to find the authorization or the captures the modification applies to; a modification's answer is
 * read through the flow's issue table; a question about a modification only looks (GET), and a
 * modification PayPal does not show was not received.
 * @module
 */
import type { ModificationInput, PspHttpResult, PspOutcome, QueryInput } from "../../src/plugin_api.ts";
import { type CallKind, parseObject, readAnswer } from "../kit/mod.ts";
import { paypalRules, unprocessableRule } from "./answer_rules.ts";
import { transactionOutcome } from "./order_result.ts";
import { type CaptureView, type OrderView, readTransaction } from "./orders.ts";
import type { IssueTable, ResultRule } from "./status_map.ts";

/** What every modification call needs to know about the payment. */
export interface Modification {
  readonly reference: string;
  readonly orderId: string;
  readonly amount?: ModificationInput["amount"];
}

export function modificationOf(input: ModificationInput | QueryInput): Modification | undefined {
  const orderId = input.paymentPspReference;
  if (orderId === undefined || !/^[A-Za-z0-9-]{1,64}$/.test(orderId)) return undefined;
  return { reference: input.reference, orderId, amount: input.amount };
}

/** The authorization of an order placed with intent AUTHORIZE (one per purchase unit). */
export function authorizationOf(order: OrderView): CaptureView | undefined {
  return order.authorizations[0];
}

export interface AnswerCheck {
  readonly issues: IssueTable;
  readonly rule: (status: unknown) => ResultRule;
  readonly what: string;
  /** The reference PayPal must echo as invoice_id, when the request sent one. */
  readonly reference?: string;
}

/**
 * A modification's answer: a 2xx body is the capture, authorization or refund resource, whose status decides;
 * the rest follows the kit's rule with the flow's issues (a 422 `done` issue is handled by the caller).
 */
export function readModificationAnswer(
  result: PspHttpResult,
  call: CallKind,
  check: AnswerCheck,
): PspOutcome {
  const reading = readAnswer(result, call, paypalRules(check.issues));
  if (reading.kind === "decided") return reading.outcome;
  const transaction = readTransaction(reading.body);
  if (transaction === undefined) return { kind: "unknown", detail: `PayPal's answer is not a ${check.what}` };
  return transactionResult(transaction, check);
}

export function transactionResult(transaction: CaptureView, check: AnswerCheck): PspOutcome {
  if (
    check.reference !== undefined && transaction.invoiceId !== undefined &&
    transaction.invoiceId !== check.reference
  ) {
    return {
      kind: "unknown",
      detail: `PayPal's ${check.what} carries another invoice_id than the operation's reference`,
      pspReference: transaction.id,
    };
  }
  return transactionOutcome(transaction, check.rule(transaction.status), transaction.id, check.what);
}

/** Whether a response is a 422 whose issue the flow reads as "already done". */
export function alreadyDone(result: PspHttpResult, issues: IssueTable): boolean {
  if (result.kind !== "response" || result.status !== 422) return false;
  return unprocessableRule({ status: 422, headers: {}, body: parseObject(result.body) }, issues)?.kind ===
    "done";
}

/** A modification the payment's order does not show was never carried out under any key. */
export function notReceived(what: string): PspOutcome {
  return {
    kind: "not_received",
    detail: `PayPal's order shows no ${what} with this reference`,
  };
}

/** Nothing was sent: the call cannot be made for this payment. */
export function cannotModify(detail: string): PspOutcome {
  return { kind: "failed", code: "invalid_request", message: detail };
}
