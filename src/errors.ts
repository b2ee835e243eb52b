/**
 * Stable codes of business rejections: well-formed requests the gateway records, answers `200 {error}`
 * and reports with a `false` callback. The text after the code is for people; the code is for programs.
 */
export const REJECTIONS = {
  account_not_configured: "The shop has no PSP credentials for this mode",
  payment_not_found: "No payment with this id for this shop, extension and mode",
  payment_not_capturable: "The payment is not in a state that can be captured",
  amount_exceeds_authorized: "The amount exceeds the authorized amount not yet captured",
  capture_not_supported: "This payment method allows a single capture only",
  payment_not_voidable: "The payment is not an open authorization",
  void_after_capture: "The payment has already been captured; refund it instead",
  payment_not_refundable: "The payment has nothing captured to refund",
  amount_exceeds_captured: "The amount exceeds the captured amount not yet refunded",
  partial_refund_not_supported: "This payment method refunds the full captured amount only",
  card_unreadable: "The encrypted card data could not be decrypted",
  payment_method_not_supported: "This extension does not support the requested payment method",
  authentication_abandoned: "The buyer did not complete the authentication in time",
  card_token_not_found: "No stored card with this token for this shop, extension and mode",
  card_on_file_not_supported: "This extension's PSP does not store cards",
} as const;

export type RejectionCode = keyof typeof REJECTIONS;

/** A business rejection, carried as data. */
export interface Rejection {
  readonly code: string;
  readonly message: string;
}

export function rejection(code: RejectionCode, detail?: string): Rejection {
  return { code, message: detail ?? REJECTIONS[code] };
}

/** The text Genstore receives: a stable code, then a short human explanation. */
export function errorText(rejection: Rejection): string {
  return `${rejection.code}: ${rejection.message}`;
}
