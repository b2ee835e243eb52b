/**
 * What the emulator's handlers share: its public URL, state, idempotency keys, lifecycle and settings.
 * @module
 */
import type { EmulatorState, IdempotencyStore } from "../../kit/emulator/mod.ts";
import type { Lifecycle } from "./lifecycle.ts";

export interface EmulatorContext {
  /** Absolute URL the emulator is reached at, its prefix included, without a trailing slash. */
  readonly publicUrl: string;
  readonly state: EmulatorState;
  readonly keys: IdempotencyStore;
  readonly lifecycle: Lifecycle;
  readonly now: () => number;
  /** How long an open payment stays payable. */
  readonly expireAfterMs: number;
  /** How long a refund stays queued before it is decided. */
  readonly refundAfterMs: number;
  /** Whether refunds created now end failed instead of refunded. */
  refundsFail(): boolean;
}

/** An authenticated caller: the SHA-256 of its API key, and its profile. */
export interface Caller {
  readonly account: string;
  readonly profileId: string;
}
