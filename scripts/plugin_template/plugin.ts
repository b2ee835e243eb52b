/**
 * The Skeleton Pay plugin: a translator between the core's PspPlugin port and the template JSON API described
 * in README.md. It owns no state, mints no keys, does all I/O through ctx.http and never throws: every
 * operation returns an outcome, and an unexpected error in the plugin itself becomes `unknown`.
 * @module
 */
import type {
  CredentialCheck,
  ModificationInput,
  PayInput,
  PspCallContext,
  PspHttpResult,
  PspOutcome,
  PspPlugin,
  QueryInput,
} from "../../src/plugin_api.ts";
import { type Expected, type ModificationOperation, modificationOutcome, paymentOutcome } from "./answers.ts";
import { endpointFor, liveCredentialsSchema, testCredentialsSchema } from "./credentials.ts";
import { type CallKind, isObject, readAnswer } from "./http_answer.ts";
import { SKELETON_PAY_MANIFEST } from "./manifest.ts";
import { notificationReferences, parseNotification } from "./notification.ts";
import { MODIFICATION_PATHS, modificationBody, modificationPath, paymentBody, send } from "./requests.ts";

export function createSkeletonPayPlugin(): PspPlugin {
  return {
    manifest: SKELETON_PAY_MANIFEST,
    credentials: { live: liveCredentialsSchema, test: testCredentialsSchema },
    pay: (input, ctx) => safely("pay", () => pay(input, ctx)),
    continueAfterRedirect,
    capture: (input, ctx) => safely("capture", () => modify("capture", input, ctx)),
    void: (input, ctx) => safely("void", () => modify("void", input, ctx)),
    refund: (input, ctx) => safely("refund", () => modify("refund", input, ctx)),
    query: (input, ctx) => safely("query", () => query(input, ctx)),
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

/** threeDSecure and redirect are false, so the core never calls this; if it does, nothing is sent. */
function continueAfterRedirect(): Promise<PspOutcome> {
  return Promise.resolve({
    kind: "failed",
    code: "not_supported",
    message: "Skeleton Pay payments never redirect the buyer",
  });
}

/**
 * A plugin bug must not become a throw in the core, nor a guess: the call may have reached the PSP, so the
 * outcome is unknown and a query settles it.
 */
async function safely(operation: string, run: () => Promise<PspOutcome>): Promise<PspOutcome> {
  try {
    return await run();
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
    return { ok: false, reason: "the credentials do not fit the Skeleton Pay schema" };
  }
  const result = await send(endpoint, ctx, { method: "GET", path: "/account", operation: "account" });
  if (result.kind !== "response") return { ok: false, reason: "Skeleton Pay could not be reached" };
  if (result.status === 401) return { ok: false, reason: "Skeleton Pay refused the API key" };
  if (result.status !== 200) return { ok: false, reason: `Skeleton Pay answered HTTP ${result.status}` };
  const mode = parseMode(result.body);
  const expected = ctx.test ? "test" : "live";
  if (mode !== expected) return { ok: false, reason: `the API key is not a ${expected} key of Skeleton Pay` };
  return { ok: true };
}

function parseMode(text: string): unknown {
  try {
    const body: unknown = JSON.parse(text);
    return isObject(body) ? body.mode : undefined;
  } catch {
    return undefined;
  }
}

async function pay(input: PayInput, ctx: PspCallContext): Promise<PspOutcome> {
  const endpoint = endpointFor(ctx.credentials, ctx.test);
  if (endpoint === undefined) return notConfigured();
  // cardOnFile is false: the core sends neither, but a payment that asks for it must not quietly do less.
  if (input.storedCard !== undefined || input.storeCard !== undefined) {
    return { kind: "failed", code: "not_supported", message: "Skeleton Pay plugin does not store cards" };
  }
  if (input.card === undefined) {
    return { kind: "failed", code: "invalid_request", message: "a Skeleton Pay payment needs card data" };
  }
  const result = await send(endpoint, ctx, {
    method: "POST",
    path: "/payments",
    json: paymentBody(input, input.card),
    operation: "payments",
  });
  return mapPayment(result, "operation", input);
}

function mapPayment(
  result: PspHttpResult,
  call: CallKind,
  asked: { reference: string; amount: Expected["amount"]; captureMode?: "sale" | "authorize" },
): PspOutcome {
  const reading = readAnswer(result, call);
  return reading.kind === "decided" ? reading.outcome : paymentOutcome(reading.body, asked);
}

async function modify(
  operation: ModificationOperation,
  input: ModificationInput,
  ctx: PspCallContext,
): Promise<PspOutcome> {
  const endpoint = endpointFor(ctx.credentials, ctx.test);
  if (endpoint === undefined) return notConfigured();
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
  return mapModification(result, "operation", operation, {
    reference: input.reference,
    paymentId: input.paymentPspReference,
    amount,
  });
}

function mapModification(
  result: PspHttpResult,
  call: CallKind,
  operation: ModificationOperation,
  expected: Expected,
): PspOutcome {
  const reading = readAnswer(result, call);
  return reading.kind === "decided"
    ? reading.outcome
    : modificationOutcome(reading.body, operation, expected);
}

// TODO(skeleton-pay): how your PSP answers "what happened to the call with this key?". The template API replays
// the stored answer of a key with `Idempotency-Replay-Only: true` and never processes that request's body. A PSP
// that processes a replayed body when it has no stored answer needs a body that cannot charge (plugins/adyen).
/**
 * Asks the PSP about an earlier call by replaying its idempotency key (ctx carries that call's key) in
 * replay-only mode: the stored first answer comes back, or a 404 when the PSP never got the call. A query can
 * therefore never charge, capture or refund anything; only a stored answer settles the outcome.
 */
async function query(input: QueryInput, ctx: PspCallContext): Promise<PspOutcome> {
  const endpoint = endpointFor(ctx.credentials, ctx.test);
  if (endpoint === undefined) {
    return { kind: "unknown", detail: "the shop's Skeleton Pay credentials are not usable" };
  }
  switch (input.operation) {
    case "pay": {
      const result = await send(endpoint, ctx, {
        method: "POST",
        path: "/payments",
        json: { reference: input.reference },
        operation: "payments.replay",
        replayOnly: true,
      });
      return mapPayment(result, "query", input);
    }
    case "continue":
      return {
        kind: "unknown",
        detail: "Skeleton Pay payments never redirect, so there is no continue to ask about",
      };
    case "capture":
    case "void":
    case "refund": {
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
      return mapModification(result, "query", input.operation, {
        reference: input.reference,
        paymentId: input.paymentPspReference,
        amount: input.operation === "void" ? undefined : input.amount,
      });
    }
  }
}

/** Nothing was sent, so a failure is the truth: the call cannot be made with these credentials. */
function notConfigured(): PspOutcome {
  return {
    kind: "failed",
    code: "account_not_configured",
    message: "the shop's Skeleton Pay credentials do not fit the schema of this mode",
  };
}
