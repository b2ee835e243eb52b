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
  PspHttpResult,
  PspOutcome,
  PspPlugin,
  QueryInput,
} from "../../src/plugin_api.ts";
import { readMollie } from "./answer_rules.ts";
import {
  type Expected,
  paymentOutcome,
  type Reader,
  readPayment,
  readRefund,
  refundOutcome,
} from "./answers.ts";
import { mollieLiveCredentialsSchema, mollieTestCredentialsSchema } from "./credentials.ts";
import { MOLLIE_MANIFEST } from "./manifest.ts";
import { notificationReferences, parseNotification } from "./notification.ts";
import { listRefunds } from "./refund_list.ts";
import {
  callMollie,
  type Endpoint,
  idSegment,
  paymentBody,
  refundBody,
  resolveEndpoint,
} from "./requests.ts";

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

/**
 * Asks Mollie about an earlier call. A payment is fetched by its `tr_` id. Without one (the create's answer
 * was lost), the create is replayed under its original key: Mollie answers from its record, and if it has
 * none, the replay creates an open payment that nobody is ever sent to, which moves no money. A refund is
 * fetched by its `re_` id, or found by its reference among the payment's refunds.
 */
async function query(input: QueryInput, ctx: PspCallContext): Promise<PspOutcome> {
  const endpoint = resolveEndpoint(ctx);
  if (endpoint === undefined) {
    return { kind: "unknown", detail: "the shop's Mollie credentials are not usable" };
  }
  const expected: Expected = { reference: input.reference, amount: input.amount };
  switch (input.operation) {
    case "pay":
    case "continue": {
      const known = idSegment(input.pspReference ?? input.resume?.paymentId, "tr_");
      if (known !== undefined) return await fetchPayment(endpoint, ctx, known, expected, "query");
      // A continue's key is not the create's: a replay under it would create a payment, and tell nothing.
      if (input.operation === "continue") {
        return { kind: "unknown", detail: "no Mollie payment id to ask about" };
      }
      const replayed = await replayCreate(endpoint, ctx, input);
      return typeof replayed === "string"
        ? await fetchPayment(endpoint, ctx, replayed, expected, "query")
        : replayed;
    }
    case "refund":
      return await queryRefund(endpoint, ctx, input);
    case "capture":
    case "void":
      return { kind: "unknown", detail: `the plugin never sends a ${input.operation} to Mollie` };
  }
}

/** The id the replayed create names, or the outcome that says why there is none. */
async function replayCreate(
  endpoint: Endpoint,
  ctx: PspCallContext,
  input: QueryInput,
): Promise<string | PspOutcome> {
  if (input.returnUrl === undefined) {
    return { kind: "unknown", detail: "cannot replay the create without its return URL" };
  }
  const result = await createPayment(endpoint, ctx, {
    reference: input.reference,
    amount: input.amount,
    returnUrl: input.returnUrl,
  });
  const outcome = readPaymentAnswer(result, "query", input, "query");
  // The replayed answer is the stored snapshot of the create (status open); only its id is used.
  if (outcome.kind === "requires_action" || outcome.kind === "succeeded" || outcome.kind === "pending") {
    return outcome.pspReference ?? { kind: "unknown", detail: "the replayed create names no payment" };
  }
  if (outcome.kind === "failed") {
    return { kind: "unknown", detail: `the replayed create: ${outcome.message}` };
  }
  return outcome;
}

async function queryRefund(endpoint: Endpoint, ctx: PspCallContext, input: QueryInput): Promise<PspOutcome> {
  const paymentId = idSegment(input.paymentPspReference, "tr_");
  if (paymentId === undefined) return { kind: "unknown", detail: "no Mollie payment id to ask about" };
  const expected = { reference: input.reference, amount: input.amount, paymentId };
  const refundId = idSegment(input.pspReference, "re_");
  if (refundId !== undefined) {
    const result = await callMollie(endpoint, ctx, {
      method: "GET",
      path: `/payments/${paymentId}/refunds/${refundId}`,
      operation: "refunds.get",
    });
    return readRefundAnswer(result, "query", expected);
  }
  const list = await listRefunds(endpoint, ctx, paymentId);
  if (list.kind === "unreadable") return { kind: "unknown", detail: list.detail };
  const found = list.refunds.find((candidate) => candidate.reference === input.reference);
  // The whole list, from Mollie, without it: Mollie's own answer that it never took this refund.
  if (found === undefined) {
    return { kind: "not_received", detail: "the payment's refunds at Mollie do not include this reference" };
  }
  return refundOutcome(found, expected);
}

async function createPayment(
  endpoint: Endpoint,
  ctx: PspCallContext,
  input: Pick<PayInput, "reference" | "amount" | "returnUrl" | "notificationUrl" | "description">,
): Promise<PspHttpResult> {
  return await callMollie(endpoint, ctx, {
    method: "POST",
    path: "/payments",
    json: paymentBody(input, endpoint.credentials.method),
    operation: "payments.create",
  });
}

async function fetchPayment(
  endpoint: Endpoint,
  ctx: PspCallContext,
  id: string,
  expected: Expected,
  reader: Reader,
): Promise<PspOutcome> {
  const result = await callMollie(endpoint, ctx, {
    method: "GET",
    path: `/payments/${id}`,
    operation: "payments.get",
  });
  // A read decides nothing by a 4xx: it is read like a query whoever asks.
  return readPaymentAnswer(result, "query", expected, reader);
}

function readPaymentAnswer(
  result: PspHttpResult,
  call: "operation" | "query",
  expected: Expected,
  reader: Reader,
): PspOutcome {
  const reading = readMollie(result, call);
  if (reading.kind === "decided") return reading.outcome;
  const payment = readPayment(reading.body);
  if (payment === undefined) {
    return { kind: "unknown", detail: "Mollie answered with something that is not a payment" };
  }
  return paymentOutcome(payment, expected, reader) ??
    { kind: "unknown", detail: "the payment is open at Mollie" };
}

function readRefundAnswer(
  result: PspHttpResult,
  call: "operation" | "query",
  expected: Expected & { readonly paymentId: string },
): PspOutcome {
  const reading = readMollie(result, call);
  if (reading.kind === "decided") return reading.outcome;
  const refund = readRefund(reading.body);
  if (refund === undefined) {
    return { kind: "unknown", detail: "Mollie answered with something that is not a refund" };
  }
  return refundOutcome(refund, expected);
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
