/**
 * The sandbox card table of the contract (section 7), as the emulator applies it. Any other Luhn-valid number
 * is authorised, the way Adyen's test environment authorises its generic test cards.
 * @module
 */

export type CardBehaviour =
  | { readonly kind: "authorise" }
  | { readonly kind: "refuse"; readonly refusalReason: string; readonly refusalReasonCode: string }
  | { readonly kind: "challenge" }
  /** Recorded as an Error result and stored for the idempotency key, but answered with HTTP 500. */
  | { readonly kind: "error_then_500" }
  /** Authorised and stored for the idempotency key, but the answer is never sent. */
  | { readonly kind: "authorise_then_hold" };

export const TEST_CARDS: Readonly<Record<string, CardBehaviour>> = Object.freeze({
  "4242424242424242": { kind: "authorise" },
  // Refusal reasons and codes as listed on https://docs.adyen.com/development-resources/refusal-reasons
  "4000000000000002": { kind: "refuse", refusalReason: "Refused", refusalReasonCode: "2" },
  "4000000000009995": { kind: "refuse", refusalReason: "Not enough balance", refusalReasonCode: "12" },
  "4000000000003220": { kind: "challenge" },
  "4000000000000119": { kind: "error_then_500" },
  "4000000000006975": { kind: "authorise_then_hold" },
});

export function cardBehaviour(number: string): CardBehaviour {
  return TEST_CARDS[number] ?? { kind: "authorise" };
}

/** The Luhn check every card scheme applies to a primary account number. */
export function passesLuhn(number: string): boolean {
  if (!/^\d{12,19}$/.test(number)) return false;
  let sum = 0;
  for (let index = 0; index < number.length; index++) {
    let digit = Number(number[number.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** The scheme name Adyen reports as `paymentMethod` in notifications, from the card number's prefix. */
export function cardBrand(number: string): string {
  if (number.startsWith("4")) return "visa";
  if (/^(5[1-5]|2[2-7])/.test(number)) return "mc";
  if (/^3[47]/.test(number)) return "amex";
  return "scheme";
}
