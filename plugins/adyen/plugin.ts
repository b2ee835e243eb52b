/**
 * The Adyen card plugin: a translator between the core's PspPlugin port and Adyen's Checkout API v71. It owns
 * no state, mints no keys and does all I/O through ctx.http.
 * @module
 */
import type {
  ContinueInput,
  CredentialCheck,
  ModificationInput,
  PayInput,
  PspCallContext,
  PspOutcome,
  PspPlugin,
  QueryInput,
} from "../../src/plugin_api.ts";
import {
  type AdyenCredentials,
  adyenCredentialsSchema,
  checkoutBaseUrl,
  readCredentials,
} from "./credentials.ts";
import { type CallKind, type Json, readAnswer } from "../kit/mod.ts";
import { adyenRules } from "./answer_rules.ts";
import { ADYEN_MANIFEST } from "./manifest.ts";
import {
  mapModificationAnswer,
  modificationBody,
  type ModificationOperation,
  modificationPath,
  type ModificationRequest,
} from "./modifications.ts";
import { notificationReferences, parseNotification } from "./notification.ts";
import { type ExpectedPayment, mapPaymentResult, RESUME_STORE_FOR } from "./payment_result.ts";
import { paymentBasics, paymentRequest } from "./payments_request.ts";
import type { StoringExpectation } from "./stored_card.ts";

/** Adyen's documented maximum length of an idempotency key. */
const MAX_KEY_LENGTH = 64;

// A query body must be schema-valid, but it must never be able to charge anything: when Adyen has no answer
// stored for the key it processes the body, and without card data that fails validation.
const QUERY_RETURN_URL = "https://gateway.invalid/adyen/query";

/**
 * A stored-card payment that Adyen refuses because the token is not there: 800 "Contract not found" (the
 * shopperReference has no stored details under this merchant account) and 803 "PaymentDetail not found" (the
 * token is not one of this shopper's), as help.adyen.com explains them.
 */
const STORED_CARD_ERRORS: Readonly<Record<string, string>> = Object.freeze({
  "800": "card_token_not_found",
  "803": "card_token_not_found",
});

interface Endpoint {
  readonly credentials: AdyenCredentials;
  readonly baseUrl: string;
}

export function createAdyenPlugin(): PspPlugin {
  return {
    manifest: ADYEN_MANIFEST,
    credentials: { live: adyenCredentialsSchema, test: adyenCredentialsSchema },
    pay,
    continueAfterRedirect,
    capture: (input, ctx) => modify("capture", input, ctx),
    void: (input, ctx) => modify("void", input, ctx),
    refund: (input, ctx) => modify("refund", input, ctx),
    query,
    verifyCredentials,
    parseNotification,
    notificationReferences,
  };
}

/**
 * Asks Adyen for the payment methods of the merchant account: 200 means the API key works for that account;
 * 401/403 that it does not. Anything else cannot tell.
 */
async function verifyCredentials(ctx: PspCallContext): Promise<CredentialCheck> {
  const endpoint = resolveEndpoint(ctx);
  if (endpoint === undefined) return { ok: false, reason: "the credentials do not fit the Adyen schema" };
  const result = await ctx.http.send({
    method: "POST",
    url: `${endpoint.baseUrl}/paymentMethods`,
    headers: {
      "X-API-Key": endpoint.credentials.apiKey,
      "Idempotency-Key": await adyenIdempotencyKey(ctx.idempotencyKey),
    },
    json: { merchantAccount: endpoint.credentials.merchantAccount },
    operation: "adyen.paymentMethods",
  }, ctx.deadline);
  if (result.kind !== "response") return { ok: false, reason: "Adyen could not be reached" };
  if (result.status === 200) return { ok: true };
  if (result.status === 401) return { ok: false, reason: "Adyen refused the API key" };
  if (result.status === 403) return { ok: false, reason: "the API key may not use this merchant account" };
  return { ok: false, reason: `Adyen answered HTTP ${result.status}` };
}

