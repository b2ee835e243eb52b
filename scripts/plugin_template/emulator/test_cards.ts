/**
 * The emulator's test cards: the behaviours the conformance kit needs (approve, decline with a code) and a
 * few more for the plugin's own tests. Any other Luhn-valid number is approved.
 * @module
 */

// TODO(skeleton-pay): your PSP's documented sandbox cards and what each one does.
export type CardBehaviour =
  | { readonly kind: "approve" }
  | { readonly kind: "decline"; readonly declineCode: string; readonly message: string }
  /** The PSP fails the payment itself (status `failed`). */
  | { readonly kind: "fail"; readonly message: string }
  /** Accepted; the result (approved) comes only in the notification (status `processing`). */
  | { readonly kind: "process_later" };

export const TEST_CARDS: Readonly<Record<string, CardBehaviour>> = Object.freeze({
  "4242424242424242": { kind: "approve" },
  "4000000000000002": { kind: "decline", declineCode: "card_declined", message: "Card declined" },
  "4000000000009995": { kind: "decline", declineCode: "insufficient_funds", message: "Insufficient funds" },
  "4000000000000069": { kind: "decline", declineCode: "expired_card", message: "Expired card" },
  "4000000000000119": { kind: "fail", message: "Processing error" },
  "4000000000000077": { kind: "process_later" },
});

export function cardBehaviour(number: string): CardBehaviour {
  return TEST_CARDS[number] ?? { kind: "approve" };
}

/** The Luhn check every card scheme applies to a card number. */
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

export function cardBrand(number: string): string {
  if (number.startsWith("4")) return "visa";
  if (/^(5[1-5]|2[2-7])/.test(number)) return "mastercard";
  if (/^3[47]/.test(number)) return "amex";
  return "card";
}
