/**
 * The template API's idempotency: a key names one request per API key, whatever the path or body. The first
 * answer is stored and replayed for every later request with the key; a key whose first request is still
 * being processed gets 409. Validation and authentication errors are not stored, so the key stays usable.
 * @module
 */

/** An answer as it was (or would have been) sent. */
export interface StoredAnswer {
  readonly status: number;
  readonly body: unknown;
}

export type KeyState =
  | { readonly kind: "new" }
  | { readonly kind: "in_progress" }
  | { readonly kind: "stored"; readonly answer: StoredAnswer };

export interface IdempotencyStore {
  /** The key's state; `claim` also takes a new key for this request. */
  lookup(scope: string, key: string): KeyState;
  claim(scope: string, key: string): KeyState;
  /** Stores the answer of a claimed key; every later request with the key gets it. */
  complete(scope: string, key: string, answer: StoredAnswer): void;
  /** Gives a claimed key back unanswered (validation errors), so it can be used again. */
  release(scope: string, key: string): void;
}

export const MAX_KEY_LENGTH = 255;

export function createIdempotencyStore(): IdempotencyStore {
  const entries = new Map<string, { answer?: StoredAnswer }>();
  // A NUL cannot appear in an HTTP header value, so scope and key cannot run into each other.
  const id = (scope: string, key: string) => `${scope}\u0000${key}`;
  function lookup(scope: string, key: string): KeyState {
    const entry = entries.get(id(scope, key));
    if (entry === undefined) return { kind: "new" };
    return entry.answer === undefined ? { kind: "in_progress" } : { kind: "stored", answer: entry.answer };
  }
  return {
    lookup,
    claim(scope, key) {
      const state = lookup(scope, key);
      if (state.kind === "new") entries.set(id(scope, key), {});
      return state;
    },
    complete(scope, key, answer) {
      entries.set(id(scope, key), { answer: structuredClone(answer) });
    },
    release(scope, key) {
      const entry = entries.get(id(scope, key));
      if (entry !== undefined && entry.answer === undefined) entries.delete(id(scope, key));
    },
  };
}