async function pay(input: PayInput, ctx: PspCallContext): Promise<PspOutcome> {
  const endpoint = resolveEndpoint(ctx);
  if (endpoint === undefined) return notConfigured();
  const built = paymentRequest(input, endpoint.credentials.merchantAccount);
  // Nothing was sent, so the failure is the truth.
  if (!built.ok) return { kind: "failed", code: "invalid_request", message: built.problem };
  // A stored card is already stored: a storeCard beside it asks for nothing more.
  const storing = input.storedCard === undefined && input.card !== undefined && input.storeCard !== undefined
    ? { shopperReference: input.storeCard.shopperReference, card: input.card }
    : undefined;
  return await callPayments(
    endpoint,
    ctx,
    "/payments",
    built.body,
    "operation",
    { reference: input.reference, amount: input.amount, storing },
    input.storedCard === undefined ? {} : STORED_CARD_ERRORS,
  );
}

async function continueAfterRedirect(input: ContinueInput, ctx: PspCallContext): Promise<PspOutcome> {
  const endpoint = resolveEndpoint(ctx);
  if (endpoint === undefined) return notConfigured();
  const redirectResult = input.returnParams.redirectResult;
  if (redirectResult === undefined || redirectResult === "") {
    // Nothing to submit, so nothing was sent; the payment stays as it was at Adyen, waiting for the buyer.
    return { kind: "return_refused", detail: "the buyer came back without redirectResult; nothing was sent" };
  }
  return await callPayments(
    endpoint,
    ctx,
    "/payments/details",
    { details: { redirectResult } },
    "operation",
    {
      reference: input.reference,
      amount: input.amount,
      pspReference: input.pspReference ?? input.resume.pspReference,
      storing: storingAfterRedirect(input.resume),
    },
  );
}

/** The pay call put the shopper it stores the card for into `resume`; the redirect does not change that. */
function storingAfterRedirect(
  resume: Readonly<Record<string, string>> | undefined,
): StoringExpectation | undefined {
  const shopperReference = resume?.[RESUME_STORE_FOR];
  return shopperReference === undefined || shopperReference === "" ? undefined : { shopperReference };
}

async function modify(
  operation: ModificationOperation,
  input: ModificationInput,
  ctx: PspCallContext,
): Promise<PspOutcome> {
  const endpoint = resolveEndpoint(ctx);
  if (endpoint === undefined) return notConfigured();
  if (operation !== "void" && input.amount === undefined) {
    return { kind: "failed", code: "invalid_request", message: `an amount is required to ${operation}` };
  }
  return await callModification(endpoint, ctx, "operation", {
    operation,
    merchantAccount: endpoint.credentials.merchantAccount,
    paymentPspReference: input.paymentPspReference,
    reference: input.reference,
    amount: input.amount,
  });
}

/**
 * Asks Adyen about an earlier call by sending a request with that call's idempotency key: Adyen replays the
 * stored first answer whatever the body. When Adyen has nothing stored, a payment query fails validation (it
 * has no card data) and a modification query performs the modification under the original key, which is the
 * retry the core wanted in the first place. Only a stored answer settles anything.
 *
 * A payment query carries neither a token nor a shopperReference nor `ContAuth`, whatever the payment was: a
 * body naming a shopper could let a processor pick one of that shopper's stored cards (the Classic API's
 * `selectedRecurringDetailReference: "LATEST"` did exactly that), and a query must never be able to charge.
 */
async function query(input: QueryInput, ctx: PspCallContext): Promise<PspOutcome> {
  const endpoint = resolveEndpoint(ctx);
  if (endpoint === undefined) {
    return { kind: "unknown", detail: "the shop's Adyen credentials are not usable" };
  }
  const expected: ExpectedPayment = { reference: input.reference, amount: input.amount };
  switch (input.operation) {
    case "pay": {
      const body = paymentBasics({
        merchantAccount: endpoint.credentials.merchantAccount,
        reference: input.reference,
        amount: input.amount,
        captureMode: input.captureMode ?? "sale",
        returnUrl: input.returnUrl ?? QUERY_RETURN_URL,
      });
      body.paymentMethod = { type: "scheme" };
      // The replayed answer is the original one: if that payment stored the card, its token is reported (the
      // core keeps it only for a payment that asked to store the card).
      return await callPayments(endpoint, ctx, "/payments", body, "query", {
        ...expected,
        pspReference: input.pspReference,
        storing: {},
      });
    }
    case "continue": {
      const redirectResult = input.returnParams?.redirectResult;
      const details = redirectResult === undefined ? {} : { redirectResult };
      return await callPayments(endpoint, ctx, "/payments/details", { details }, "query", {
        ...expected,
        pspReference: input.pspReference ?? input.resume?.pspReference,
        storing: storingAfterRedirect(input.resume),
      });
    }
    case "capture":
    case "void":
    case "refund": {
      if (input.paymentPspReference === undefined) {
        return {
          kind: "unknown",
          detail: "cannot ask Adyen about a modification without the payment's pspReference",
        };
      }
      return await callModification(endpoint, ctx, "query", {
        operation: input.operation,
        merchantAccount: endpoint.credentials.merchantAccount,
        paymentPspReference: input.paymentPspReference,
        reference: input.reference,
        amount: input.operation === "void" ? undefined : input.amount,
      });
    }
  }
}

