/**
 * The emulator's record of payments and Adyen's accounting rules for modifications
 * (docs.adyen.com/development-resources/api-idempotency, "accounting rules"; docs.adyen.com/online-payments/capture):
 * no capture above what remains authorised, no refund above what was captured, no cancel once captured.
 * @module
 */
import type { Amount, RecurringProcessingModel, ShopperInteraction } from "./validation.ts";
import type { ChallengeAction } from "./threeds_page.ts";
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
  captured: number;
  refunded: number;
  /** Cancelled by the merchant (a void), or the rest of a single partial capture released. */
  voided: boolean;
  /** Without multiple partial captures, Adyen releases the rest of the authorisation after the first capture. */
  captureClosed: boolean;
  challengeId?: string;
  decision?: ChallengeAction;
  redirectResult?: string;
  /** The /payments/details answer, once computed; later submissions of the same redirectResult get it again. */
  detailsAnswer?: Record<string, unknown>;
}

export type ModificationKind = "capture" | "cancel" | "refund";

export type ModificationDecision = { readonly success: true } | {
  readonly success: false;
  readonly reason: string;
};

/**
 * Decides a modification and, when it succeeds, books it at once: the balance is reserved when the request is
 * received, so two concurrent captures cannot both pass, even though the result is only notified later.
 */
export function applyModification(
  payment: PaymentRecord | undefined,
  kind: ModificationKind,
  amount: Amount | undefined,
  multiplePartialCaptures: boolean,
): ModificationDecision {
  if (payment === undefined) return { success: false, reason: "Original pspReference not found" };
  if (payment.status !== "authorised") return { success: false, reason: "Payment is not authorised" };
  switch (kind) {
    case "capture": {
      if (amount === undefined) return { success: false, reason: "Amount is missing" };
      if (amount.currency !== payment.amount.currency) return { success: false, reason: "Currency mismatch" };
      if (payment.voided) return { success: false, reason: "Payment has been cancelled" };
      if (payment.captureClosed) return { success: false, reason: "Payment has already been captured" };
      const remaining = payment.amount.value - payment.captured;
      if (amount.value > remaining) {
        return { success: false, reason: "Insufficient authorised amount remaining" };
      }
      payment.captured += amount.value;
      if (!multiplePartialCaptures || payment.captured === payment.amount.value) payment.captureClosed = true;
      return { success: true };
    }
    case "cancel": {
      if (payment.voided) return { success: false, reason: "Payment has already been cancelled" };
      if (payment.captured > 0) {
        return { success: false, reason: "Payment has been captured, cancel not possible" };
      }
      payment.voided = true;
      payment.captureClosed = true;
      return { success: true };
    }
    case "refund": {
      if (amount === undefined) return { success: false, reason: "Amount is missing" };
      if (amount.currency !== payment.amount.currency) return { success: false, reason: "Currency mismatch" };
      // The reason text is Adyen's own, from the REFUND example of its Webhooks API.
      if (payment.captured === 0) {
        return { success: false, reason: "Transaction hasn't been captured, refund not possible" };
      }
      if (payment.refunded + amount.value > payment.captured) {
        return { success: false, reason: "Refund amount exceeds the captured amount" };
      }
      payment.refunded += amount.value;
      return { success: true };
    }
  }
}
