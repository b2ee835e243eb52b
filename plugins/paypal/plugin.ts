/**
 * The PayPal wallet plugin: a translator between the core's PspPlugin port and PayPal's Orders v2 and
 * Payments v2 APIs. It mints no keys and does all I/O through ctx.http; its only state is the OAuth2 token
 * cache (access_token.ts).
 * @module
 */
import type { PspCallContext, PspOutcome, PspPlugin, QueryInput } from "../../src/plugin_api.ts";
import type { Endpoint } from "./access_token.ts";
import { captureAuthorization, queryCapture } from "./capture.ts";
import { continueOrder, queryContinue } from "./continue.ts";
import { paypalLiveCredentialsSchema, paypalTestCredentialsSchema } from "./credentials.ts";
import { PAYPAL_MANIFEST } from "./manifest.ts";
import { notificationReferences, parseNotification } from "./notification.ts";
import { createOrder, queryCreateOrder } from "./pay.ts";
import { resolveEndpoint } from "./paypal_api.ts";
import { queryRefund, refundPayment } from "./refund.ts";
import { verifyCredentials } from "./verify_credentials.ts";
import { queryVoid, voidAuthorization } from "./void.ts";

/** A return URL for a query that lacks one: never visited, since a query's order is never approved. */
const QUERY_RETURN_URL = "https://gateway.invalid/paypal/query";

export function createPayPalPlugin(): PspPlugin {
  return {
    manifest: PAYPAL_MANIFEST,
    credentials: { live: paypalLiveCredentialsSchema, test: paypalTestCredentialsSchema },
    pay: (input, ctx) => withEndpoint(ctx, notConfigured, (endpoint) => createOrder(endpoint, input, ctx)),
    continueAfterRedirect: (input, ctx) =>
      withEndpoint(ctx, notConfigured, (endpoint) => continueOrder(endpoint, input, ctx)),
    capture: (input, ctx) =>
      withEndpoint(ctx, notConfigured, (endpoint) => captureAuthorization(endpoint, input, ctx)),
    void: (input, ctx) =>
      withEndpoint(ctx, notConfigured, (endpoint) => voidAuthorization(endpoint, input, ctx)),
    refund: (input, ctx) =>
      withEndpoint(ctx, notConfigured, (endpoint) => refundPayment(endpoint, input, ctx)),
    query: (input, ctx) => withEndpoint(ctx, unusable, (endpoint) => query(endpoint, input, ctx)),
    verifyCredentials,
    parseNotification,
    notificationReferences,
  };
}

/**
 * Asks PayPal about an earlier call, with that call's key. A payment's query can never create anything (see
 * pay.ts); a continue's query captures or authorizes an approved order the capture never reached (the one
 * query with an effect, see continue.ts); a modification's query only looks.
 */
async function query(endpoint: Endpoint, input: QueryInput, ctx: PspCallContext): Promise<PspOutcome> {
  switch (input.operation) {
    case "pay":
      return await queryCreateOrder(endpoint, input, ctx, QUERY_RETURN_URL);
    case "continue":
      return await queryContinue(endpoint, input, ctx);
    case "capture":
      return await queryCapture(endpoint, input, ctx);
    case "void":
      return await queryVoid(endpoint, input, ctx);
    case "refund":
      return await queryRefund(endpoint, input, ctx);
  }
}

async function withEndpoint(
  ctx: PspCallContext,
  without: () => PspOutcome,
  call: (endpoint: Endpoint) => Promise<PspOutcome>,
): Promise<PspOutcome> {
  const endpoint = resolveEndpoint(ctx);
  return endpoint === undefined ? without() : await call(endpoint);
}

/** Nothing was sent, so a failure is the truth: the call cannot be made with these credentials. */
function notConfigured(): PspOutcome {
  return {
    kind: "failed",
    code: "account_not_configured",
    message: "the shop's PayPal credentials are not usable",
  };
}

function unusable(): PspOutcome {
  return { kind: "unknown", detail: "the shop's PayPal credentials are not usable" };
}
