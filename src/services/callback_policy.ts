import type { DeliveryDecision } from "../ports/outbox_store.ts";

/** When to give up and how to back off; contract section 6 gives the defaults. */
export interface CallbackPolicy {
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  /** Retrying stops this long after the result was queued. */
  readonly giveUpAfterMs: number;
}

export const DEFAULT_CALLBACK_POLICY: CallbackPolicy = {
  firstDelayMs: 1_000,
  maxDelayMs: 10 * 60_000,
  giveUpAfterMs: 72 * 3_600_000,
};

/** How Genstore's answer to a callback attempt classifies. */
export type AttemptResult =
  | { readonly kind: "status"; readonly status: number }
  | { readonly kind: "network_error" };

/** 408 Request Timeout, 429 Too Many Requests and 5xx are passing; other 4xx will not change by retrying. */
export function isTransient(result: AttemptResult): boolean {
  if (result.kind === "network_error") return true;
  return result.status === 408 || result.status === 429 || result.status >= 500;
}

/** 2xx is delivered; 409 means Genstore already holds this final result, which is delivered too. */
export function isDelivered(result: AttemptResult): boolean {
  return result.kind === "status" && ((result.status >= 200 && result.status < 300) || result.status === 409);
}

/**
 * Exponential backoff with full jitter: the n-th retry waits a random time up to firstDelay·2ⁿ⁻¹, capped.
 * @param random a number in [0, 1)
 */
export function backoffDelay(policy: CallbackPolicy, attempt: number, random: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.max(0, attempt - 1));
  // Half fixed, half jitter: never zero, and attempts still spread out.
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

/** What to do after an attempt numbered `attempt` (1 for the first). */
export function decideDelivery(
  policy: CallbackPolicy,
  result: AttemptResult,
  attempt: number,
  queuedAt: number,
  now: number,
  random: number,
): DeliveryDecision {
  if (isDelivered(result)) return { kind: "delivered" };
  if (!isTransient(result)) return { kind: "dead" };
  const at = now + backoffDelay(policy, attempt, random);
  return at - queuedAt > policy.giveUpAfterMs ? { kind: "dead" } : { kind: "retry", at };
}
