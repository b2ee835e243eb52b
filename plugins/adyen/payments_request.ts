/**
 * Builds the PaymentRequest of POST /payments from the core's PayInput (raw card fields, the redirect 3D Secure
 * flow, sale or authorisation only).
 * @module
 */
import type { CardDetails, Money, PayInput } from "../../src/plugin_api.ts";
import type { Json } from "./http_answer.ts";
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

export function paymentRequest(input: PayInput, card: CardDetails, merchantAccount: string): Json {
  const body = paymentBasics({
    merchantAccount,
    reference: input.reference,
    amount: input.amount,
    captureMode: input.captureMode,
    returnUrl: input.returnUrl,
  });
  body.paymentMethod = cardPaymentMethod(card);
  const { shopper } = input;
  if (shopper.ipAddress !== undefined) body.shopperIP = shopper.ipAddress;
  if (shopper.email !== undefined) body.shopperEmail = shopper.email;
  if (shopper.userAgent !== undefined) {
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
  return body;
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
