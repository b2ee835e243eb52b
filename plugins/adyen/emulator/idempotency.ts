/**
 * Adyen's idempotency as documented at docs.adyen.com/development-resources/api-idempotency: a key names one
 * request for the whole account, whatever the endpoint; the first answer is replayed for every later request
 * with the key, whatever its body; a key whose request is still being processed gets a transient error.
 * Validation errors are not stored, so the key stays usable. The keys live in the emulator's store (store.ts).
 * @module
 */

/** An answer as it was (or would have been) sent: HTTP status and JSON body. */
export interface StoredAnswer {
  readonly status: number;
  readonly body: unknown;
}

export type KeyClaim =
  /** This request owns the key: `token` completes or releases it. */
  | { readonly kind: "new"; readonly token: string }
  | { readonly kind: "in_progress" }
  | { readonly kind: "replay"; readonly answer: StoredAnswer };

/** Adyen's documented maximum length of an idempotency key. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 64;

/**
 * How long a key may stay in progress before another request may take it over: only a request whose process
 * died between claiming the key and storing its answer stays in progress that long, and as the answer and the
 * state it describes are stored in one transaction, that request changed nothing.
 */
export const DEFAULT_IDEMPOTENCY_LEASE_MS = 5_000;

/** The scope of the keys of an API key, as stored: its SHA-256 in hex, so that no store holds the API key. */
export async function idempotencyScope(apiKey: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(apiKey));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export function newClaimToken(): string {
  return crypto.randomUUID();
}
