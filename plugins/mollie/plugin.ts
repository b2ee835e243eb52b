/**
 * The Mollie bank plugin: a translator between the core's PspPlugin port and Mollie's Payments API v2 for
 * offsite payments (the buyer pays on Mollie's hosted checkout, then comes back). It owns no state, mints no
 * keys and does all I/O through ctx.http.
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
} from "../../src/plugin_api.ts";
import { createPayment, fetchPayment, readPaymentAnswer, readRefundAnswer } from "./calls.ts";
import { mollieLiveCredentialsSchema, mollieTestCredentialsSchema } from "./credentials.ts";
import { MOLLIE_MANIFEST } from "./manifest.ts";
import { notificationReferences, parseNotification } from "./notification.ts";
import { query } from "./query.ts";
import { callMollie, idSegment, refundBody, resolveEndpoint } from "./requests.ts";

export function createMolliePlugin(): PspPlugin {
  return {
    manifest: MOLLIE_MANIFEST,
    credentials: { live: mollieLiveCredentialsSchema, test: mollieTestCredentialsSchema },
    pay,
    continueAfterRedirect,
    capture: (_input, _ctx) => Promise.resolve(unsupported("capture")),
    void: (_input, _ctx) => Promise.resolve(unsupported("void")),
    refund,
    query,
    verifyCredentials,
    parseNotification,
    notificationReferences,
  };
}

/**
 * Lists the payment methods of the key's profile: 200 means the key works (and, by its prefix, which the
 * schema checked, for this mode); 401 that Mollie does not know it.
 */
async function verifyCredentials(ctx: PspCallContext): Promise<CredentialCheck> {
  const endpoint = resolveEndpoint(ctx);
  if (endpoint === undefined) {
    return { ok: false, reason: `the credentials do not fit Mollie's ${ctx.test ? "test" : "live"} schema` };
  }
  const result = await callMollie(endpoint, ctx, { method: "GET", path: "/methods", operation: "methods" });
  if (result.kind !== "response") return { ok: false, reason: "Mollie could not be reached; try again" };
  if (result.status === 200) return { ok: true };
  if (result.status === 401) {
    return { ok: false, reason: "Mollie refused the API key: copy it again from Developers → API keys" };
  }
  if (result.status === 403) {
    return { ok: false, reason: "Mollie does not let this API key list payment methods" };
  }
  return { ok: false, reason: `Mollie answered HTTP ${result.status}; try again later` };
}

/** Creates the payment and sends the buyer to Mollie's checkout. */
async function pay(input: PayInput, ctx: PspCallContext): Promise<PspOutcome> {
  // The core refuses both for a plugin that does not declare them; nothing is sent, so failing is the truth.
  if (input.captureMode !== "sale") {
    return { kind: "failed", code: "capture_not_supported", message: "Mollie bank payments are sales only" };
  }
  if (input.storeCard !== undefined || input.storedCard !== undefined) {
    return {
      kind: "failed",
      code: "card_on_file_not_supported",
      message: "Mollie bank payments store nothing",
    };
  }
  const endpoint = resolveEndpoint(ctx);
  if (endpoint === undefined) return notConfigured();
  const result = await createPayment(endpoint, ctx, input);
  return readPaymentAnswer(result, "operation", input, "create");
}

/**
 * The buyer came back. Mollie adds nothing to the redirect URL, so the payment itself is fetched: what it
 * says decides, never the browser.
 */
async function continueAfterRedirect(input: ContinueInput, ctx: PspCallContext): Promise<PspOutcome> {
  const endpoint = resolveEndpoint(ctx);
  if (endpoint === undefined) {
    return { kind: "unknown", detail: "the shop's Mollie credentials are not usable" };
  }
  const id = idSegment(input.pspReference ?? input.resume.paymentId, "tr_");
  if (id === undefined) {
    return { kind: "unknown", detail: "no Mollie payment id to look up; nothing was sent" };
  }
  return await fetchPayment(endpoint, ctx, id, input, "return");
}

async function refund(input: ModificationInput, ctx: PspCallContext): Promise<PspOutcome> {
  const endpoint = resolveEndpoint(ctx);
  if (endpoint === undefined) return notConfigured();
  const paymentId = idSegment(input.paymentPspReference, "tr_");
  const body = refundBody(input);
  if (paymentId === undefined || body === undefined) {
    return {
      kind: "failed",
      code: "invalid_request",
      message: "a refund needs an amount and a Mollie payment id",
    };
  }
  const result = await callMollie(endpoint, ctx, {
    method: "POST",
    path: `/payments/${paymentId}/refunds`,
    json: body,
    operation: "refunds.create",
  });
  return readRefundAnswer(result, "operation", {
    reference: input.reference,
    amount: input.amount,
    paymentId,
  });
}

/** Nothing is sent: Mollie bank payments are sales, and the core never asks a plugin for what it does not declare. */
function unsupported(operation: "capture" | "void"): PspOutcome {
  return {
    kind: "failed",
    code: operation === "capture" ? "capture_not_supported" : "payment_not_voidable",
    message: `Mollie bank payments are sales: there is nothing to ${operation}`,
  };
}

/** Nothing was sent, so a failure is the truth: the call cannot be made with these credentials. */
function notConfigured(): PspOutcome {
  return {
    kind: "failed",
    code: "account_not_configured",
    message:
      "the shop's Mollie credentials do not fit this mode (a test_ key for test, a live_ key for live)",
  };
}
