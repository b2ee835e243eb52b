/**
 * The checks the emulator makes before it processes a request, answering 422 the way Adyen does. Only the
 * subset the gateway uses is checked: amounts, references, the return URL, raw card fields and the
 * tokenization fields (storePaymentMethod, shopperReference, recurringProcessingModel, storedPaymentMethodId).
 * @module
 */
import { currencyExponent } from "../../../src/plugin_api.ts";
import { contractNotFound, type ServiceError, validationError } from "./service_error.ts";
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

/** The `recurringProcessingModel` enum of Checkout API v71. */
export const RECURRING_PROCESSING_MODELS = ["CardOnFile", "Subscription", "UnscheduledCardOnFile"] as const;
export type RecurringProcessingModel = typeof RECURRING_PROCESSING_MODELS[number];

/** The `shopperInteraction` values the emulator serves: online with the shopper, or a returning one. */
export type ShopperInteraction = "Ecommerce" | "ContAuth";

/**
 * What the payment charges: card data (and maybe a request to store it), or a token. `shopperInitiated` is
 * false for Subscription and UnscheduledCardOnFile token payments, which Adyen documents as payments "initiated
 * by you" (docs.adyen.com/online-payments/tokenization/make-token-payments): no shopper, so no 3D Secure.
 */
export type PaymentSource =
  | {
    readonly kind: "card";
    readonly card: CardFields;
    /** Present when `storePaymentMethod: true` came with a shopperReference. */
    readonly store?: {
      readonly shopperReference: string;
      readonly recurringProcessingModel: RecurringProcessingModel;
    };
  }
  | {
    readonly kind: "stored";
    readonly storedPaymentMethodId: string;
    readonly shopperReference: string;
    readonly recurringProcessingModel: RecurringProcessingModel;
    readonly shopperInitiated: boolean;
  };

export interface ValidPayment {
  readonly merchantAccount: string;
  readonly amount: Amount;
  readonly reference: string;
  readonly returnUrl: string;
  readonly source: PaymentSource;
  readonly shopperInteraction: ShopperInteraction;
  /** `additionalData.manualCapture: "true"`, or a capture delay, leaves the payment authorised only. */
  readonly manualCapture: boolean;
}

/** A POST /storedPaymentMethods request: a token without a payment. */
export interface ValidStoreRequest {
  readonly merchantAccount: string;
  readonly shopperReference: string;
  readonly recurringProcessingModel: RecurringProcessingModel;
  readonly card: CardFields;
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
  const interaction = checkShopperInteraction(body.shopperInteraction);
  if (!interaction.ok) return interaction;
  const source = checkSource(body, now);
  if (!source.ok) return source;
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
      source: source.value,
      shopperInteraction: interaction.value,
      manualCapture,
    },
  };
}

export function checkStoreRequest(
  body: Json,
  merchantAccount: string,
  now: number,
): Checked<ValidStoreRequest> {
  const shopperReference = checkShopperReference(body.shopperReference);
  if (!shopperReference.ok) return shopperReference;
  if (shopperReference.value === undefined) {
    return fail("000", "Required field 'shopperReference' is not provided.");
  }
  const model = checkRecurringProcessingModel(body.recurringProcessingModel);
  if (!model.ok) return model;
  if (model.value === undefined) {
    return fail("000", "Required field 'recurringProcessingModel' is not provided.");
  }
  const card = checkCard(body.paymentMethod, now);
  if (!card.ok) return card;
  return {
    ok: true,
    value: {
      merchantAccount,
      shopperReference: shopperReference.value,
      recurringProcessingModel: model.value,
      card: card.value,
    },
  };
}

/**
 * Card data or a token, with the tokenization fields that go with them. Adyen requires recurringProcessingModel
 * "when creating a token to store payment details or using stored payment details" (PaymentRequest, v71); the
 * emulator answers its absence with a 422, code 000 (the emulator's choice).
 */
