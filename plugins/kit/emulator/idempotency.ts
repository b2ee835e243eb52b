/**
 * Idempotency keys as PSPs keep them: a key names one request within a scope (an API key, a client id). The
 * first answer stored under it is the answer to every later request with the key; a key whose request is
 * still being processed is "in progress"; a rejected request (a validation error, a 4xx the PSP does not
 * store) gives the key back, so that a later request with it is processed afresh.
 *
 * Answers are stored in the emulator's state in the same transaction as the writes they describe, so an
 * answer and its payment commit together or not at all. Claims (requests in flight) live in memory only: one
 * process owns the state, and after a restart no request of the old process is still in flight.
 *
 * Some PSPs (PayPal, Mollie) refuse a key reused with another request body; others (Adyen) replay the first
 * answer whatever the body. `detectConflicts` chooses: with it, each claim carries a fingerprint of its
 * request (requestFingerprint), and a different fingerprint under a used key is a `conflict`.
 * @module
 */
import type { EmulatorState, StateTransaction } from "./state.ts";

/** An answer as it was (or would have been) sent. */
export interface StoredAnswer {
  readonly status: number;
  readonly body: unknown;
  /** Headers to send again with a replay (the PSP's own, such as a request id). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface KeyRequest {
  readonly scope: string;
  readonly key: string;
  /** What identifies the request's content; required when the store detects conflicts. */
  readonly fingerprint?: string;
}

/** A key this request owns until it completes or releases it. */
export interface OwnedKey extends KeyRequest {
  readonly token: string;
}

export type KeyClaim =
  | { readonly kind: "new"; readonly owned: OwnedKey }
  | { readonly kind: "replay"; readonly answer: StoredAnswer }
  /** Claimed by a request that has not answered yet, less than the lease ago. */
  | { readonly kind: "in_progress" }
  /** Used (answered or in progress) by a request with another fingerprint; only with detectConflicts. */
  | { readonly kind: "conflict" };

export interface IdempotencyOptions {
  /** Answer a used key with another fingerprint as a conflict instead of replaying (default false). */
  readonly detectConflicts?: boolean;
  /**
   * How long a claim holds before another request may take the key over (default 5000 ms). Only a request
   * that hangs (a body that never finishes) holds a key that long; its late answer is then not stored.
   */
  readonly leaseMs?: number;
  /** The state table of stored answers (default "idempotency"). */
  readonly table?: string;
  readonly now?: () => number;
}

export interface IdempotencyStore {
  claim(request: KeyRequest): KeyClaim;
  /**
   * Stores the answer of an owned key in `tx`, to commit with the request's writes. Throws ClaimLostError
   * when the key is no longer this request's (taken over after its lease, or answered meanwhile).
   */
  complete(tx: StateTransaction, owned: OwnedKey, answer: StoredAnswer): void;
  /** Gives an owned key back unanswered; a no-op when it is no longer this request's. */
  release(owned: OwnedKey): void;
}

/** The claim of a key was lost before its answer was stored: the request's writes must be rolled back. */
export class ClaimLostError extends Error {
  constructor() {
    super("Cannot store the answer as the idempotency key is no longer claimed by this request");
    this.name = "ClaimLostError";
  }
}

interface StoredEntry {
  readonly fingerprint?: string;
  readonly answer: StoredAnswer;
}

interface Claim {
  readonly token: string;
  readonly claimedAt: number;
  readonly fingerprint?: string;
}

export const DEFAULT_IDEMPOTENCY_LEASE_MS = 5_000;

export function createIdempotencyStore(
  state: EmulatorState,
  options: IdempotencyOptions = {},
): IdempotencyStore {
  const table = options.table ?? "idempotency";
  const leaseMs = options.leaseMs ?? DEFAULT_IDEMPOTENCY_LEASE_MS;
  const now = options.now ?? Date.now;
  const detectConflicts = options.detectConflicts ?? false;
  const claims = new Map<string, Claim>();
  // JSON of a pair: neither part can run into the other.
  const idOf = (request: KeyRequest) => JSON.stringify([request.scope, request.key]);

  function differs(fingerprint: string | undefined, request: KeyRequest): boolean {
    return detectConflicts && fingerprint !== request.fingerprint;
  }

  return {
    claim(request) {
      if (detectConflicts && request.fingerprint === undefined) {
        throw new TypeError("Cannot claim a key without a fingerprint when conflicts are detected");
      }
      const id = idOf(request);
      const stored = state.read((view) => view.get<StoredEntry>(table, id));
      if (stored !== undefined) {
        return differs(stored.fingerprint, request)
          ? { kind: "conflict" }
          : { kind: "replay", answer: stored.answer };
      }
      const claim = claims.get(id);
      if (claim !== undefined && now() - claim.claimedAt < leaseMs) {
        return differs(claim.fingerprint, request) ? { kind: "conflict" } : { kind: "in_progress" };
      }
      const token = crypto.randomUUID();
      claims.set(id, { token, claimedAt: now(), fingerprint: request.fingerprint });
      return { kind: "new", owned: { ...request, token } };
    },
    complete(tx, owned, answer) {
      const id = idOf(owned);
      if (claims.get(id)?.token !== owned.token || tx.get(table, id) !== undefined) {
        throw new ClaimLostError();
      }
      const entry: StoredEntry = { fingerprint: owned.fingerprint, answer };
      tx.put(table, id, entry);
      tx.afterCommit(() => {
        if (claims.get(id)?.token === owned.token) claims.delete(id);
      });
    },
    release(owned) {
      const id = idOf(owned);
      if (claims.get(id)?.token === owned.token) claims.delete(id);
    },
  };
}

/** The scope of a secret (an API key) as stored: its SHA-256 in hex, so that no state holds the secret. */
export async function idempotencyScope(secret: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret)));
}

/** A fingerprint of a request's parts (method, path, body text): SHA-256 in hex of their JSON. */
export async function requestFingerprint(parts: readonly string[]): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(parts))));
}

function hex(digest: ArrayBuffer): string {
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
