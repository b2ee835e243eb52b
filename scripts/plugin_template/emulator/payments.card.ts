/**
 * Card payments of the template API: POST /payments with the card, decided at once by the test cards below
 * (the PSP's documented sandbox cards). The card number is never stored: only its brand and last four digits.
 * @module
 */
import type { Hono } from "hono";
import type { Json, StateTransaction } from "../../../plugins/kit/emulator/mod.ts";
import type { Caller } from "./accounts.ts";
import { type Handler, refused } from "./api_call.ts";
import type { FlowDeps, PaymentFlow } from "./flow.ts";
import {
  approvedLedger,
  newId,
  paymentBasics,
  paymentObject,
  type PaymentRecord,
  savePayment,
} from "./records.ts";

// TODO(skeleton-pay): your PSP's documented test cards and what each one does.
/** Test cards (any future expiry, any CVC); any other Luhn-valid number is approved. */
export const TEST_CARDS: Readonly<
  Record<string, { readonly status: "declined" | "failed"; readonly code: string }>
> = {
  "4000000000000002": { status: "declined", code: "card_declined" },
  "4000000000009995": { status: "declined", code: "insufficient_funds" },
  "4000000000000069": { status: "declined", code: "expired_card" },
  "4000000000000119": { status: "failed", code: "processing_error" },
};

function luhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

function brandOf(number: string): string {
  if (number.startsWith("4")) return "visa";
  if (/^5[1-5]/.test(number)) return "mastercard";
  return /^3[47]/.test(number) ? "amex" : "unknown";
}

/** The card's number when the card is valid and not expired, or what is wrong with it. */
function cardNumber(card: unknown, now: Date): string | { problem: string } {
  if (card === null || typeof card !== "object") return { problem: "card is required" };
  const { number, expiryMonth, expiryYear, cvc } = card as Record<string, unknown>;
  if (typeof number !== "string" || !/^\d{12,19}$/.test(number) || !luhn(number)) {
    return { problem: "card.number is invalid" };
  }
  if (typeof cvc !== "string" || !/^\d{3,4}$/.test(cvc)) return { problem: "card.cvc is invalid" };
  const month = Number(expiryMonth);
  const year = Number(expiryYear);
  if (!Number.isInteger(month) || month < 1 || month > 12 || !Number.isInteger(year)) {
    return { problem: "card expiry is invalid" };
  }
  if (year < now.getUTCFullYear() || (year === now.getUTCFullYear() && month <= now.getUTCMonth())) {
    return { problem: "card has expired" };
  }
  return number;
}

function create(deps: FlowDeps): Handler {
  return (caller: Caller, body: Json, tx: StateTransaction) => {
    const basics = paymentBasics(body);
    if (typeof basics === "string") return refused(400, "invalid_request", basics);
    const number = cardNumber(body.card, new Date(deps.now()));
    if (typeof number !== "string") return refused(400, "invalid_request", number.problem);
    const test = TEST_CARDS[number];
    const payment: PaymentRecord = {
      id: newId("pay"),
      scope: caller.scope,
      ...basics,
      card: { brand: brandOf(number), last4: number.slice(-4) },
      status: test?.status ?? (basics.capture ? "captured" : "authorized"),
      declineCode: test?.code,
      message: test === undefined ? "Approved" : `Refused: ${test.code}`,
      ledger: test === undefined ? approvedLedger(basics.amount, basics.capture) : undefined,
    };
    savePayment(tx, payment);
    deps.notifier.notify(tx, caller.scope, "payment.updated", paymentObject(payment));
    return { kind: "answered", status: 201, body: paymentObject(payment) };
  };
}

/** Card payments need no page: the answer is the result. */
export function paymentFlow(deps: FlowDeps): PaymentFlow {
  return {
    create: create(deps),
    mount(_app: Hono) {},
    expire: () => Promise.resolve(),
  };
}
