import type { CallbackMessage } from "../payment/operation.ts";

/** A queued callback, claimed by one worker at a time. */
export interface OutboxEntry {
  readonly shop: string;
  readonly seq: number;
  readonly message: CallbackMessage;
  /** Delivery attempts made before this one. */
  readonly attempts: number;
  readonly createdAt: number;
  /** Identifies this claim: only its holder may record an attempt or release it. */
  readonly claimToken: string;
}

export interface DeliveryAttempt {
  readonly at: number;
  readonly httpStatus?: number;
  readonly error?: string;
  readonly durationMs: number;
}

/** What to do with an entry after an attempt. */
export type DeliveryDecision =
  | { readonly kind: "delivered" }
  | { readonly kind: "retry"; readonly at: number }
  | { readonly kind: "dead" };

export interface DeadLetter {
  readonly shop: string;
  readonly seq: number;
  readonly kind: string;
  readonly targetId: string;
  readonly attempts: number;
  readonly lastStatus?: number;
  readonly lastError?: string;
  readonly createdAt: number;
}

/** Genstore's per-shop token bucket. */
export interface RateLimit {
  readonly burst: number;
  readonly perSecond: number;
}

/** The callback outbox, shared by every gateway process through row claims. */
/** One delivery attempt of a claimed entry, with what it means for the entry. */
export interface RecordedAttempt {
  readonly entry: OutboxEntry;
  readonly attempt: DeliveryAttempt;
  readonly decision: DeliveryDecision;
}

export interface OutboxStore {
  /**
   * Claims due entries for `leaseMs`: pending, due, not claimed by another worker, and with no earlier
   * pending entry of the same payment (callbacks of one payment go out in order).
   */
  claimDue(now: number, leaseMs: number, limit: number): Promise<readonly OutboxEntry[]>;
  /**
   * Records an attempt, and its consequence if the claim is still this worker's (a worker whose lease ran out
   * only adds its attempt to the history), then releases the claim.
   */
  recordAttempt(entry: OutboxEntry, attempt: DeliveryAttempt, decision: DeliveryDecision): Promise<void>;
  /** recordAttempt for a whole pass of the worker, in one transaction. */
  recordAttempts(results: readonly RecordedAttempt[]): Promise<void>;
  /** Releases a claim without an attempt (rate limited, shutting down), to be tried again at `at`. */
  release(entry: OutboxEntry, at: number): Promise<void>;
  /**
   * Takes up to `wanted` tokens from the shop's bucket (a burst of `burst`, refilled at `perSecond`) and
   * returns how many it got; shared by every process.
   */
  takeTokens(shop: string, now: number, rate: RateLimit, wanted: number): Promise<number>;
  listDead(limit: number): Promise<readonly DeadLetter[]>;
  /** Puts a dead letter back in the queue, due now; false when there is no such dead letter. */
  redrive(shop: string, seq: number, now: number): Promise<boolean>;
}
