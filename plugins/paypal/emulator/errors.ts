/**
 * PayPal's error answers: `{name, message, debug_id, details: [{field?, value?, location?, issue,
 * description}], links}`, with the name and message PayPal's OpenAPI documents fix per HTTP status, and the
 * issue descriptions as each operation documents them (they differ between operations, and the documents
 * enumerate them, so the emulator's answers validate against the vendored specs).
 * @module
 */
import { jsonAnswer } from "../../kit/emulator/mod.ts";
import { debugId } from "./ids.ts";

/** Which operation's documentation an issue's description comes from. */
export type ErrorFamily =
  | "orders"
  | "orders.capture"
  | "orders.authorize"
  | "payments"
  | "authorizations.void"
  | "captures.refund"
  | "webhooks";

const STATUS_WORDS: Readonly<Record<number, readonly [string, string]>> = {
  400: ["INVALID_REQUEST", "Request is not well-formed, syntactically incorrect, or violates schema."],
  401: [
    "AUTHENTICATION_FAILURE",
    "Authentication failed due to missing authorization header, or invalid authentication credentials.",
  ],
  403: ["NOT_AUTHORIZED", "Authorization failed due to insufficient permissions."],
  404: ["RESOURCE_NOT_FOUND", "The specified resource does not exist."],
  409: ["RESOURCE_CONFLICT", "The server has detected a conflict while processing this request."],
  422: [
    "UNPROCESSABLE_ENTITY",
    "The requested action could not be performed, semantically incorrect, or failed business validation.",
  ],
  500: ["INTERNAL_SERVER_ERROR", "An internal server error occurred."],
};

const GENERIC: Readonly<Record<string, string>> = {
  MISSING_REQUIRED_PARAMETER: "A required field / parameter is missing.",
  INVALID_PARAMETER_VALUE: "A parameter value is not valid.",
  INVALID_PARAMETER_SYNTAX: "The value of a field does not conform to the expected format.",
  INVALID_STRING_LENGTH: "The value of a field is either too short or too long",
  MALFORMED_REQUEST_JSON: "The request JSON is not well formed.",
  NOT_SUPPORTED: "This field is not currently supported.",
  DECIMAL_PRECISION: "If the currency supports decimals, only two decimal place precision is supported.",
  CANNOT_BE_ZERO_OR_NEGATIVE:
    "Must be greater than zero. If the currency supports decimals, only two decimal place precision is supported.",
  INVALID_RESOURCE_ID: "Specified resource ID does not exist. Please check the resource ID and try again.",
  PERMISSION_DENIED: "You do not have permission to access or perform operations on this resource.",
  PREVIOUS_REQUEST_IN_PROGRESS:
    "A previous request on this resource is currently in progress. Please wait for sometime and try again. It is best to space out the initial and the subsequent request(s) to avoid receiving this error.",
};

