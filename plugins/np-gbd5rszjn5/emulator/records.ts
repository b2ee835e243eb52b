/**
 * The emulator's payments and modifications as its state keeps them (plugins/kit/emulator/state.ts), and the
 * objects the template API shows for them. A payment's record carries its ledger
 * (plugins/kit/emulator/ledger.ts) once money is authorised; the API never shows it.
 * @module
 */
import {
  authorization,
  type Json,
  type Ledger,
  sale,
  type StateTransaction,
  type StateView,
} from "../../kit/emulator/mod.ts";

export interface Amount {
  readonly value: number;
  readonly currency: string;
}

export type PaymentStatus =
  | "requires_action"
  | "authorized"
  | "captured"
  | "declined"
  | "canceled"
  | "expired"
  | "failed";

export interface PaymentRecord {
  readonly id: string;
  /** The account's scope (its API key's hash). */
  readonly scope: string;
  readonly reference: string;
  readonly amount: Amount;
  readonly capture: boolean;
  status: PaymentStatus;
  declineCode?: string;
  message: string;
  /** A card payment's card, as the API shows it: never the number. */
  readonly card?: { readonly brand: string; readonly last4: string };
  /** An offsite payment's hosted page and where it sends the buyer back. */
  readonly redirectUrl?: string;
  readonly returnUrl?: string;
  ledger?: Ledger;
}

export type ModificationType = "capture" | "void" | "refund";

export interface ModificationRecord {
  readonly id: string;
  readonly paymentId: string;
  readonly reference: string;
  readonly type: ModificationType;
  readonly amount?: Amount;
  readonly status: "succeeded" | "failed";
  readonly failureCode?: string;
  readonly message?: string;
}

const PAYMENTS = "payments";
const MODIFICATIONS = "modifications";

export function savePayment(tx: StateTransaction, payment: PaymentRecord): void {
  tx.put(PAYMENTS, payment.id, payment);
}

export function saveModification(tx: StateTransaction, modification: ModificationRecord): void {
  tx.put(MODIFICATIONS, modification.id, modification);
}

/** The account's payment, or undefined (another account's payment is not found either). */
export function paymentOf(view: StateView, scope: string, id: string): PaymentRecord | undefined {
  const payment = view.get<PaymentRecord>(PAYMENTS, id);
  return payment?.scope === scope ? payment : undefined;
}

/** A payment by id, whatever its account (the hosted page is public, as the PSP's is). */
export function paymentById(view: StateView, id: string): PaymentRecord | undefined {
  return view.get<PaymentRecord>(PAYMENTS, id);
}

export function allPayments(view: StateView): PaymentRecord[] {
  return view.list<PaymentRecord>(PAYMENTS);
}

/** The Payment object of the API. */
export function paymentObject(payment: PaymentRecord) {
  const { scope: _scope, ledger: _ledger, returnUrl: _returnUrl, ...shown } = payment;
  return shown;
}

/** The Modification object of the API. */
export function modificationObject(modification: ModificationRecord) {
  return modification;
}

export function newId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `${prefix}_${Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

/** What every payment request carries, checked; a string says what is wrong. */
export function paymentBasics(body: Json): { reference: string; amount: Amount; capture: boolean } | string {
  const { reference, amount, capture } = body;
  if (typeof reference !== "string" || reference === "" || reference.length > 128) {
    return "reference is invalid";
  }
  if (typeof capture !== "boolean") return "capture must be true or false";
  if (amount === null || typeof amount !== "object") return "amount is required";
  const { value, currency } = amount as Record<string, unknown>;
  if (!Number.isSafeInteger(value) || (value as number) <= 0) {
    return "amount.value must be a positive integer";
  }
  if (typeof currency !== "string" || !/^[A-Z]{3}$/.test(currency)) return "amount.currency must be ISO 4217";
  return { reference, amount: { value: value as number, currency }, capture };
}

/** The ledger of an approved payment: captured at once for a sale, reserved for an authorisation. */
export function approvedLedger(amount: Amount, captureNow: boolean): Ledger {
  const money = { amountMinor: amount.value, currency: amount.currency };
  return captureNow ? sale(money) : authorization(money);
}
