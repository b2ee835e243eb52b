/**
 * The checks the emulator makes before it processes a request, answering 422 the way Adyen does. Only the
 * subset the gateway uses is checked: amounts, references, the return URL and raw card fields.
 * @module
 */
import { currencyExponent } from "../../../src/plugin_api.ts";
import { type ServiceError, validationError } from "./service_error.ts";
import { passesLuhn } from "./test_cards.ts";

type Json = Record<string, unknown>;

export interface Amount {
  readonly value: number;
  readonly currency: string;
}

export interface CardFields {
  readonly number: string;
  readonly expiryMonth: number;
  readonly expiryYear: number;
  readonly cvc?: string;
  readonly holderName?: string;
}

export interface ValidPayment {
  readonly merchantAccount: string;
  readonly amount: Amount;
  readonly reference: string;
  readonly returnUrl: string;
  readonly card: CardFields;
  /** `additionalData.manualCapture: "true"`, or a capture delay, leaves the payment authorised only. */
  readonly manualCapture: boolean;
}

export type Checked<T> = { readonly ok: true; readonly value: T } | {
  readonly ok: false;
  readonly error: ServiceError;
};

function fail<T>(errorCode: string, message: string): Checked<T> {
  return { ok: false, error: validationError(errorCode, message) };
}

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `merchantAccount` is checked first, because the answer to a wrong one is 403, not 422. */
export function merchantAccountOf(body: Json): Checked<string> {
  const merchantAccount = body.merchantAccount;
  if (typeof merchantAccount !== "string" || merchantAccount === "") {
    return fail("000", "Required field 'merchantAccount' is not provided.");
  }
  return { ok: true, value: merchantAccount };
}

export function checkAmount(value: unknown): Checked<Amount> {
  if (value === undefined) return fail("100", "Required object 'amount' is not provided.");
  if (!isObject(value) || !Number.isSafeInteger(value.value) || (value.value as number) < 0) {
    // 137 is the emulator's choice: Adyen's code list is not more specific for a malformed value.
    return fail("137", "Invalid amount specified");
  }
  if (typeof value.currency !== "string" || currencyExponent(value.currency) === undefined) {
    // 138 is the emulator's choice, as above.
    return fail("138", "Unsupported currency specified");
  }
  return { ok: true, value: { value: value.value as number, currency: value.currency } };
}

export function checkPayment(body: Json, merchantAccount: string, now: number): Checked<ValidPayment> {
  const amount = checkAmount(body.amount);
  if (!amount.ok) return amount;
  if (typeof body.reference !== "string" || body.reference === "") {
    return fail("130", "Required field 'reference' is not provided.");
  }
  if (typeof body.returnUrl !== "string" || body.returnUrl === "") {
    return fail("14_030", "Return URL is missing.");
  }
  if (body.returnUrl.length > 8000 || !isHttpUrl(body.returnUrl)) {
    return fail("14_030", "Return URL is not a valid URL.");
  }
  const card = checkCard(body.paymentMethod, now);
  if (!card.ok) return card;
  const additionalData = body.additionalData;
  if (additionalData !== undefined && !isStringRecord(additionalData)) {
    return fail("000", "additionalData must be an object of strings.");
  }
  const delay = body.captureDelayHours;
  if (
    delay !== undefined && (!Number.isSafeInteger(delay) || (delay as number) < 0 || (delay as number) > 672)
  ) {
    return fail("000", "captureDelayHours must be an integer between 0 and 672.");
  }
  // The emulator never runs the delayed automatic capture, so a positive delay behaves like manual capture.
  const manualCapture = additionalData?.manualCapture === "true" || (typeof delay === "number" && delay > 0);
  return {
    ok: true,
    value: {
      merchantAccount,
      amount: amount.value,
      reference: body.reference,
      returnUrl: body.returnUrl,
      card: card.value,
      manualCapture,
    },
  };
}

function checkCard(paymentMethod: unknown, now: number): Checked<CardFields> {
  if (!isObject(paymentMethod)) return fail("000", "Required object 'paymentMethod' is not provided.");
  const type = paymentMethod.type ?? "scheme";
  if (type !== "scheme") return fail("905", "Payment details are not supported");
  const number = paymentMethod.number;
  if (typeof number !== "string" || number === "") return fail("101", "Invalid card number");
  if (!passesLuhn(number)) return fail("101", "Invalid card number");
  const month = Number(paymentMethod.expiryMonth);
  const year = Number(paymentMethod.expiryYear);
  // 129 is the emulator's choice for a missing, malformed or past expiry date.
  if (
    typeof paymentMethod.expiryMonth !== "string" || typeof paymentMethod.expiryYear !== "string" ||
    !/^\d{1,2}$/.test(paymentMethod.expiryMonth) || !/^\d{4}$/.test(paymentMethod.expiryYear) ||
    month < 1 || month > 12
  ) {
    return fail("129", "Expiry Date Invalid");
  }
  const today = new Date(now);
  const current = today.getUTCFullYear() * 12 + today.getUTCMonth() + 1;
  if (year * 12 + month < current) return fail("129", "Expiry Date Invalid");
  const cvc = paymentMethod.cvc;
  if (cvc !== undefined && (typeof cvc !== "string" || !/^\d{3,4}$/.test(cvc))) {
    return fail("103", "CVC is not the right length");
  }
  const holderName = paymentMethod.holderName;
  if (holderName !== undefined && typeof holderName !== "string") return fail("000", "Invalid holderName");
  return { ok: true, value: { number, expiryMonth: month, expiryYear: year, cvc, holderName } };
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isObject(value) && Object.values(value).every((entry) => typeof entry === "string");
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}
