/**
 * The emulator's token vault: Adyen's tokenization as documented at docs.adyen.com/online-payments/tokenization.
 * A token (storedPaymentMethodId) belongs to one merchant account and one shopperReference and stands for one
 * card. Storing the same card again for the same shopper returns the same token (`alreadyExisting`, or
 * `updated` when the expiry date changed), as `tokenization.store.operationType` describes.
 *
 * The vault keeps what a later payment with the token needs to behave like the card (brand, last four digits,
 * expiry and the contract's test-card behaviour) and a keyed fingerprint of the number to recognise the same
 * card again; never the number itself, the holder name or a CVC, so the emulator's state file (dev mode) holds
 * no card data. Tokens are random: they carry nothing of the card.
 * @module
 */
import type { StateTransaction, StateView } from "../../kit/emulator/mod.ts";
import { fromHex, hmacSha256, toHex } from "../../kit/mod.ts";
import { newPspReference } from "./references.ts";
import { contractNotFound, paymentDetailNotFound, type ServiceError } from "./service_error.ts";
import type { CardBehaviour } from "./test_cards.ts";
import type { RecurringProcessingModel } from "./validation.ts";

/** The card as the vault keeps it: no number, no holder name, no CVC. */
export interface VaultedCard {
  /** HMAC-SHA256 of the card number under the store's fingerprint key, in hex. */
  readonly fingerprint: string;
  readonly brand: string;
  readonly lastFour: string;
  readonly expiryMonth: number;
  readonly expiryYear: number;
  /** What the contract's test-card table makes of the number (test_cards.ts). */
  readonly behaviour: CardBehaviour;
}

export interface StoredPaymentMethodRecord {
  readonly id: string;
  readonly merchantAccount: string;
  readonly shopperReference: string;
  readonly recurringProcessingModel: RecurringProcessingModel;
  readonly card: VaultedCard;
}

/** `tokenization.store.operationType` of Checkout API v71 (ResponseAdditionalDataCommon). */
export type StoreOperation = "created" | "updated" | "alreadyExisting";

export interface StoreRequest {
  readonly merchantAccount: string;
  readonly shopperReference: string;
  readonly recurringProcessingModel: RecurringProcessingModel;
  readonly card: VaultedCard;
}

export interface StoreResult {
  readonly record: StoredPaymentMethodRecord;
  readonly operation: StoreOperation;
}

/** A stored payment method as tests and the demo may see it: no card number. */
export interface StoredPaymentMethodSummary {
  readonly id: string;
  readonly merchantAccount: string;
  readonly shopperReference: string;
  readonly brand: string;
  readonly lastFour: string;
  readonly expiryMonth: string;
  readonly expiryYear: string;
}

export type Resolution =
  | { readonly ok: true; readonly record: StoredPaymentMethodRecord }
  | { readonly ok: false; readonly error: ServiceError };

/**
 * The token for a payment, among the tokens of its shopper under its merchant account. No token of this shopper
 * answers 800 "Contract not found"; a token that is not this shopper's (unknown, deleted, another shopper's or
 * another merchant account's) answers 803 "PaymentDetail not found".
 */
export function resolveToken(ofShopper: readonly StoredPaymentMethodRecord[], id: string): Resolution {
  if (ofShopper.length === 0) return { ok: false, error: contractNotFound() };
  const record = ofShopper.find((candidate) => candidate.id === id);
  return record === undefined ? { ok: false, error: paymentDetailNotFound() } : { ok: true, record };
}

const TOKENS = "stored_payment_methods";
const META = "vault_meta";

/** The tokens of a shopper under a merchant account, in order of creation. */
export function shopperTokens(
  view: StateView,
  merchantAccount: string,
  shopperReference: string,
): StoredPaymentMethodRecord[] {
  return allTokens(view).filter((record) =>
    record.merchantAccount === merchantAccount && record.shopperReference === shopperReference
  );
}

/** Every token, in order of creation. */
export function allTokens(view: StateView): StoredPaymentMethodRecord[] {
  return view.list<StoredPaymentMethodRecord>(TOKENS);
}

/**
 * Stores a card for a shopper: a new token ("created"), or the shopper's token for the same card
 * (fingerprint) with the new expiry ("updated" or "alreadyExisting").
 */
export function storeToken(tx: StateTransaction, request: StoreRequest): StoreResult {
  const existing = shopperTokens(tx, request.merchantAccount, request.shopperReference)
    .find((record) => record.card.fingerprint === request.card.fingerprint);
  let result: StoreResult;
  if (existing !== undefined) {
    result = restore(existing, request.card);
  } else {
    let id = newPspReference();
    while (tx.get(TOKENS, id) !== undefined) id = newPspReference();
    const { merchantAccount, shopperReference, recurringProcessingModel, card } = request;
    result = {
      record: { id, merchantAccount, shopperReference, recurringProcessingModel, card },
      operation: "created",
    };
  }
  tx.put(TOKENS, result.record.id, result.record);
  return result;
}

/** Deletes a token of this shopper; false when there is none to delete. */
export function removeToken(
  tx: StateTransaction,
  merchantAccount: string,
  shopperReference: string,
  id: string,
): boolean {
  const record = tx.get<StoredPaymentMethodRecord>(TOKENS, id);
  if (record?.merchantAccount !== merchantAccount || record.shopperReference !== shopperReference) {
    return false;
  }
  tx.delete(TOKENS, id);
  return true;
}

/**
 * The vault's fingerprint of a card number: HMAC-SHA256 under a key of the vault's own, made at the first use
 * and kept in the state, so that the same card is recognised after a restart.
 */
export async function cardFingerprint(tx: StateTransaction, number: string): Promise<string> {
  let keyHex = tx.get<string>(META, "fingerprint_key");
  if (keyHex === undefined) {
    keyHex = toHex(crypto.getRandomValues(new Uint8Array(32)));
    tx.put(META, "fingerprint_key", keyHex);
  }
  return toHex(await hmacSha256(fromHex(keyHex)!, number));
}

/** Storing a card the shopper already has: the same token, its expiry brought up to date. */
export function restore(existing: StoredPaymentMethodRecord, card: VaultedCard): StoreResult {
  const same = existing.card.expiryMonth === card.expiryMonth && existing.card.expiryYear === card.expiryYear;
  return { record: { ...existing, card }, operation: same ? "alreadyExisting" : "updated" };
}

export function summarise(record: StoredPaymentMethodRecord): StoredPaymentMethodSummary {
  return {
    id: record.id,
    merchantAccount: record.merchantAccount,
    shopperReference: record.shopperReference,
    brand: record.card.brand,
    lastFour: record.card.lastFour,
    expiryMonth: String(record.card.expiryMonth).padStart(2, "0"),
    expiryYear: String(record.card.expiryYear),
  };
}
