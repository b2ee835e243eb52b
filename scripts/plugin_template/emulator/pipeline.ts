/**
 * The pipeline every POST of the template API goes through: authentication, the idempotency key, replay of a
 * stored answer, then the handler, whose answer is stored under the key. A rejection (400, 404) is not stored,
 * so its key stays usable, as the API documents.
 * @module
 */
import { createIdempotencyStore, MAX_KEY_LENGTH, type StoredAnswer } from "./idempotency.ts";
import { isObject, type Json } from "./validation.ts";

/** What a handler decided: a rejection is not stored under the idempotency key; an answer is. */
export type Handled =
  | { readonly kind: "rejected"; readonly status: number; readonly code: string; readonly message: string }
  | { readonly kind: "answered"; readonly answer: StoredAnswer };

export type Handler<A> = (account: A, body: Json) => Handled;

export function rejected(status: number, code: string, message: string): Handled {
  return { kind: "rejected", status, code, message };
}

export function answered(body: Json): Handled {
  return { kind: "answered", answer: { status: 200, body } };
}

export interface Pipeline<A> {
  /** The account of the request's `Authorization: Bearer <apiKey>`, if any. */
  accountOf(request: Request): A | undefined;
  /** Serves one POST through authentication, idempotency and the handler. */
  serve(request: Request, handler: Handler<A>): Promise<Response>;
}

export function createPipeline<A extends { readonly apiKey: string }>(accounts: readonly A[]): Pipeline<A> {
  const byKey = new Map(accounts.map((account) => [account.apiKey, account]));
  const idempotency = createIdempotencyStore();

  function accountOf(request: Request): A | undefined {
    const match = /^Bearer (\S+)$/.exec(request.headers.get("authorization") ?? "");
    return match === null ? undefined : byKey.get(match[1]);
  }

  async function serve(request: Request, handler: Handler<A>): Promise<Response> {
    const account = accountOf(request);
    if (account === undefined) return error(401, "unauthorized", "Unknown API key");
    const key = request.headers.get("idempotency-key");
    if (key === null || key.length > MAX_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
      return error(
        400,
        "invalid_request",
        `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} visible characters`,
      );
    }
    // Replay-only never claims the key: a request that asks what happened cannot make anything happen.
    const replayOnly = request.headers.get("idempotency-replay-only") === "true";
    const state = replayOnly
      ? idempotency.lookup(account.apiKey, key)
      : idempotency.claim(account.apiKey, key);
    if (state.kind === "stored") {
      return json(state.answer.status, state.answer.body, { "Idempotent-Replayed": "true" });
    }
    if (state.kind === "in_progress") {
      return error(409, "idempotency_key_in_use", "This key is being processed");
    }
    if (replayOnly) return error(404, "idempotency_key_not_found", "Nothing is stored for this key");
    let body: unknown;
    try {
      body = JSON.parse(await request.text());
    } catch {
      body = undefined;
    }
    const handled = isObject(body)
      ? handler(account, body)
      : rejected(400, "invalid_request", "The body is not JSON");
    if (handled.kind === "rejected") {
      idempotency.release(account.apiKey, key);
      return error(handled.status, handled.code, handled.message);
    }
    idempotency.complete(account.apiKey, key, handled.answer);
    return json(handled.answer.status, handled.answer.body);
  }

  return { accountOf, serve };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function error(status: number, code: string, message: string): Response {
  return json(status, { error: { code, message } });
}
