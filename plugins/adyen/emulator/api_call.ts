/**
 * What every Checkout API call goes through: API-key auth, Adyen's idempotency
 * (docs.adyen.com/development-resources/api-idempotency: a key names one request of the API credential,
 * whatever the endpoint; the first answer is replayed whatever the new body; a key still in progress gets
 * 409/704 with `Transient-Error: true`; validation errors are not stored, so the key stays usable), the JSON
 * body, and one state transaction per request in which the handler decides and the answer is stored.
 * @module
 */
import {
  answerOnce,
  type EmulatorState,
  type IdempotencyStore,
  jsonAnswer,
  type OwnedKey,
  readJsonObject,
  type StateTransaction,
  type StoredAnswer,
} from "../../kit/emulator/mod.ts";
import type { AccountBook, Caller } from "./accounts.ts";
import {
  idempotencyKeyInProgress,
  internalError,
  type ServiceError,
  UNAUTHORIZED,
  unparseableBody,
  validationError,
} from "./service_error.ts";

type Json = Record<string, unknown>;

/** How the first request is answered when it differs from the stored answer (the special test cards). */
export type Delivery =
  | { readonly kind: "internal_error"; readonly pspReference: string }
  | { readonly kind: "hold" };

/** What a handler decided: rejections are not stored under the idempotency key; answers are. */
export type Outcome =
  | { readonly kind: "rejected"; readonly error: ServiceError }
  | { readonly kind: "answered"; readonly answer: StoredAnswer; readonly delivery?: Delivery };

export type Handler = (caller: Caller, body: Json, tx: StateTransaction) => Promise<Outcome>;

/** Adyen's documented maximum length of an idempotency key. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 64;

/** The largest request body the emulator reads (Adyen's own limit is not documented; card payments are small). */
const MAX_BODY_BYTES = 1_048_576;

export interface ApiDeps {
  readonly state: EmulatorState;
  readonly keys: IdempotencyStore;
  readonly accounts: AccountBook;
  /** Holds the connection of the timeout card, then drops it. */
  hold(signal: AbortSignal): Promise<Response>;
}

export function serviceError(error: ServiceError, headers: Record<string, string> = {}): Response {
  return jsonAnswer(error.status, error, headers);
}

function inProgress(echo: Record<string, string>): Response {
  return serviceError(idempotencyKeyInProgress(), { ...echo, "Transient-Error": "true" });
}

/** Serves one API call with `handler`. */
export async function serveApiCall(deps: ApiDeps, request: Request, handler: Handler): Promise<Response> {
  const caller = deps.accounts.caller(request);
  if (caller === undefined) return serviceError(UNAUTHORIZED);
  const key = request.headers.get("idempotency-key") ?? undefined;
  const echo: Record<string, string> = key === undefined ? {} : { "Idempotency-Key": key };
  let owned: OwnedKey | undefined;
  if (key !== undefined) {
    if (key === "" || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      return serviceError(validationError("000", "Idempotency-Key must be 1 to 64 characters"));
    }
    // The key is claimed before the body is read: a second request while the first one's body is still
    // arriving is in progress, as at Adyen.
    const claim = deps.keys.claim({ scope: await deps.accounts.scopeOf(caller.apiKey), key });
    if (claim.kind === "replay") return jsonAnswer(claim.answer.status, claim.answer.body, echo);
    if (claim.kind !== "new") return inProgress(echo);
    owned = claim.owned;
  }
  const body = await readJsonObject(request, { maxBytes: MAX_BODY_BYTES });
  if (!body.ok) {
    if (owned !== undefined) deps.keys.release(owned);
    return serviceError(unparseableBody(), echo);
  }
  const settled = await answerOnce<Delivery>(deps.state, deps.keys, owned, async (tx) => {
    const outcome = await handler(caller, body.value, tx);
    return outcome.kind === "rejected"
      ? { kind: "reject", answer: { status: outcome.error.status, body: outcome.error } }
      : { kind: "answer", answer: outcome.answer, extra: outcome.delivery };
  });
  switch (settled.kind) {
    case "rejected":
    case "replay":
      return jsonAnswer(settled.answer.status, settled.answer.body, echo);
    case "in_progress":
    case "conflict":
      return inProgress(echo);
    case "answered":
      switch (settled.extra?.kind) {
        case undefined:
          return jsonAnswer(settled.answer.status, settled.answer.body, echo);
        case "internal_error":
          return serviceError(internalError(settled.extra.pspReference), echo);
        case "hold":
          return await deps.hold(request.signal);
      }
  }
}

/**
 * Keeps connections open (the timeout card) until the client gives up, `holdMs` passes or the emulator
 * closes; an expired hold is dropped, so the client sees a broken exchange, never an answer.
 */
export function createHolds(holdMs: number) {
  const holds = new Set<() => void>();

  async function hold(signal: AbortSignal): Promise<Response> {
    const end = await new Promise<"client_left" | "closed" | "expired">((resolve) => {
      const finish = (why: "client_left" | "closed" | "expired") => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        holds.delete(onClose);
        resolve(why);
      };
      const onAbort = () => finish("client_left");
      const onClose = () => finish("closed");
      const timer = setTimeout(() => finish("expired"), holdMs);
      holds.add(onClose);
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort);
    });
    // The client is gone, or the emulator is shutting down: a plain answer does, no need to drop anything.
    if (end === "client_left") return new Response(null, { status: 499 });
    if (end === "closed") {
      return jsonAnswer(503, { status: 503, errorCode: "000", message: "Closed", errorType: "internal" });
    }
    // A body that fails before its first byte makes the server abort the connection.
    return new Response(
      new ReadableStream({
        start(controller) {
          controller.error(
            new Error("Adyen emulator dropped a held connection on purpose (timeout test card)"),
          );
        },
      }),
      { status: 200, headers: { "content-type": "application/json" } },
    );
  }

  return {
    hold,
    releaseAll() {
      for (const release of [...holds]) release();
    },
  };
}
