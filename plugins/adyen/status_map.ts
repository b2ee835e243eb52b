/**
 * The one mapping from Adyen's result codes and refusal reasons to the core's outcomes and failure codes.
 * Sources: the `resultCode` enum of PaymentResponse in Checkout API v71, and
 * https://docs.adyen.com/development-resources/refusal-reasons for refusalReasonCode and refusalReason.
 * @module
 */

/** Every `resultCode` value of PaymentResponse and PaymentDetailsResponse in Checkout API v71. */
export const ADYEN_RESULT_CODES = [
  "AuthenticationFinished",
  "AuthenticationNotRequired",
  "Authorised",
  "Cancelled",
  "ChallengeShopper",
  "Error",
  "IdentifyShopper",
  "PartiallyAuthorised",
  "Pending",
  "PresentToShopper",
  "Received",
  "RedirectShopper",
  "Refused",
  "Success",
] as const;

export type AdyenResultCode = typeof ADYEN_RESULT_CODES[number];

export type ResultRule =
  | { readonly kind: "succeeded" }
  /** `code` is a core failure code, or `by_refusal_reason` to read it from the refusal reason. */
  | { readonly kind: "failed"; readonly code: string }
  | { readonly kind: "requires_action" }
  | { readonly kind: "pending" }
  | { readonly kind: "unknown"; readonly why: string };

export const BY_REFUSAL_REASON = "by_refusal_reason";

/** Exhaustive over the spec's enum: adding a result code to the list without a rule does not compile. */
export const RESULT_RULES: { readonly [C in AdyenResultCode]: ResultRule } = {
  // Authentication-only results: no authorisation happened, and the gateway never asks for authentication only.
  AuthenticationFinished: { kind: "unknown", why: "authentication finished without an authorisation" },
  AuthenticationNotRequired: { kind: "unknown", why: "authentication-only result without an authorisation" },
  Authorised: { kind: "succeeded" },
  Cancelled: { kind: "failed", code: "cancelled" },
  // Native 3DS2 steps need Adyen's client SDK; the plugin asks for the redirect flow, so these only pass
  // when they carry a redirect action.
  ChallengeShopper: { kind: "requires_action" },
  Error: { kind: "failed", code: "processing_error" },
  IdentifyShopper: { kind: "requires_action" },
  // Funds are held for less than was asked: neither a success nor a failure of the payment as requested.
  PartiallyAuthorised: { kind: "unknown", why: "authorised for a partial amount only" },
  Pending: { kind: "pending" },
  PresentToShopper: { kind: "pending" },
  Received: { kind: "pending" },
  RedirectShopper: { kind: "requires_action" },
  Refused: { kind: "failed", code: BY_REFUSAL_REASON },
  // Listed in the enum but not documented for payments: never read an undocumented code as a success.
  Success: { kind: "unknown", why: "undocumented result code for a payment" },
};

export interface RefusalRule {
  /** Adyen's refusalReason text for this code. */
  readonly reason: string;
  /** The core's failure code. */
  readonly code: string;
}

/** refusalReasonCode → Adyen's reason text and the core's failure code. */
export const REFUSAL_RULES: Readonly<Record<string, RefusalRule>> = Object.freeze({
  "2": { reason: "Refused", code: "card_declined" },
  "3": { reason: "Referral", code: "card_declined" },
  "4": { reason: "Acquirer Error", code: "processing_error" },
  "5": { reason: "Blocked Card", code: "card_declined" },
  "6": { reason: "Expired Card", code: "expired_card" },
  "7": { reason: "Invalid Amount", code: "invalid_amount" },
  "8": { reason: "Invalid Card Number", code: "invalid_card" },
  "9": { reason: "Issuer Unavailable", code: "issuer_unavailable" },
  "10": { reason: "Not supported", code: "not_supported" },
  "11": { reason: "3D Not Authenticated", code: "authentication_failed" },
  "12": { reason: "Not enough balance", code: "insufficient_funds" },
  "14": { reason: "Acquirer Fraud", code: "fraud" },
  "15": { reason: "Cancelled", code: "cancelled" },
  "16": { reason: "Shopper Cancelled", code: "cancelled" },
  "17": { reason: "Invalid Pin", code: "invalid_pin" },
  "18": { reason: "Pin tries exceeded", code: "invalid_pin" },
  "19": { reason: "Pin validation not possible", code: "invalid_pin" },
  "20": { reason: "FRAUD", code: "fraud" },
  "21": { reason: "Not Submitted", code: "processing_error" },
  "22": { reason: "FRAUD-CANCELLED", code: "fraud" },
  "23": { reason: "Transaction Not Permitted", code: "transaction_not_permitted" },
  "24": { reason: "CVC Declined", code: "incorrect_cvc" },
  "25": { reason: "Restricted Card", code: "card_declined" },
  "26": { reason: "Revocation Of Auth", code: "card_declined" },
  "27": { reason: "Declined Non Generic", code: "card_declined" },
  "28": { reason: "Withdrawal amount exceeded", code: "withdrawal_limit_exceeded" },
  "29": { reason: "Withdrawal count exceeded", code: "withdrawal_limit_exceeded" },
  "31": { reason: "Issuer Suspected Fraud", code: "fraud" },
  "32": { reason: "AVS Declined", code: "card_declined" },
  "33": { reason: "Card requires online pin", code: "card_declined" },
  "34": { reason: "No checking account available on Card", code: "card_declined" },
  "35": { reason: "No savings account available on Card", code: "card_declined" },
  "36": { reason: "Mobile pin required", code: "card_declined" },
  "37": { reason: "Contactless fallback", code: "card_declined" },
  "38": { reason: "Authentication required", code: "authentication_required" },
  "39": { reason: "RReq not received from DS", code: "authentication_failed" },
  "40": { reason: "Current AID is in Penalty Box", code: "card_declined" },
  "41": { reason: "CVM Required Restart Payment", code: "card_declined" },
  "42": { reason: "3DS Authentication Error", code: "authentication_failed" },
  "43": { reason: "Online PIN required", code: "card_declined" },
  "44": { reason: "Single tap card", code: "card_declined" },
  "45": { reason: "Transaction blocked by Adyen to prevent excessive retry fees", code: "card_declined" },
});

/** A refusal whose code and text are both unknown is still a refusal, and final. */
export const DEFAULT_REFUSAL_CODE = "card_declined";

const REFUSAL_CODE_BY_REASON: ReadonlyMap<string, string> = new Map(
  Object.values(REFUSAL_RULES).map((rule) => [rule.reason.toLowerCase(), rule.code]),
);

/** The rule for a result code; any string outside the spec's enum is unknown, never a success. */
export function resultRule(resultCode: unknown): ResultRule {
  if (typeof resultCode === "string" && Object.hasOwn(RESULT_RULES, resultCode)) {
    return RESULT_RULES[resultCode as AdyenResultCode];
  }
  return { kind: "unknown", why: "unrecognised result code" };
}

/**
 * The core failure code of a refusal, from refusalReasonCode when the answer has one and from the reason text
 * otherwise (notifications carry only the text).
 */
export function refusalCode(refusalReasonCode: unknown, refusalReason: unknown): string {
  if (typeof refusalReasonCode === "string" && Object.hasOwn(REFUSAL_RULES, refusalReasonCode)) {
    return REFUSAL_RULES[refusalReasonCode].code;
  }
  if (typeof refusalReason === "string") {
    return REFUSAL_CODE_BY_REASON.get(refusalReason.trim().toLowerCase()) ?? DEFAULT_REFUSAL_CODE;
  }
  return DEFAULT_REFUSAL_CODE;
}
