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

/** A claim given back without an attempt, due again at `at`. */
export interface Release {
  readonly entry: OutboxEntry;
  readonly at: number;
}

/** One delivery attempt of a claimed entry, with what it means for the entry. */
export interface RecordedAttempt {
  readonly entry: OutboxEntry;
  readonly attempt: DeliveryAttempt;
  readonly decision: DeliveryDecision;
}

/** What one claim within the rate limit took: the entries to send now, out of how many were due. */
export interface SendableClaim {
  readonly sendable: readonly OutboxEntry[];
  /** Due entries the claim looked at (sendable and held back): a claim of `limit` means more may be due. */
  readonly due: number;
}

/** The callback outbox, shared by every gateway process through row claims. */
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
  /**
   * Releases claims without an attempt (rate limited, shutting down), each to be tried again at its `at`; one
   * round trip for the lot.
   */
  release(releases: readonly Release[]): Promise<void>;
  /**
   * Takes tokens from several shops' buckets at once (each a burst of `burst`, refilled at `perSecond`): up to
   * `wanted.get(shop)` from each, and returns how many each got. Shared by every process; one round trip
   * however many shops it names. The bucket alone: the worker's passes take their tokens in claimSendable.
   */
  takeTokens(now: number, rate: RateLimit, wanted: ReadonlyMap<string, number>): Promise<Map<string, number>>;
  /**
   * claimDue, takeTokens and release together, atomically: claims up to `limit` due entries, takes each shop's
   * tokens for them, and gives back what a shop's bucket cannot cover, each held entry due again when the
   * bucket will have a token for it (in the shop's order, one `1 / perSecond` apart). Only the sendable
   * entries stay claimed. The outbox worker's pass starts with this: one round trip instead of three.
   */
  claimSendable(now: number, leaseMs: number, limit: number, rate: RateLimit): Promise<SendableClaim>;
  listDead(limit: number): Promise<readonly DeadLetter[]>;
  /** Puts a dead letter back in the queue, due now; false when there is no such dead letter. */
  redrive(shop: string, seq: number, now: number): Promise<boolean>;
}
