/**
 * The emulator's payments as its state keeps them (plugins/kit/emulator/state.ts): one record per payment,
 * indexed by 3-D Secure challenge and by redirect result, and a count of charges per merchant reference. The
 * record carries the payment's ledger (plugins/kit/emulator/ledger.ts) once it is authorised.
 * @module
 */
import type { Ledger, StateTransaction, StateView } from "../../kit/emulator/mod.ts";
import type { ChallengeAction } from "./threeds_page.ts";
import type { Amount, RecurringProcessingModel, ShopperInteraction } from "./validation.ts";
import type { StoreOperation, StoreRequest } from "./vault.ts";

export type PaymentStatus =
  | "awaiting_authentication"
  | "authorised"
  | "refused"
  | "error"
  /** The shopper cancelled the 3D Secure challenge. */
  | "cancelled";

export interface PaymentRecord {
  readonly pspReference: string;
  readonly merchantAccount: string;
  readonly merchantReference: string;
  readonly amount: Amount;
  readonly manualCapture: boolean;
  readonly returnUrl: string;
  readonly brand: string;
  readonly cardSummary: string;
  readonly expiryDate: string;
  readonly shopperInteraction: ShopperInteraction;
  readonly shopperReference?: string;
  readonly recurringProcessingModel?: RecurringProcessingModel;
  /** The token this payment charged, for a payment with a storedPaymentMethodId. */
  readonly storedPaymentMethodId?: string;
  /** The card to store once the payment is authorised (storePaymentMethod); dropped at the final result. */
  pendingStore?: StoreRequest;
  /** The token the authorisation created or found (the `tokenization.*` fields of the answer). */
  tokenization?: { readonly storedPaymentMethodId: string; readonly operation: StoreOperation };
  status: PaymentStatus;
  resultCode: string;
  refusalReason?: string;
  refusalReasonCode?: string;
  authCode?: string;
  /** What was authorised, captured, refunded and voided; set when the payment is authorised. */
  ledger?: Ledger;
  challengeId?: string;
  decision?: ChallengeAction;
  redirectResult?: string;
  /** The /payments/details answer, once computed; later submissions of the same redirectResult get it again. */
  detailsAnswer?: Record<string, unknown>;
}

const PAYMENTS = "payments";
const BY_CHALLENGE = "payment_by_challenge";
const BY_REDIRECT = "payment_by_redirect_result";
const CHARGES = "charges";

/** Books a new payment (a charge of its merchant reference). */
export function insertPayment(tx: StateTransaction, payment: PaymentRecord): void {
  if (tx.get(PAYMENTS, payment.pspReference) !== undefined) {
    throw new Error(`Cannot book a payment twice under one pspReference: ${payment.pspReference}`);
  }
  tx.put(CHARGES, payment.merchantReference, chargeCount(tx, payment.merchantReference) + 1);
  savePayment(tx, payment);
}

/** Saves a payment with its indexes (challenge id and redirect result). */
export function savePayment(tx: StateTransaction, payment: PaymentRecord): void {
  tx.put(PAYMENTS, payment.pspReference, payment);
  if (payment.challengeId !== undefined) tx.put(BY_CHALLENGE, payment.challengeId, payment.pspReference);
  if (payment.redirectResult !== undefined) tx.put(BY_REDIRECT, payment.redirectResult, payment.pspReference);
}

export function paymentOf(view: StateView, pspReference: string): PaymentRecord | undefined {
  return view.get<PaymentRecord>(PAYMENTS, pspReference);
}

export function paymentByChallenge(view: StateView, challengeId: string): PaymentRecord | undefined {
  const pspReference = view.get<string>(BY_CHALLENGE, challengeId);
  return pspReference === undefined ? undefined : paymentOf(view, pspReference);
}

export function paymentByRedirectResult(view: StateView, redirectResult: string): PaymentRecord | undefined {
  const pspReference = view.get<string>(BY_REDIRECT, redirectResult);
  return pspReference === undefined ? undefined : paymentOf(view, pspReference);
}

/** Every payment, in booking order. */
export function allPayments(view: StateView): PaymentRecord[] {
  return view.list<PaymentRecord>(PAYMENTS);
}

/** How many payments were booked with this merchant reference (every /payments that charged). */
export function chargeCount(view: StateView, merchantReference: string): number {
  return view.get<number>(CHARGES, merchantReference) ?? 0;
}
