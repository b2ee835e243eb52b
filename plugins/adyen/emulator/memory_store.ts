/**
 * The emulator's state in process memory, the default: fast and private to one emulator, gone when the process
 * ends. Transactions run one at a time and are undone when their work throws; everything stored is a copy, so
 * that a record changed by the emulator changes the store only when it is saved.
 * @module
 */
import { type KeyClaim, newClaimToken, type StoredAnswer } from "./idempotency.ts";
import type { PaymentRecord } from "./ledger.ts";
import { newPspReference } from "./references.ts";
import type { AdyenEmulatorStore, EmulatorTransaction } from "./store.ts";
import {
  fingerprint,
  newFingerprintKey,
  restore,
  type StoredPaymentMethodRecord,
  type StoreResult,
} from "./vault.ts";

interface KeyEntry {
  readonly token: string;
  readonly claimedAt: number;
  readonly answer?: StoredAnswer;
}

export function memoryEmulatorStore(): AdyenEmulatorStore {
  const keys = new Map<string, KeyEntry>();
  const payments = new Map<string, PaymentRecord>();
  const challenges = new Map<string, string>();
  const redirectResults = new Map<string, string>();
  const charges = new Map<string, number>();
  const tokens = new Map<string, StoredPaymentMethodRecord>();
  const fingerprintKey = newFingerprintKey();
  // A NUL cannot appear in an HTTP header value, so scope and key cannot run into each other.
  const keyId = (scope: string, key: string) => `${scope}\u0000${key}`;

  let tail: Promise<unknown> = Promise.resolve();
  /** Runs `task` after every task queued before it: transactions and reads never interleave. */
  function exclusive<T>(task: () => T | Promise<T>): Promise<T> {
    const run = tail.then(task);
    tail = run.then(() => {}, () => {});
    return run;
  }

  const copy = <T>(value: T): T => structuredClone(value);

  function ofShopper(merchantAccount: string, shopperReference: string): StoredPaymentMethodRecord[] {
    return [...tokens.values()].filter((record) =>
      record.merchantAccount === merchantAccount && record.shopperReference === shopperReference
    );
  }

  return {
    claimKey(scope, key, leaseMs) {
      return exclusive((): KeyClaim => {
        const entry = keys.get(keyId(scope, key));
        if (entry?.answer !== undefined) return { kind: "replay", answer: copy(entry.answer) };
        if (entry !== undefined && Date.now() - entry.claimedAt < leaseMs) return { kind: "in_progress" };
        const token = newClaimToken();
        keys.set(keyId(scope, key), { token, claimedAt: Date.now() });
        return { kind: "new", token };
      });
    },
    releaseKey(scope, key, token) {
      return exclusive(() => {
        const entry = keys.get(keyId(scope, key));
        if (entry?.token === token && entry.answer === undefined) keys.delete(keyId(scope, key));
      });
    },
    transaction(work) {
      return exclusive(async () => {
        const undo: (() => void)[] = [];
        /** Sets `id` in `map`, remembering how to put the previous value back. */
        const put = <V>(map: Map<string, V>, id: string, value: V | undefined) => {
          const had = map.has(id);
          const before = map.get(id);
          undo.push(() => had ? map.set(id, before as V) : map.delete(id));
          if (value === undefined) map.delete(id);
          else map.set(id, value);
        };
        const indexPayment = (payment: PaymentRecord) => {
          if (payment.challengeId !== undefined) put(challenges, payment.challengeId, payment.pspReference);
          if (payment.redirectResult !== undefined) {
            put(redirectResults, payment.redirectResult, payment.pspReference);
          }
        };
        const byIndex = (index: Map<string, string>, id: string) => {
          const pspReference = index.get(id);
          const payment = pspReference === undefined ? undefined : payments.get(pspReference);
          return payment === undefined ? undefined : copy(payment);
        };
        const tx: EmulatorTransaction = {
          completeKey(scope, key, token, answer) {
            const entry = keys.get(keyId(scope, key));
            if (entry?.token !== token || entry.answer !== undefined) return Promise.resolve(false);
            put(keys, keyId(scope, key), { ...entry, answer: copy(answer) });
            return Promise.resolve(true);
          },
          insertPayment(payment) {
            if (payments.has(payment.pspReference)) {
              return Promise.reject(new Error("Cannot book a payment twice under one pspReference"));
            }
            put(payments, payment.pspReference, copy(payment));
            put(charges, payment.merchantReference, (charges.get(payment.merchantReference) ?? 0) + 1);
            indexPayment(payment);
            return Promise.resolve();
          },
          lockPayment(pspReference) {
            const payment = payments.get(pspReference);
            return Promise.resolve(payment === undefined ? undefined : copy(payment));
          },
          lockPaymentByChallenge: (challengeId) => Promise.resolve(byIndex(challenges, challengeId)),
          lockPaymentByRedirectResult: (redirectResult) =>
            Promise.resolve(byIndex(redirectResults, redirectResult)),
          updatePayment(payment) {
            if (!payments.has(payment.pspReference)) {
              return Promise.reject(new Error("Cannot update a payment that was never booked"));
            }
            put(payments, payment.pspReference, copy(payment));
            indexPayment(payment);
            return Promise.resolve();
          },
          shopperTokens(merchantAccount, shopperReference) {
            return Promise.resolve(ofShopper(merchantAccount, shopperReference).map(copy));
          },
          storeToken(request) {
            const existing = ofShopper(request.merchantAccount, request.shopperReference)
              .find((record) => record.card.fingerprint === request.card.fingerprint);
            let result: StoreResult;
            if (existing !== undefined) {
              result = restore(existing, request.card);
            } else {
              let id = newPspReference();
              while (tokens.has(id)) id = newPspReference();
              result = {
                record: {
                  id,
                  merchantAccount: request.merchantAccount,
                  shopperReference: request.shopperReference,
                  recurringProcessingModel: request.recurringProcessingModel,
                  card: request.card,
                },
                operation: "created",
              };
            }
            put(tokens, result.record.id, copy(result.record));
            return Promise.resolve(copy(result));
          },
          removeToken(merchantAccount, shopperReference, id) {
            const record = tokens.get(id);
            if (record?.merchantAccount !== merchantAccount || record.shopperReference !== shopperReference) {
              return Promise.resolve(false);
            }
            put(tokens, id, undefined);
            return Promise.resolve(true);
          },
        };
        try {
          return await work(tx);
        } catch (error) {
          for (const step of undo.reverse()) step();
          throw error;
        }
      });
    },
    paymentByChallenge(challengeId) {
      return exclusive(() => {
        const pspReference = challenges.get(challengeId);
        const payment = pspReference === undefined ? undefined : payments.get(pspReference);
        return payment === undefined ? undefined : copy(payment);
      });
    },
    payments() {
      return exclusive(() => [...payments.values()].map(copy));
    },
    chargeCount(merchantReference) {
      return exclusive(() => charges.get(merchantReference) ?? 0);
    },
    storedPaymentMethods() {
      return exclusive(() => [...tokens.values()].map(copy));
    },
    cardFingerprint(number) {
      return fingerprint(fingerprintKey, number);
    },
  };
}
