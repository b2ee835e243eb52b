/**
 * Where the emulator keeps its state: idempotency keys with their stored answers, payments (with their 3D
 * Secure challenge and redirect result, and the ledger of their modifications) and the token vault. Two
 * implementations: in memory (memory_store.ts, the default, for tests and the conformance kit) and over SQL
 * (sql_store.ts, dev mode: durable across a crash, and shared by every process on the same database).
 * Notification delivery is not state: it stays with the process that handled the request.
 * @module
 */
import type { KeyClaim, StoredAnswer } from "./idempotency.ts";
import type { PaymentRecord } from "./ledger.ts";
import type { StoredPaymentMethodRecord, StoreRequest, StoreResult } from "./vault.ts";

export interface AdyenEmulatorStore {
  /**
   * Claims an idempotency key of `scope` (the hash of an API key). The first claim wins atomically, across
   * processes: "new" with a token that completes or releases the key. A key whose answer is stored is
   * "replay"; one claimed less than `leaseMs` ago and not answered is "in_progress"; one claimed longer ago
   * and never answered (its process died) is taken over, as "new".
   */
  claimKey(scope: string, key: string, leaseMs: number): Promise<KeyClaim>;
  /** Gives a key claimed with `token` back unanswered, so it can be used again; a no-op once answered. */
  releaseKey(scope: string, key: string, token: string): Promise<void>;
  /**
   * Runs `work` atomically: every write commits together or none does, and a payment locked by one
   * transaction is not read by another (of any process) for update until the first ends. Returns what `work`
   * returns; throws what it throws, writing nothing.
   */
  transaction<T>(work: (tx: EmulatorTransaction) => Promise<T>): Promise<T>;
  /** The payment a 3D Secure challenge page belongs to. */
  paymentByChallenge(challengeId: string): Promise<PaymentRecord | undefined>;
  /** Every payment, in booking order. */
  payments(): Promise<PaymentRecord[]>;
  /** How many payments were booked with this merchant reference (every /payments that charged). */
  chargeCount(merchantReference: string): Promise<number>;
  /** Every token in the vault, in order of creation. */
  storedPaymentMethods(): Promise<StoredPaymentMethodRecord[]>;
  /** The vault's fingerprint of a card number (a keyed hash that is the same for every user of the store). */
  cardFingerprint(number: string): Promise<string>;
}

export interface EmulatorTransaction {
  /**
   * Stores the answer of the key claimed with `token`, with the writes it describes; false (and nothing
   * stored) when the claim is no longer this token's, because it was taken over.
   */
  completeKey(scope: string, key: string, token: string, answer: StoredAnswer): Promise<boolean>;
  insertPayment(payment: PaymentRecord): Promise<void>;
  /** The payment, locked for update until the transaction ends. */
  lockPayment(pspReference: string): Promise<PaymentRecord | undefined>;
  lockPaymentByChallenge(challengeId: string): Promise<PaymentRecord | undefined>;
  lockPaymentByRedirectResult(redirectResult: string): Promise<PaymentRecord | undefined>;
  /** Saves a payment read with one of the lock methods (its challenge id and redirect result included). */
  updatePayment(payment: PaymentRecord): Promise<void>;
  /** The tokens of a shopper under a merchant account, in order of creation. */
  shopperTokens(merchantAccount: string, shopperReference: string): Promise<StoredPaymentMethodRecord[]>;
  /**
   * Stores a card for a shopper: a new token ("created"), or the shopper's token for the same card
   * (fingerprint) with the new expiry ("updated" or "alreadyExisting"). Atomic across processes.
   */
  storeToken(request: StoreRequest): Promise<StoreResult>;
  /** Deletes a token of this shopper; false when there is none to delete. */
  removeToken(merchantAccount: string, shopperReference: string, id: string): Promise<boolean>;
}
