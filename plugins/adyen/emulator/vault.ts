/**
 * The emulator's token vault: Adyen's tokenization as documented at docs.adyen.com/online-payments/tokenization.
 * A token (storedPaymentMethodId) belongs to one merchant account and one shopperReference and stands for one
 * card. Storing the same card again for the same shopper returns the same token (`alreadyExisting`, or
 * `updated` when the expiry date changed), as `tokenization.store.operationType` describes.
 *
 * The vault keeps the card number and expiry, as Adyen's vault does, so that a later payment with the token
 * behaves like the card (the contract's test cards still apply); it never keeps a CVC. Tokens are random: they
 * carry nothing of the card.
 * @module
 */
import { newPspReference } from "./references.ts";
import { contractNotFound, paymentDetailNotFound, type ServiceError } from "./service_error.ts";
import type { RecurringProcessingModel } from "./validation.ts";

/** The card as the vault keeps it: never a CVC. */
export interface VaultedCard {
  readonly number: string;
  readonly expiryMonth: number;
  readonly expiryYear: number;
  readonly holderName?: string;
}

export interface StoredPaymentMethodRecord {
  readonly id: string;
  readonly merchantAccount: string;
  readonly shopperReference: string;
  readonly brand: string;
  readonly recurringProcessingModel: RecurringProcessingModel;
  card: VaultedCard;
}

/** `tokenization.store.operationType` of Checkout API v71 (ResponseAdditionalDataCommon). */
export type StoreOperation = "created" | "updated" | "alreadyExisting";

export interface StoreRequest {
  readonly merchantAccount: string;
  readonly shopperReference: string;
  readonly recurringProcessingModel: RecurringProcessingModel;
  readonly card: VaultedCard;
  readonly brand: string;
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

export interface Vault {
  store(
    request: StoreRequest,
  ): { readonly record: StoredPaymentMethodRecord; readonly operation: StoreOperation };
  /**
   * The token for a payment. No token of this shopper under this merchant account answers 800 "Contract not
   * found"; a token that is not this shopper's (unknown, deleted, another shopper's or another merchant
   * account's) answers 803 "PaymentDetail not found".
   */
  resolve(merchantAccount: string, shopperReference: string, id: string): Resolution;
  /** Deletes a token of this shopper; false when there is none to delete. */
  remove(merchantAccount: string, shopperReference: string, id: string): boolean;
  list(): StoredPaymentMethodSummary[];
}

export function createVault(): Vault {
  const records = new Map<string, StoredPaymentMethodRecord>();

  function ofShopper(merchantAccount: string, shopperReference: string): StoredPaymentMethodRecord[] {
    return [...records.values()].filter((record) =>
      record.merchantAccount === merchantAccount && record.shopperReference === shopperReference
    );
  }

  return {
    store(request) {
      const card = vaultedCard(request.card);
      const existing = ofShopper(request.merchantAccount, request.shopperReference)
        .find((record) => record.card.number === card.number);
      if (existing !== undefined) {
        const same = existing.card.expiryMonth === card.expiryMonth &&
          existing.card.expiryYear === card.expiryYear;
        existing.card = card;
        return { record: existing, operation: same ? "alreadyExisting" : "updated" };
      }
      let id = newPspReference();
      while (records.has(id)) id = newPspReference();
      const record: StoredPaymentMethodRecord = {
        id,
        merchantAccount: request.merchantAccount,
        shopperReference: request.shopperReference,
        brand: request.brand,
        recurringProcessingModel: request.recurringProcessingModel,
        card,
      };
      records.set(id, record);
      return { record, operation: "created" };
    },
    resolve(merchantAccount, shopperReference, id) {
      const contract = ofShopper(merchantAccount, shopperReference);
      if (contract.length === 0) return { ok: false, error: contractNotFound() };
      const record = contract.find((candidate) => candidate.id === id);
      return record === undefined ? { ok: false, error: paymentDetailNotFound() } : { ok: true, record };
    },
    remove(merchantAccount, shopperReference, id) {
      const record = records.get(id);
      if (record?.merchantAccount !== merchantAccount || record.shopperReference !== shopperReference) {
        return false;
      }
      records.delete(id);
      return true;
    },
    list() {
      return [...records.values()].map(summarise);
    },
  };
}

export function summarise(record: StoredPaymentMethodRecord): StoredPaymentMethodSummary {
  return {
    id: record.id,
    merchantAccount: record.merchantAccount,
    shopperReference: record.shopperReference,
    brand: record.brand,
    lastFour: record.card.number.slice(-4),
    expiryMonth: String(record.card.expiryMonth).padStart(2, "0"),
    expiryYear: String(record.card.expiryYear),
  };
}

/** Only what the vault may keep of a card: never its CVC, whatever object it is given. */
export function vaultedCard(card: VaultedCard & { readonly cvc?: string }): VaultedCard {
  const kept: VaultedCard = {
    number: card.number,
    expiryMonth: card.expiryMonth,
    expiryYear: card.expiryYear,
  };
  return card.holderName === undefined ? kept : { ...kept, holderName: card.holderName };
}
