/**
 * Adyen's idempotency as documented at docs.adyen.com/development-resources/api-idempotency: a key names one
 * request for the whole account, whatever the endpoint; the first answer is replayed for every later request
 * with the key, whatever its body; a key whose request is still being processed gets a transient error.
 * Validation errors are not stored, so the key stays usable.
 * @module
 */

/** An answer as it was (or would have been) sent: HTTP status and JSON body. */
export interface StoredAnswer {
  readonly status: number;
  readonly body: unknown;
}

export type KeyClaim =
  | { readonly kind: "new" }
  | { readonly kind: "in_progress" }
  | { readonly kind: "replay"; readonly answer: StoredAnswer };

export interface IdempotencyStore {
  /** Claims `key` within `scope` (the API key), or reports why it cannot be processed again. */
  claim(scope: string, key: string): KeyClaim;
  /** Stores the answer of a claimed key; every later claim replays it. */
  complete(scope: string, key: string, answer: StoredAnswer): void;
  /** Gives a claimed key back unanswered (validation errors), so it can be used again. */
  release(scope: string, key: string): void;
}

/** Adyen's documented maximum length of an idempotency key. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 64;

export function createIdempotencyStore(): IdempotencyStore {
  const entries = new Map<string, { answer?: StoredAnswer }>();
  // A NUL cannot appear in an HTTP header value, so scope and key cannot run into each other.
  const id = (scope: string, key: string) => `${scope}\u0000${key}`;
  return {
    claim(scope, key) {
      const entry = entries.get(id(scope, key));
      if (entry === undefined) {
        entries.set(id(scope, key), {});
        return { kind: "new" };
      }
      return entry.answer === undefined ? { kind: "in_progress" } : { kind: "replay", answer: entry.answer };
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
