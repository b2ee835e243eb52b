/**
 * One request's work under an idempotency key: decided in one state transaction, its answer stored under the
 * key together with its writes, or (a rejection) nothing written and the key given back.
 * @module
 */
import { ClaimLostError, type IdempotencyStore, type OwnedKey, type StoredAnswer } from "./idempotency.ts";
import type { EmulatorState, StateTransaction } from "./state.ts";

export type Decision<E = undefined> =
  /** Stored under the key (when the request has one) and committed with the transaction's writes. */
  | { readonly kind: "answer"; readonly answer: StoredAnswer; readonly extra?: E }
  /** Not stored: the transaction's writes are discarded and the key is given back (validation errors). */
  | { readonly kind: "reject"; readonly answer: StoredAnswer };

export type Settled<E = undefined> =
  | { readonly kind: "answered"; readonly answer: StoredAnswer; readonly extra?: E }
  | { readonly kind: "rejected"; readonly answer: StoredAnswer }
  /** The key was taken over while this request worked: the other request's answer, or still in progress. */
  | { readonly kind: "replay"; readonly answer: StoredAnswer }
  | { readonly kind: "in_progress" }
  | { readonly kind: "conflict" };

/** Carries a rejection out of the transaction, so that the transaction rolls back. */
class Rejected extends Error {
  constructor(readonly answer: StoredAnswer) {
    super("Rejected");
  }
}

/**
 * Runs `work` in one transaction of `state`. An answer is stored under `owned` (when given) in the same
 * transaction; a rejection rolls the transaction back and releases the key; a thrown error releases the key
 * and is thrown again.
 */
export async function answerOnce<E>(
  state: EmulatorState,
  keys: IdempotencyStore,
  owned: OwnedKey | undefined,
  work: (tx: StateTransaction) => Promise<Decision<E>> | Decision<E>,
): Promise<Settled<E>> {
  try {
    const decided = await state.transaction(async (tx) => {
      const decision = await work(tx);
      if (decision.kind === "reject") throw new Rejected(decision.answer);
      if (owned !== undefined) keys.complete(tx, owned, decision.answer);
      return decision;
    });
    return { kind: "answered", answer: decided.answer, extra: decided.extra };
  } catch (error) {
    if (error instanceof Rejected) {
      if (owned !== undefined) keys.release(owned);
      return { kind: "rejected", answer: error.answer };
    }
    if (error instanceof ClaimLostError && owned !== undefined) return settleLostClaim(keys, owned);
    if (owned !== undefined) keys.release(owned);
    throw error;
  }
}

/** Another request took the key over (this one looked dead): answer as that request's answer stands now. */
function settleLostClaim<E>(keys: IdempotencyStore, owned: OwnedKey): Settled<E> {
  const again = keys.claim({ scope: owned.scope, key: owned.key, fingerprint: owned.fingerprint });
  if (again.kind !== "new") return again;
  keys.release(again.owned);
  return { kind: "in_progress" };
}
