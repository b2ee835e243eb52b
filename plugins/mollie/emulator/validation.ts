/**
 * The emulator's validation of create-payment and create-refund bodies, refusing as Mollie does: HTTP 422
 * naming the field at fault (https://docs.mollie.com/reference/create-payment). A refused request changes
 * nothing and stores nothing under its idempotency key.
 * @module
 */
import type { Money } from "../../../src/plugin_api.ts";
import { decimalAmount, moneyFromDecimal } from "../../kit/mod.ts";
import type { StoredAnswer } from "../../kit/emulator/mod.ts";
import { mollieError } from "./errors.ts";

/** The bank methods the emulator offers (GET /v2/methods), as Mollie names them. */
export const METHODS: readonly (readonly [id: string, description: string])[] = [
  ["ideal", "iDEAL"],
  ["bancontact", "Bancontact"],
  ["banktransfer", "Bank transfer"],
  ["belfius", "Belfius Pay Button"],
  ["eps", "EPS"],
  ["kbc", "KBC/CBC Payment Button"],
  ["przelewy24", "Przelewy24"],
  ["trustly", "Trustly"],
];

/**
 * Currencies the emulator takes. Mollie has no currency with three minor digits, so KWD is refused, as
 * Mollie would.
 */
export const CURRENCIES: readonly string[] = ["EUR", "GBP", "USD", "CHF", "PLN", "SEK", "DKK", "NOK", "JPY"];

const MAX_METADATA_CHARS = 1024;
const MAX_DESCRIPTION_CHARS = 255;

export interface PaymentRequest {
  readonly amount: Money;
  readonly description: string;
  readonly redirectUrl: string;
  readonly cancelUrl?: string;
  readonly webhookUrl?: string;
  readonly metadata: unknown;
  readonly method?: string;
}

export interface RefundRequest {
  readonly amount: Money;
  readonly description?: string;
  readonly metadata: unknown;
}

export type Checked<T> = { readonly ok: true; readonly value: T } | {
  readonly ok: false;
  readonly answer: StoredAnswer;
};

function refuse<T>(detail: string, field: string): Checked<T> {
  return { ok: false, answer: mollieError(422, detail, field) };
}

export function checkPayment(body: Record<string, unknown>): Checked<PaymentRequest> {
  const amount = checkAmount(body.amount);
  if (!amount.ok) return amount;
  if (typeof body.description !== "string" || body.description.trim() === "") {
    return refuse("The 'description' field is missing", "description");
  }
  const redirectUrl = webUrl(body.redirectUrl);
  if (redirectUrl === undefined) {
    return refuse("The 'redirectUrl' field is missing or not a valid URL", "redirectUrl");
  }
  for (const field of ["webhookUrl", "cancelUrl"] as const) {
    if (body[field] !== undefined && body[field] !== null && webUrl(body[field]) === undefined) {
      return refuse(`The '${field}' field is not a valid URL`, field);
    }
  }
  const metadata = checkMetadata(body.metadata);
  if (!metadata.ok) return metadata;
  if (body.method !== undefined && body.method !== null && !isMethod(body.method)) {
    return refuse("The payment method is invalid", "method");
  }
  if (body.captureMode === "manual") {
    return refuse("The method does not support manual capture", "captureMode");
  }
  if (body.sequenceType !== undefined && body.sequenceType !== "oneoff") {
    return refuse("The sandbox takes one-off payments only", "sequenceType");
  }
  return {
    ok: true,
    value: {
      amount: amount.value,
      // Mollie truncates a longer description instead of refusing it.
      description: Array.from(body.description).slice(0, MAX_DESCRIPTION_CHARS).join(""),
      redirectUrl,
      cancelUrl: webUrl(body.cancelUrl),
      webhookUrl: webUrl(body.webhookUrl),
      metadata: metadata.value,
      method: typeof body.method === "string" ? body.method : undefined,
    },
  };
}

export function checkRefund(body: Record<string, unknown>): Checked<RefundRequest> {
  const amount = checkAmount(body.amount);
  if (!amount.ok) return amount;
  if (body.description !== undefined && typeof body.description !== "string") {
    return refuse("The 'description' field is not a string", "description");
  }
  const metadata = checkMetadata(body.metadata);
  if (!metadata.ok) return metadata;
  return {
    ok: true,
    value: {
      amount: amount.value,
      description: body.description as string | undefined,
      metadata: metadata.value,
    },
  };
}

function checkAmount(value: unknown): Checked<Money> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return refuse("The amount is required", "amount");
  }
  const { currency, value: decimal } = value as Record<string, unknown>;
  if (typeof currency !== "string" || !CURRENCIES.includes(currency)) {
    return refuse("The currency is not supported", "amount.currency");
  }
  const money = moneyFromDecimal(decimal, currency);
  // Mollie wants exactly the currency's digits ("10.00", "1000" for JPY).
  if (typeof decimal !== "string" || money === undefined || decimalAmount(money) !== decimal) {
    return refuse("The amount contains an invalid value", "amount.value");
  }
  if (money.amountMinor < 1) return refuse("The amount is lower than the minimum", "amount");
  return { ok: true, value: money };
}

function checkMetadata(value: unknown): Checked<unknown> {
  if (value === undefined) return { ok: true, value: null };
  const text = JSON.stringify(value);
  if (text.length > MAX_METADATA_CHARS) return refuse("The metadata is larger than 1 kB", "metadata");
  return { ok: true, value };
}

function isMethod(value: unknown): boolean {
  const ids = METHODS.map(([id]) => id);
  const listed = (method: unknown) => typeof method === "string" && ids.includes(method);
  return Array.isArray(value) ? value.length > 0 && value.every(listed) : listed(value);
}

function webUrl(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? value : undefined;
  } catch {
    return undefined;
  }
}
