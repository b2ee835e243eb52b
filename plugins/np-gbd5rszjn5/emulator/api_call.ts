/**
 * What every template API call goes through: bearer authentication, the API's idempotency (the first answer
 * to a key is stored per API key and replayed, with `Idempotent-Replayed: true`, whatever the path and body;
 * a key still in progress is 409; `Idempotency-Replay-Only: true` replays or answers 404 and never processes
 * anything; 400 and 404 answers are not stored), the JSON body, and one state transaction per request in
 * which the handler decides and the answer is stored.
 * @module
 */
import {
  answerOnce,
  type EmulatorState,
  type IdempotencyStore,
  type Json,
  jsonAnswer,
  type OwnedKey,
  readJsonObject,
  type StateTransaction,
} from "../../kit/emulator/mod.ts";
import type { AccountBook, Caller } from "./accounts.ts";

/** What a handler decided: a refusal is not stored under the idempotency key; an answer is. */
export type Outcome =
  | { readonly kind: "answered"; readonly status: number; readonly body: unknown }
  | { readonly kind: "refused"; readonly status: 400 | 404; readonly code: string; readonly message: string };

export type Handler = (caller: Caller, body: Json, tx: StateTransaction) => Outcome | Promise<Outcome>;

export interface ApiDeps {
  readonly state: EmulatorState;
  readonly keys: IdempotencyStore;
  readonly accounts: AccountBook;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export function apiError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
) {
  return jsonAnswer(status, { error: { code, message } }, headers);
}

export function refused(status: 400 | 404, code: string, message: string): Outcome {
  return { kind: "refused", status, code, message };
}

/** Serves one POST with `handler`, under the request's idempotency key. */
export async function serveApiCall(deps: ApiDeps, request: Request, handler: Handler): Promise<Response> {
  const caller = await deps.accounts.caller(request);
  if (caller === undefined) return apiError(401, "unauthorized", "Unknown API key");
  const key = request.headers.get("idempotency-key");
  if (key === null || !KEY_PATTERN.test(key)) {
    return apiError(400, "invalid_request", "Idempotency-Key must be 1 to 255 visible ASCII characters");
  }
  const claim = deps.keys.claim({ scope: caller.scope, key });
  if (claim.kind === "replay") {
    return jsonAnswer(claim.answer.status, claim.answer.body, { "Idempotent-Replayed": "true" });
  }
  if (claim.kind !== "new") return inProgress();
  if (request.headers.get("idempotency-replay-only") === "true") {
    deps.keys.release(claim.owned);
    return apiError(404, "idempotency_key_not_found", "No answer is stored for this Idempotency-Key");
  }
  return await process(deps, request, handler, caller, claim.owned);
}

async function process(
  deps: ApiDeps,
  request: Request,
  handler: Handler,
  caller: Caller,
  owned: OwnedKey,
): Promise<Response> {
  const body = await readJsonObject(request, { maxBytes: 65_536 });
  if (!body.ok) {
    deps.keys.release(owned);
    return apiError(400, "invalid_request", "The body is not a JSON object");
  }
  const settled = await answerOnce(deps.state, deps.keys, owned, async (tx) => {
    const outcome = await handler(caller, body.value, tx);
    return outcome.kind === "refused"
      ? {
        kind: "reject",
        answer: { status: outcome.status, body: { error: { code: outcome.code, message: outcome.message } } },
      }
      : { kind: "answer", answer: { status: outcome.status, body: outcome.body } };
  });
  switch (settled.kind) {
    case "answered":
    case "rejected":
      return jsonAnswer(settled.answer.status, settled.answer.body);
    case "replay":
      return jsonAnswer(settled.answer.status, settled.answer.body, { "Idempotent-Replayed": "true" });
    case "in_progress":
    case "conflict":
      return inProgress();
  }
}

function inProgress(): Response {
  return apiError(
    409,
    "idempotency_key_in_use",
    "A request with this Idempotency-Key is still being processed",
  );
}
