/**
 * The final result of a payment (authorised, refused, error, cancelled), as /payments and /payments/details
 * answer it and as the AUTHORISATION and RECURRING_CONTRACT notifications report it.
 * @module
 */
import { authorization, sale, type StateTransaction } from "../../kit/emulator/mod.ts";
import type { EmulatorContext } from "./context.ts";
import type { PaymentRecord, PaymentStatus } from "./records.ts";
import { storeToken } from "./vault.ts";

type Json = Record<string, unknown>;

export function authorise(tx: StateTransaction, payment: PaymentRecord): void {
  payment.status = "authorised";
  payment.resultCode = "Authorised";
  payment.authCode = String(crypto.getRandomValues(new Uint32Array(1))[0] % 1_000_000).padStart(6, "0");
  const money = { amountMinor: payment.amount.value, currency: payment.amount.currency };
  payment.ledger = payment.manualCapture ? authorization(money) : sale(money);
  // Adyen creates the token only when the payment is authorised.
  if (payment.pendingStore !== undefined) {
    const stored = storeToken(tx, payment.pendingStore);
    payment.tokenization = { storedPaymentMethodId: stored.record.id, operation: stored.operation };
    payment.pendingStore = undefined;
  }
}

export function refuse(
  payment: PaymentRecord,
  resultCode: string,
  reason: string,
  code: string,
  status: PaymentStatus,
): void {
  payment.status = status;
  payment.resultCode = resultCode;
  payment.refusalReason = reason;
  payment.refusalReasonCode = code;
  payment.pendingStore = undefined;
}

/** The body Adyen answers for a payment that reached a final result. */
export function resultBody(payment: PaymentRecord): Json {
  const body: Json = {
    pspReference: payment.pspReference,
    resultCode: payment.resultCode,
    merchantReference: payment.merchantReference,
    amount: payment.amount,
  };
  if (payment.status === "authorised") {
    body.additionalData = {
      authCode: payment.authCode ?? "",
      cardSummary: payment.cardSummary,
      expiryDate: payment.expiryDate,
      paymentMethod: payment.brand,
      ...tokenizationData(payment),
    };
    // PaymentResponse.paymentMethod (v69 and later): only returned when the result is Authorised.
    body.paymentMethod = { brand: payment.brand, type: "scheme" };
  } else {
    body.refusalReason = payment.refusalReason;
    body.refusalReasonCode = payment.refusalReasonCode;
  }
  return body;
}

/** The `tokenization.*` additionalData of an authorisation that stored the card (v68 and later). */
function tokenizationData(payment: PaymentRecord): Record<string, string> {
  if (payment.tokenization === undefined || payment.shopperReference === undefined) return {};
  return {
    "tokenization.storedPaymentMethodId": payment.tokenization.storedPaymentMethodId,
    "tokenization.shopperReference": payment.shopperReference,
    "tokenization.store.operationType": payment.tokenization.operation,
  };
}

/** The AUTHORISATION notification, and RECURRING_CONTRACT when the authorisation created a token. */
export function notifyResult(ctx: EmulatorContext, tx: StateTransaction, payment: PaymentRecord): void {
  notifyAuthorisation(ctx, tx, payment);
  notifyRecurringContract(ctx, tx, payment);
}

export function notifyAuthorisation(
  ctx: EmulatorContext,
  tx: StateTransaction,
  payment: PaymentRecord,
): void {
  const success = payment.status === "authorised";
  ctx.notifier.notify(tx, payment.merchantAccount, {
    eventCode: "AUTHORISATION",
    pspReference: payment.pspReference,
    merchantReference: payment.merchantReference,
    amount: payment.amount,
    success: success ? "true" : "false",
    paymentMethod: payment.brand,
    // Adyen's reason for a successful card authorisation is authCode:last4:expiry; otherwise the refusal.
    reason: success
      ? `${payment.authCode}:${payment.cardSummary}:${payment.expiryDate}`
      : payment.refusalReason ?? "",
    additionalData: success
      ? {
        authCode: payment.authCode ?? "",
        cardSummary: payment.cardSummary,
        expiryDate: payment.expiryDate,
        ...tokenizationData(payment),
      }
      : { refusalReasonRaw: payment.refusalReason ?? "", cardSummary: payment.cardSummary },
    ...(success ? { operations: payment.manualCapture ? ["CANCEL", "CAPTURE", "REFUND"] : ["REFUND"] } : {}),
  });
}

/**
 * RECURRING_CONTRACT, sent when an authorisation created a token, shaped by the Webhooks API schema
 * (RecurringContractNotificationRequestItem): the token as pspReference, the payment that created it as
 * originalPsp (and originalReference, as in Adyen's example).
 */
function notifyRecurringContract(ctx: EmulatorContext, tx: StateTransaction, payment: PaymentRecord): void {
  if (payment.tokenization?.operation !== "created" || payment.shopperReference === undefined) return;
  const token = payment.tokenization.storedPaymentMethodId;
  ctx.notifier.notify(tx, payment.merchantAccount, {
    eventCode: "RECURRING_CONTRACT",
    pspReference: token,
    originalReference: payment.pspReference,
    originalPsp: payment.pspReference,
    merchantReference: payment.merchantReference,
    amount: { value: 0, currency: payment.amount.currency },
    success: "true",
    paymentMethod: payment.brand,
    reason: "",
    additionalData: {
      "recurring.recurringDetailReference": token,
      shopperReference: payment.shopperReference,
    },
  });
}
