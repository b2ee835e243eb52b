/**
 * Builds the PaymentRequest of POST /payments from the core's PayInput: raw card fields (maybe stored for later
 * payments) or a stored card's token, the redirect 3D Secure flow, sale or authorisation only.
 * @module
 */
import type { CardDetails, Money, PayInput } from "../../src/plugin_api.ts";
import type { Json } from "../kit/mod.ts";
import { amountOf } from "./payment_result.ts";

// Adyen requires the full browserInfo object for 3D Secure on the web, but the gateway only learns the
// buyer's user agent and languages; the remaining fields get common desktop values.
const DEFAULT_ACCEPT_HEADER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

export interface PaymentBasics {
  readonly merchantAccount: string;
  readonly reference: string;
  readonly amount: Money;
  readonly captureMode: "sale" | "authorize";
  readonly returnUrl: string;
}

/** The fields every payment request carries, with or without card data. */
export function paymentBasics(basics: PaymentBasics): Json {
  const body: Json = {
    merchantAccount: basics.merchantAccount,
    reference: basics.reference,
    amount: amountOf(basics.amount),
    returnUrl: basics.returnUrl,
    channel: "Web",
    shopperInteraction: "Ecommerce",
    // The gateway can only send the buyer to a URL, so it asks for the redirect flow, never native 3DS2.
    authenticationData: { threeDSRequestData: { nativeThreeDS: "disabled" } },
  };
  // https://docs.adyen.com/online-payments/capture: manualCapture leaves the payment authorised only.
  if (basics.captureMode === "authorize") body.additionalData = { manualCapture: "true" };
  return body;
}

/**
 * Adyen's flags for card-on-file (docs.adyen.com/online-payments/tokenization/create-and-use-tokens, "Set
 * parameters to flag transactions"): the payment that stores the card is `Ecommerce` with `CardOnFile`; a
 * later payment with the token is `ContAuth`, with `CardOnFile` when the shopper initiates it (one-click) and
 * `UnscheduledCardOnFile` when the merchant does (no fixed schedule). A token made for one model may be used
 * with another in later payments.
 */
export const RECURRING_PROCESSING_MODEL = {
  store: "CardOnFile",
  customer: "CardOnFile",
  merchant: "UnscheduledCardOnFile",
} as const;

/** A PaymentRequest, or why the PayInput cannot become one (then nothing is sent). */
export type BuiltRequest = { readonly ok: true; readonly body: Json } | {
  readonly ok: false;
  readonly problem: string;
};

/**
 * The PaymentRequest for a card payment (maybe storing the card) or a payment with a stored card. A stored-card
 * payment carries no card data at all: only the token, the shopper reference and the flags.
 */
export function paymentRequest(input: PayInput, merchantAccount: string): BuiltRequest {
  const body = paymentBasics({
    merchantAccount,
    reference: input.reference,
    amount: input.amount,
    captureMode: input.captureMode,
    returnUrl: input.returnUrl,
  });
  const { shopper } = input;
  // The shopper is present unless the merchant initiates the charge: only then are the browser and IP theirs.
  const shopperPresent = input.storedCard?.initiator !== "merchant";
  if (input.storedCard !== undefined) {
    if (input.card !== undefined) return problem("a stored-card payment cannot also carry card data");
    const { pspToken, shopperReference, initiator } = input.storedCard;
    // The v71 schema allows at most 64 characters for a storedPaymentMethodId.
    if (pspToken === "" || pspToken.length > 64) {
      return problem("the stored card's token is not an Adyen token");
    }
    if (!validShopperReference(shopperReference)) return problem(SHOPPER_REFERENCE_PROBLEM);
    body.paymentMethod = { type: "scheme", storedPaymentMethodId: pspToken };
    body.shopperReference = shopperReference;
    body.shopperInteraction = "ContAuth";
    body.recurringProcessingModel = RECURRING_PROCESSING_MODEL[initiator];
  } else if (input.card !== undefined) {
    body.paymentMethod = cardPaymentMethod(input.card);
    if (input.storeCard !== undefined) {
      if (!validShopperReference(input.storeCard.shopperReference)) return problem(SHOPPER_REFERENCE_PROBLEM);
      // https://docs.adyen.com/online-payments/tokenization/create-tokens: storePaymentMethod with a
      // shopperReference stores the card when the payment is authorised.
      body.storePaymentMethod = true;
      body.shopperReference = input.storeCard.shopperReference;
      body.recurringProcessingModel = RECURRING_PROCESSING_MODEL.store;
    }
  } else {
    return problem("card details or a stored card are required for an Adyen card payment");
  }
  if (shopperPresent && shopper.ipAddress !== undefined) body.shopperIP = shopper.ipAddress;
  if (shopper.email !== undefined) body.shopperEmail = shopper.email;
  if (shopperPresent && shopper.userAgent !== undefined) {
    body.browserInfo = {
      userAgent: shopper.userAgent,
      acceptHeader: DEFAULT_ACCEPT_HEADER,
      language: primaryLanguage(shopper.acceptLanguage),
      colorDepth: 24,
      screenHeight: 1080,
      screenWidth: 1920,
      timeZoneOffset: 0,
      javaEnabled: false,
    };
  }
  if (input.description !== undefined && input.description !== "") {
    // PaymentRequest has no free description; metadata reaches the merchant's reports (values up to 80 chars).
    body.metadata = { description: input.description.slice(0, 80) };
  }
  return { ok: true, body };
}

function problem(text: string): BuiltRequest {
  return { ok: false, problem: text };
}

const SHOPPER_REFERENCE_PROBLEM = "the shopper reference must be 3 to 256 characters for Adyen";

/** PaymentRequest.shopperReference: 3 to 256 characters. */
function validShopperReference(reference: string): boolean {
  return reference.length >= 3 && reference.length <= 256;
}

function cardPaymentMethod(card: CardDetails): Json {
  const method: Json = {
    type: "scheme",
    number: card.number.replace(/[\s-]/g, ""),
    // Adyen expects a two-digit month and a four-digit year ("03", "2030"); Genstore may send "3" or "30".
    expiryMonth: card.expiryMonth.trim().padStart(2, "0"),
    expiryYear: card.expiryYear.trim().length === 2 ? `20${card.expiryYear.trim()}` : card.expiryYear.trim(),
    cvc: card.cvv,
  };
  if (card.holderName !== undefined && card.holderName !== "") method.holderName = card.holderName;
  return method;
}

function primaryLanguage(acceptLanguage: string | undefined): string {
  const first = acceptLanguage?.split(",")[0]?.split(";")[0]?.trim();
  return first === undefined || first === "" || first === "*" ? "en" : first;
}
