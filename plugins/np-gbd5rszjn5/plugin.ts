/**
 * The Np Gbd5rszjn5 plugin: a translator between the core's PspPlugin port and the template JSON API described
 * in README.md. It owns no state, mints no keys, does all I/O through ctx.http and never throws: every
 * operation returns an outcome, and an unexpected error in the plugin itself becomes `unknown`. How a payment
 * is made (and asked about) is in payments.ts; the rest is the same for every payment.
 * @module
 */
import type {
  CredentialCheck,
  ModificationInput,
  PspCallContext,
  PspOutcome,
  PspPlugin,
  QueryInput,
} from "../../src/plugin_api.ts";
import { isObject, parseObject } from "../kit/mod.ts";
import { type ModificationOperation, readModification } from "./answers.ts";
import { type Endpoint, endpointFor, liveCredentialsSchema, testCredentialsSchema } from "./credentials.ts";
import { NP_GBD5RSZJN5_MANIFEST } from "./manifest.ts";
import { notificationReferences, parseNotification } from "./notification.ts";
import { continuePayment, pay, queryPayment } from "./payments.ts";
import { MODIFICATION_PATHS, modificationBody, modificationPath, send } from "./requests.ts";

export function createNpGbd5rszjn5Plugin(): PspPlugin {
  return {
    manifest: NP_GBD5RSZJN5_MANIFEST,
    credentials: { live: liveCredentialsSchema, test: testCredentialsSchema },
    pay: (input, ctx) => operate("pay", ctx, (endpoint) => pay(endpoint, input, ctx)),
    continueAfterRedirect: (input, ctx) =>
      operate("continue", ctx, (endpoint) => continuePayment(endpoint, input, ctx)),
    capture: (input, ctx) => operate("capture", ctx, (endpoint) => modify(endpoint, "capture", input, ctx)),
    void: (input, ctx) => operate("void", ctx, (endpoint) => modify(endpoint, "void", input, ctx)),
    refund: (input, ctx) => operate("refund", ctx, (endpoint) => modify(endpoint, "refund", input, ctx)),
    query: (input, ctx) => operate("query", ctx, (endpoint) => query(endpoint, input, ctx)),
    verifyCredentials: async (ctx) => {
      try {
        return await verifyCredentials(ctx);
      } catch (error) {
        return { ok: false, reason: `the plugin failed: ${errorName(error)}` };
      }
    },
    parseNotification,
    notificationReferences,
  };
}

/**
 * Runs an operation with the endpoint of the call's credentials. Credentials that do not fit mean nothing can
 * be sent: a failure is the truth (for a query, nothing is known). A plugin bug must not become a throw in
 * the core, nor a guess: the call may have reached the PSP, so the outcome is unknown and a query settles it.
 */
async function operate(
  operation: string,
  ctx: PspCallContext,
  run: (endpoint: Endpoint) => Promise<PspOutcome>,
): Promise<PspOutcome> {
  const endpoint = endpointFor(ctx.credentials, ctx.test);
  if (endpoint === undefined) {
    const detail = "the shop's Np Gbd5rszjn5 credentials do not fit the schema of this mode";
    return operation === "query"
      ? { kind: "unknown", detail }
      : { kind: "failed", code: "account_not_configured", message: detail };
  }
  try {
    return await run(endpoint);
  } catch (error) {
    return { kind: "unknown", detail: `the plugin failed during ${operation}: ${errorName(error)}` };
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "unknown error";
}

/**
 * Asks for the account behind the API key: 200 with the call's mode means the key works; 401 that it does
 * not. Anything else cannot tell, and says so.
 */
async function verifyCredentials(ctx: PspCallContext): Promise<CredentialCheck> {
  const endpoint = endpointFor(ctx.credentials, ctx.test);
  if (endpoint === undefined) {
    return { ok: false, reason: "the credentials do not fit the Np Gbd5rszjn5 schema" };
  }
  const result = await send(endpoint, ctx, { method: "GET", path: "/account", operation: "account" });
  if (result.kind !== "response") return { ok: false, reason: "Np Gbd5rszjn5 could not be reached" };
  if (result.status === 401) return { ok: false, reason: "Np Gbd5rszjn5 refused the API key" };
  if (result.status !== 200) return { ok: false, reason: `Np Gbd5rszjn5 answered HTTP ${result.status}` };
  const body = parseObject(result.body);
  const expected = ctx.test ? "test" : "live";
  if (!isObject(body) || body.mode !== expected) {
    return { ok: false, reason: `the API key is not a ${expected} key of Np Gbd5rszjn5` };
  }
  return { ok: true };
}

async function modify(
  endpoint: Endpoint,
  operation: ModificationOperation,
  input: ModificationInput,
  ctx: PspCallContext,
): Promise<PspOutcome> {
  if (operation !== "void" && input.amount === undefined) {
    return { kind: "failed", code: "invalid_request", message: `an amount is required to ${operation}` };
  }
  const amount = operation === "void" ? undefined : input.amount;
  const result = await send(endpoint, ctx, {
    method: "POST",
    path: modificationPath(operation, input.paymentPspReference),
    json: modificationBody(input.reference, amount),
    operation: MODIFICATION_PATHS[operation],
  });
  return readModification(result, "operation", operation, {
    reference: input.reference,
    paymentId: input.paymentPspReference,
    amount,
  });
}

// TODO(np-gbd5rszjn5): how your PSP answers "what happened to the call with this key?". The template API replays
// the stored answer of a key with `Idempotency-Replay-Only: true` and never processes that request's body. A PSP
// that processes a replayed body when it has no stored answer needs a body that cannot charge (plugins/adyen).
/**
 * Asks the PSP about an earlier call (ctx carries that call's key). A payment is asked about as payments.ts
 * says; a capture, void or refund by replaying its key in replay-only mode: the stored first answer comes back,
 * or a 404 when the PSP never got the call. A query never charges, captures or refunds anything.
 */
async function query(endpoint: Endpoint, input: QueryInput, ctx: PspCallContext): Promise<PspOutcome> {
  if (input.operation === "pay" || input.operation === "continue") {
    return await queryPayment(endpoint, input, ctx);
  }
  if (input.paymentPspReference === undefined) {
    return { kind: "unknown", detail: "cannot ask about a modification without the payment's id" };
  }
  const result = await send(endpoint, ctx, {
    method: "POST",
    path: modificationPath(input.operation, input.paymentPspReference),
    json: { reference: input.reference },
    operation: `${MODIFICATION_PATHS[input.operation]}.replay`,
    replayOnly: true,
  });
  return readModification(result, "query", input.operation, {
    reference: input.reference,
    paymentId: input.paymentPspReference,
    amount: input.operation === "void" ? undefined : input.amount,
  });
}