async function callPayments(
  endpoint: Endpoint,
  ctx: PspCallContext,
  path: "/payments" | "/payments/details",
  body: Json,
  call: CallKind,
  expected: ExpectedPayment,
  failureCodes: Readonly<Record<string, string>> = {},
): Promise<PspOutcome> {
  const result = await send(
    endpoint,
    ctx,
    path,
    body,
    path === "/payments" ? "payments" : "payments.details",
  );
  if (path === "/payments/details") {
    // Adyen refuses a redirectResult it did not issue, or one it cannot match, without changing the payment: the
    // buyer's browser proved nothing, so the challenge stays open (a query replays the same return).
    const reading = readAnswer(result, call, adyenRules());
    if (reading.kind === "answer") return mapPaymentResult(reading.body, expected);
    const { outcome } = reading;
    return outcome.kind === "failed" || outcome.kind === "not_received"
      ? { kind: "return_refused", detail: outcome.kind === "failed" ? outcome.message : outcome.detail }
      : outcome;
  }
  const reading = readAnswer(result, call, adyenRules(failureCodes));
  return reading.kind === "decided" ? reading.outcome : mapPaymentResult(reading.body, expected);
}

async function callModification(
  endpoint: Endpoint,
  ctx: PspCallContext,
  call: CallKind,
  request: ModificationRequest,
): Promise<PspOutcome> {
  const path = modificationPath(request.operation, request.paymentPspReference);
  const result = await send(endpoint, ctx, path, modificationBody(request), request.operation);
  // A modification's query performs the modification when Adyen has nothing stored for the key, so no answer
  // to it means "no record": a refusal of it is unknown like any other 4xx to a query.
  const reading = readAnswer(result, call, { ...adyenRules(), noRecord: undefined });
  return reading.kind === "decided" ? reading.outcome : mapModificationAnswer(reading.body, request);
}

async function send(endpoint: Endpoint, ctx: PspCallContext, path: string, json: Json, operation: string) {
  return await ctx.http.send({
    method: "POST",
    url: `${endpoint.baseUrl}${path}`,
    headers: {
      "X-API-Key": endpoint.credentials.apiKey,
      "Idempotency-Key": await adyenIdempotencyKey(ctx.idempotencyKey),
    },
    json,
    operation: `adyen.${operation}`,
  }, ctx.deadline);
}

/**
 * The core's key as Adyen's Idempotency-Key. Adyen accepts at most 64 characters; a longer key is replaced by
 * its SHA-256 in hex, which is deterministic, so a query still sends the same key as the call it asks about.
 */
export async function adyenIdempotencyKey(key: string): Promise<string> {
  if (key.length <= MAX_KEY_LENGTH) return key;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function resolveEndpoint(ctx: PspCallContext): Endpoint | undefined {
  const credentials = readCredentials(ctx.credentials);
  if (credentials === undefined) return undefined;
  const baseUrl = checkoutBaseUrl(credentials, ctx.test);
  return baseUrl === undefined ? undefined : { credentials, baseUrl };
}

/** Nothing was sent, so a failure is the truth: the call cannot be made with these credentials. */
function notConfigured(): PspOutcome {
  return {
    kind: "failed",
    code: "account_not_configured",
    message: "the shop's Adyen credentials are not usable (for live mode set baseUrl or liveUrlPrefix)",
  };
}