/** Descriptions that differ from the generic ones in one operation's documentation. */
const BY_FAMILY: Readonly<Record<ErrorFamily, Readonly<Record<string, string>>>> = {
  orders: {
    MISSING_REQUIRED_PARAMETER: "A required parameter is missing.",
    INVALID_CURRENCY_CODE:
      "Currency code is invalid or is not currently supported. Please refer https://developer.paypal.com/api/rest/reference/currency-codes/ for list of supported currency codes.",
  },
  "orders.capture": {
    MISSING_REQUIRED_PARAMETER: "A required field / parameter is missing",
    ORDER_NOT_APPROVED:
      "Payer has not yet approved the Order for payment. Please redirect the payer to the 'rel':'approve' url returned as part of the HATEOAS links within the Create Order call or provide a valid `payment_source` in the request.",
    ORDER_ALREADY_CAPTURED:
      "Order already captured.If 'intent=CAPTURE' only one capture per order is allowed.",
  },
  "orders.authorize": {
    MISSING_REQUIRED_PARAMETER: "A required field / parameter is missing",
    ORDER_NOT_APPROVED:
      "Payer has not yet approved the Order for payment. Please redirect the payer to the 'rel':'approve' url returned as part of the HATEOAS links within the Create Order call.",
    ORDER_ALREADY_AUTHORIZED:
      "Order already authorized.If 'intent=AUTHORIZE' only one authorization per order is allowed.",
    ACTION_DOES_NOT_MATCH_INTENT:
      "Order was created with an intent to 'CAPTURE'. Please use v2/checkout/orders/order_id/capture to complete the transaction or alternately Create an order with an intent of 'AUTHORIZE'.",
  },
  payments: {
    INVALID_PARAMETER_VALUE: "The value of a field is invalid.",
    INVALID_STRING_LENGTH: "The value of a field is either too short or too long.",
    INVALID_CURRENCY_CODE:
      "Currency code is invalid or is not currently supported. Please refer https://developer.paypal.com/docs/api/reference/currency-codes/ for list of supported currency codes.",
    DECIMALS_NOT_SUPPORTED:
      "Currency does not support decimals. Please refer to https://developer.paypal.com/docs/api/reference/currency-codes/ for more information.",
    AUTHORIZATION_VOIDED: "A voided authorization cannot be captured or reauthorized. ",
    AUTHORIZATION_DENIED: "An denied authorization cannot be captured.",
    AUTHORIZATION_EXPIRED: "An expired authorization cannot be captured.",
    AUTHORIZATION_ALREADY_CAPTURED: "Authorization has previously been captured.",
    MAX_CAPTURE_AMOUNT_EXCEEDED:
      "Capture amount exceeds allowable limit. Please contact customer service or your account manager to request the change to your overage limit. The default overage limit is 115%, which allows the sum of all captures to be up to 115% of the order amount. The ability to over capture is subjected to regulatory approvals.",
    AUTH_CAPTURE_CURRENCY_MISMATCH: "Currency of capture must be the same as currency of authorization.",
  },
  "authorizations.void": {
    PREVIOUSLY_CAPTURED: "Authorization has been previously captured and hence cannot be voided.",
    PREVIOUSLY_VOIDED: "Authorization has been previously voided and hence cannot be voided again.",
    CANNOT_BE_VOIDED: "A reauthorization cannot be voided. Please void the original parent authorization.",
  },
  "captures.refund": {
    CAPTURE_FULLY_REFUNDED: "The capture has already been fully refunded",
    REFUND_AMOUNT_EXCEEDED:
      "The refund amount must be less than or equal to the capture amount that has not yet been refunded.",
    REFUND_CAPTURE_CURRENCY_MISMATCH: "Refund must be in the same currency as the capture",
    REFUND_NOT_ALLOWED: "Capture cannot be refunded.",
    PENDING_CAPTURE:
      "Cannot initiate a refund as the capture is pending. Capture is typically pending when the payer has funded the transaction using e-check/bank funded.",
    DECIMAL_PRECISION: "If the currency supports decimals, only two decimal place precision is supported.",
    INVALID_CURRENCY_CODE: "Currency code is invalid or is not currently supported.",
  },
  webhooks: {},
};

export interface Issue {
  readonly issue: string;
  /** A JSON pointer into the body, or the header's name. */
  readonly field?: string;
  readonly value?: string;
  readonly location?: "body" | "path" | "query" | "header";
}

/** An error answer, as data: stored (never, for errors) or sent. */
export interface PayPalError {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export function paypalError(status: number, family: ErrorFamily, issues: readonly Issue[] = []): PayPalError {
  const [name, message] = STATUS_WORDS[status] ?? STATUS_WORDS[500];
  const details = issues.map((issue) => ({
    ...(issue.field === undefined ? {} : { field: issue.field }),
    ...(issue.value === undefined ? {} : { value: issue.value }),
    location: issue.location ?? "body",
    issue: issue.issue,
    description: BY_FAMILY[family][issue.issue] ?? GENERIC[issue.issue] ?? issue.issue,
  }));
  const body: Record<string, unknown> = { name, message, debug_id: debugId() };
  if (details.length > 0) body.details = details;
  body.links = [{
    href: `https://developer.paypal.com/api/rest/reference/orders/v2/errors/#${
      (issues[0]?.issue ?? name).toLowerCase()
    }`,
    rel: "information_link",
    method: "GET",
  }];
  return { status, body };
}

export function errorAnswer(error: PayPalError): Response {
  return jsonAnswer(error.status, error.body, { "paypal-debug-id": String(error.body.debug_id) });
}

export function unprocessable(family: ErrorFamily, issue: string, field?: string): PayPalError {
  return paypalError(422, family, [{ issue, field }]);
}

export function invalid(family: ErrorFamily, issue: string, field?: string, value?: string): PayPalError {
  return paypalError(400, family, [{ issue, field, value }]);
}

export function notFound(family: ErrorFamily, field = "id"): PayPalError {
  return paypalError(404, family, [{ issue: "INVALID_RESOURCE_ID", field, location: "path" }]);
}

/** HTTP 401 of the REST APIs (a missing, unknown or expired bearer token). */
export function unauthenticated(): PayPalError {
  return paypalError(401, "orders");
}
