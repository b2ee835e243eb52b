/**
 * Captures, voids and refunds of a payment, decided against the payment's ledger (plugins/kit/emulator/
 * ledger.ts) by the template API's accounting rules: several partial captures of an authorisation, a void
 * only before any capture, refunds up to what was captured, in the payment's currency. A refused modification
 * is still an answer (status `failed`, with its `failureCode`), stored under the key like any other.
 * @module
 */
import {
  capture,
  type Json,
  type LedgerRefusal,
  type LedgerResult,
  type LedgerRules,
  refund,
  type StateTransaction,
  voidRemaining,
} from "../../kit/emulator/mod.ts";
import type { Caller } from "./accounts.ts";
import { type Handler, refused } from "./api_call.ts";
import type { Notifier } from "./notifications.ts";
import {
  type Amount,
  modificationObject,
  type ModificationRecord,
  type ModificationType,
  newId,
  paymentOf,
  type PaymentRecord,
  saveModification,
  savePayment,
} from "./records.ts";

const RULES: LedgerRules = { multipleCaptures: true, voidAfterPartialCapture: false };

/** The ledger's refusals in the template API's words. */
const FAILURE_CODES: { readonly [R in LedgerRefusal]: string } = {
  invalid_amount: "invalid_request",
  currency_mismatch: "currency_mismatch",
  voided: "not_capturable",
  capture_closed: "not_capturable",
  exceeds_authorized: "exceeds_authorized",
  already_voided: "not_voidable",
  already_captured: "already_captured",
  not_captured: "not_refundable",
  exceeds_captured: "exceeds_captured",
};

const EVENTS = { capture: "capture.updated", void: "void.updated", refund: "refund.updated" } as const;

function amountOf(value: unknown): Amount | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const { value: minor, currency } = value as Record<string, unknown>;
  return Number.isSafeInteger(minor) && (minor as number) > 0 && typeof currency === "string" &&
      /^[A-Z]{3}$/.test(currency)
    ? { value: minor as number, currency }
    : undefined;
}

function apply(type: ModificationType, payment: PaymentRecord, amount: Amount | undefined): LedgerResult {
  const ledger = payment.ledger;
  if (ledger === undefined) return { ok: false, refusal: type === "refund" ? "not_captured" : "voided" };
  const money = amount === undefined ? undefined : { amountMinor: amount.value, currency: amount.currency };
  if (type === "void") return voidRemaining(ledger, RULES);
  return type === "capture" ? capture(ledger, money!, RULES) : refund(ledger, money!);
}

export function modificationHandler(notifier: Notifier, type: ModificationType, paymentId: string): Handler {
  return (caller: Caller, body: Json, tx: StateTransaction) => {
    const payment = paymentOf(tx, caller.scope, paymentId);
    if (payment === undefined) return refused(404, "payment_not_found", "No such payment");
    if (typeof body.reference !== "string" || body.reference === "") {
      return refused(400, "invalid_request", "reference is required");
    }
    const amount = type === "void" ? undefined : amountOf(body.amount);
    if (type !== "void" && amount === undefined) return refused(400, "invalid_request", "amount is invalid");
    const result = apply(type, payment, amount);
    const modification: ModificationRecord = result.ok
      ? { id: newId(type), paymentId, reference: body.reference, type, amount, status: "succeeded" }
      : {
        id: newId(type),
        paymentId,
        reference: body.reference,
        type,
        amount,
        status: "failed",
        failureCode: FAILURE_CODES[result.refusal],
        message: `The ${type} was refused: ${FAILURE_CODES[result.refusal]}`,
      };
    if (result.ok) savePayment(tx, { ...payment, ledger: result.ledger });
    saveModification(tx, modification);
    notifier.notify(tx, caller.scope, EVENTS[type], modificationObject(modification));
    return { kind: "answered", status: 201, body: modificationObject(modification) };
  };
}
