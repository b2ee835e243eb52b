/**
 * Adyen's ServiceError answers. Codes and messages are Adyen's where its documentation or the OpenAPI examples
 * give them (000, 100, 101, 103, 702, 704, 800, 803, 901, 14_030, 99_500); the few others are the emulator's
 * choice and say so beside them.
 * @module
 */
import { newPspReference } from "./references.ts";

export interface ServiceError {
  readonly status: number;
  readonly errorCode: string;
  readonly message: string;
  readonly errorType: string;
  readonly pspReference?: string;
}

/** A 422 validation error; Adyen attaches a fresh pspReference to each one. */
export function validationError(errorCode: string, message: string): ServiceError {
  return { status: 422, errorCode, message, errorType: "validation", pspReference: newPspReference() };
}

export const UNAUTHORIZED: ServiceError = Object.freeze({
  status: 401,
  errorCode: "000",
  message: "HTTP Status Response - Unauthorized",
  errorType: "security",
});

export function invalidMerchantAccount(): ServiceError {
  return {
    status: 403,
    errorCode: "901",
    message: "Invalid Merchant Account",
    errorType: "security",
    pspReference: newPspReference(),
  };
}

export function unparseableBody(): ServiceError {
  return {
    status: 400,
    errorCode: "702",
    message: "Unexpected input: expected a JSON object",
    errorType: "validation",
  };
}

/**
 * Adyen answers a request whose idempotency key is still being processed with 409 and error code 704,
 * together with the header `Transient-Error: true` (docs.adyen.com/development-resources/api-idempotency,
 * "Transient errors"; Adyen/adyen-java-api-library#288).
 */
export function idempotencyKeyInProgress(): ServiceError {
  return {
    status: 409,
    errorCode: "704",
    message: "request already processed or in progress",
    errorType: "validation",
    pspReference: newPspReference(),
  };
}

/**
 * A payment with a token of a shopperReference that has no stored payment details under this merchant account
 * (help.adyen.com, "Why do I receive a 800 Contract not found error?").
 */
export function contractNotFound(): ServiceError {
  return validationError("800", "Contract not found");
}

/**
 * A payment with a storedPaymentMethodId that is not one of this shopperReference's stored payment details
 * (help.adyen.com, "Why do I receive a 803 PaymentDetail not found error?").
 */
export function paymentDetailNotFound(): ServiceError {
  return validationError("803", "PaymentDetail not found");
}

export function internalError(pspReference: string): ServiceError {
  return {
    status: 500,
    errorCode: "99_500",
    message: "Error processing request",
    errorType: "internal",
    pspReference,
  };
}

export function notFound(): ServiceError {
  return { status: 404, errorCode: "000", message: "Not Found", errorType: "validation" };
}