function checkSource(body: Json, now: number): Checked<PaymentSource> {
  const shopperReference = checkShopperReference(body.shopperReference);
  if (!shopperReference.ok) return shopperReference;
  const model = checkRecurringProcessingModel(body.recurringProcessingModel);
  if (!model.ok) return model;
  const store = body.storePaymentMethod;
  if (store !== undefined && typeof store !== "boolean") {
    return fail("000", "storePaymentMethod must be a boolean.");
  }
  const paymentMethod = body.paymentMethod;
  if (isObject(paymentMethod) && paymentMethod.storedPaymentMethodId !== undefined) {
    const id = paymentMethod.storedPaymentMethodId;
    if (typeof id !== "string" || id === "" || id.length > 64) {
      return fail("000", "Invalid storedPaymentMethodId.");
    }
    const type = paymentMethod.type ?? "scheme";
    if (type !== "scheme") return fail("905", "Payment details are not supported");
    // A token stands for the card: card data beside it is a contradiction (the emulator's choice; a CVC for
    // a one-click payment is allowed).
    if (["number", "expiryMonth", "expiryYear"].some((field) => paymentMethod[field] !== undefined)) {
      return fail("000", "Card details cannot be sent with a storedPaymentMethodId.");
    }
    const cvc = paymentMethod.cvc;
    if (cvc !== undefined && (typeof cvc !== "string" || !/^\d{3,4}$/.test(cvc))) {
      return fail("103", "CVC is not the right length");
    }
    // Without a shopperReference there is no contract to find the token in.
    if (shopperReference.value === undefined) return { ok: false, error: contractNotFound() };
    if (model.value === undefined) {
      return fail("000", "Required field 'recurringProcessingModel' is not provided.");
    }
    return {
      ok: true,
      value: {
        kind: "stored",
        storedPaymentMethodId: id,
        shopperReference: shopperReference.value,
        recurringProcessingModel: model.value,
        shopperInitiated: model.value === "CardOnFile",
      },
    };
  }
  const card = checkCard(paymentMethod, now);
  if (!card.ok) return card;
  // "When true and shopperReference is provided, the payment details will be stored" (PaymentRequest, v71):
  // without a shopperReference nothing is stored and nothing fails.
  if (store !== true || shopperReference.value === undefined) {
    return { ok: true, value: { kind: "card", card: card.value } };
  }
  if (model.value === undefined) {
    return fail("000", "Required field 'recurringProcessingModel' is not provided.");
  }
  return {
    ok: true,
    value: {
      kind: "card",
      card: card.value,
      store: { shopperReference: shopperReference.value, recurringProcessingModel: model.value },
    },
  };
}

/** The spec's bounds: 3 to 256 characters (the emulator's code 000 for a violation). */
function checkShopperReference(value: unknown): Checked<string | undefined> {
  if (value === undefined) return { ok: true, value: undefined };
  if (typeof value !== "string" || value.length < 3 || value.length > 256) {
    return fail("000", "shopperReference must be 3 to 256 characters.");
  }
  return { ok: true, value };
}

function checkRecurringProcessingModel(value: unknown): Checked<RecurringProcessingModel | undefined> {
  if (value === undefined) return { ok: true, value: undefined };
  if (typeof value !== "string" || !(RECURRING_PROCESSING_MODELS as readonly string[]).includes(value)) {
    return fail("000", "Invalid recurringProcessingModel.");
  }
  return { ok: true, value: value as RecurringProcessingModel };
}

/** Adyen assumes Ecommerce when the field is absent (PaymentRequest, v71); Moto and POS are not emulated. */
function checkShopperInteraction(value: unknown): Checked<ShopperInteraction> {
  if (value === undefined || value === "Ecommerce") return { ok: true, value: "Ecommerce" };
  if (value === "ContAuth") return { ok: true, value: "ContAuth" };
  return fail("000", "shopperInteraction is not supported by the emulator.");
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
