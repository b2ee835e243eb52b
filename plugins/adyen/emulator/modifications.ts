/**
 * Captures, cancels and refunds (POST /payments/{paymentPspReference}/captures|cancels|refunds), decided with
 * the kit's ledger under Adyen's accounting rules (docs.adyen.com/online-payments/capture, /refund, /cancel):
 * no capture above what remains authorised, no refund above what was captured, no cancel once captured.
 * Adyen answers 201 `received` at once and reports the result by notification; the balance is booked when the
 * request is received, so two concurrent captures cannot both pass.
 * @module
 */
import {
  capture,
  type LedgerRefusal,
  type LedgerResult,
  type LedgerRules,
  refund,
  voidRemaining,
} from "../../kit/emulator/mod.ts";
import type { Handler } from "./api_call.ts";
import type { EmulatorContext } from "./context.ts";
import { ownMerchantAccount } from "./payments.ts";
import { paymentOf, type PaymentRecord, savePayment } from "./records.ts";
import { isPspReference, newPspReference } from "./references.ts";
import { validationError } from "./service_error.ts";
import { type Amount, checkAmount } from "./validation.ts";

export type ModificationKind = "capture" | "cancel" | "refund";

const EVENT_CODES = { capture: "CAPTURE", cancel: "CANCELLATION", refund: "REFUND" } as const;

/** Adyen's reason texts for the refusals its modifications can meet (the refund one is from its REFUND example). */
const REASONS: Readonly<Record<LedgerRefusal, string>> = {
  invalid_amount: "Invalid amount specified",
  currency_mismatch: "Currency mismatch",
  voided: "Payment has been cancelled",
  capture_closed: "Payment has already been captured",
  exceeds_authorized: "Insufficient authorised amount remaining",
  already_voided: "Payment has already been cancelled",
  already_captured: "Payment has been captured, cancel not possible",
  not_captured: "Transaction hasn't been captured, refund not possible",
  exceeds_captured: "Refund amount exceeds the captured amount",
};

type Decision = { readonly success: true; readonly payment: PaymentRecord } | {
  readonly success: false;
  readonly reason: string;
};

function decide(
  payment: PaymentRecord | undefined,
  kind: ModificationKind,
  amount: Amount | undefined,
  rules: LedgerRules,
): Decision {
  if (payment === undefined) return { success: false, reason: "Original pspReference not found" };
  if (payment.status !== "authorised" || payment.ledger === undefined) {
    return { success: false, reason: "Payment is not authorised" };
  }
  const money = amount === undefined ? undefined : { amountMinor: amount.value, currency: amount.currency };
  let result: LedgerResult;
  if (kind === "cancel") result = voidRemaining(payment.ledger, rules);
  else if (money === undefined) return { success: false, reason: "Amount is missing" };
  else result = kind === "capture" ? capture(payment.ledger, money, rules) : refund(payment.ledger, money);
  if (!result.ok) return { success: false, reason: REASONS[result.refusal] };
  return { success: true, payment: { ...payment, ledger: result.ledger } };
}

export function modificationHandler(
  ctx: EmulatorContext,
  kind: ModificationKind,
  paymentPspReference: string,
): Handler {
  return function modification(caller, body, tx) {
    const merchantAccount = ownMerchantAccount(caller, body);
    if (!merchantAccount.ok) return Promise.resolve({ kind: "rejected", error: merchantAccount.error });
    if (!isPspReference(paymentPspReference)) {
      return Promise.resolve({
        kind: "rejected",
        error: validationError("167", "Original pspReference required for this operation"),
      });
    }
    let amount: Amount | undefined;
    if (kind !== "cancel") {
      const checked = checkAmount(body.amount);
      if (!checked.ok) return Promise.resolve({ kind: "rejected", error: checked.error });
      if (checked.value.value === 0) {
        return Promise.resolve({
          kind: "rejected",
          error: validationError("137", "Invalid amount specified"),
        });
      }
      amount = checked.value;
    }
    if (body.reference !== undefined && typeof body.reference !== "string") {
      return Promise.resolve({ kind: "rejected", error: validationError("000", "Invalid reference") });
    }
    const reference = body.reference as string | undefined;
    // Transactions run one at a time: concurrent modifications of one payment are decided one after the other
    // against the balance the previous one left.
    const found = paymentOf(tx, paymentPspReference);
    const payment = found?.merchantAccount === merchantAccount.value ? found : undefined;
    const account = ctx.accounts.forMerchant(merchantAccount.value);
    const rules = {
      multipleCaptures: account?.multiplePartialCaptures ?? true,
      voidAfterPartialCapture: false,
    };
    const decision = decide(payment, kind, amount, rules);
    if (decision.success) savePayment(tx, decision.payment);
    const pspReference = newPspReference();
    ctx.notifier.notify(tx, merchantAccount.value, {
      eventCode: EVENT_CODES[kind],
      pspReference,
      originalReference: paymentPspReference,
      merchantReference: reference ?? payment?.merchantReference ?? "",
      amount: amount ?? payment?.amount ?? { value: 0, currency: "EUR" },
      success: decision.success ? "true" : "false",
      paymentMethod: payment?.brand ?? "scheme",
      reason: decision.success ? "" : decision.reason,
      additionalData: {},
    });
    const answer: Record<string, unknown> = {
      merchantAccount: merchantAccount.value,
      paymentPspReference,
      pspReference,
      ...(reference === undefined ? {} : { reference }),
      status: "received",
      ...(amount === undefined ? {} : { amount }),
    };
    return Promise.resolve({ kind: "answered", answer: { status: 201, body: answer } });
  };
}
