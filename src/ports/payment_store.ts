import type { CardToken } from "../payment/card_token.ts";
import type { Incident } from "../payment/incident.ts";
import type { CallbackMessage, Operation, OperationKey } from "../payment/operation.ts";
import type { Payment } from "../payment/payment.ts";
import type { OperatorAction } from "./review_store.ts";

/** The work of one database transaction on payments and operations. */
export interface PaymentTx {
  /** Inserts a new operation; when the key exists already, returns the stored one and changes nothing. */
  insertOperation(
    operation: Operation,
  ): Promise<{ readonly created: boolean; readonly operation: Operation }>;
  /** Reads an operation and locks it until the transaction ends (and nothing else). */
  lockOperation(key: OperationKey): Promise<Operation | undefined>;
  /**
   * Locks an operation and its payment. Locks are always taken payment first, then operation, in every
   * transaction, so that concurrent transactions on one payment cannot deadlock.
   */
  lockWithPayment(key: OperationKey): Promise<LockedOperation>;
  lockWithPaymentByReference(shop: string, reference: string): Promise<LockedOperation>;
  saveOperation(operation: Operation): Promise<void>;
  /** Reads a payment and locks it until the transaction ends; take it before any operation lock. */
  lockPayment(shop: string, paymentId: string): Promise<Payment | undefined>;
  /** Inserts or updates; the database refuses any change that breaks an invariant or a final status. */
  savePayment(payment: Payment, created?: boolean): Promise<void>;
  /** Queues a final result for delivery, once per operation (a second one for the same target is a bug). */
  enqueueCallback(shop: string, message: CallbackMessage): Promise<void>;
  /** Stores an incident; a second open incident of the same kind for the same operation is ignored. */
  recordIncident(incident: Incident): Promise<void>;
  /** Keeps an operator's action with its reason, in the same transaction as its effect. */
  recordOperatorAction(action: OperatorAction): Promise<void>;
  /** Stores a new card-on-file token. */
  insertCardToken(token: CardToken): Promise<void>;
  /**
   * Records that a card package was used by this payment, unless another payment used it first.
   * @returns the payment that used it first (this one when it is new)
   */
  claimCardPackage(claim: CardPackageClaim): Promise<CardPackageClaim>;
}

/** One use of an ECIES card package (by its fingerprint), by one payment of one shop. */
export interface CardPackageClaim {
  readonly fingerprint: string;
  readonly shop: string;
  readonly paymentId: string;
}

export interface LockedOperation {
  readonly operation?: Operation;
  readonly payment?: Payment;
}

/** Payments, operations and the callback outbox, with transactions. */
export interface PaymentStore {
  transaction<T>(work: (tx: PaymentTx) => Promise<T>): Promise<T>;
  findOperation(key: OperationKey): Promise<Operation | undefined>;
  findPayment(shop: string, paymentId: string): Promise<Payment | undefined>;
  findOperationByReference(shop: string, reference: string): Promise<Operation | undefined>;
  /** A card-on-file token of a shop, or undefined. */
  findCardToken(shop: string, token: string): Promise<CardToken | undefined>;
  /**
   * Claims open operations whose next check is due for reconciliation: pushes their next check `leaseMs` ahead,
   * counts the check and marks reconciliation as the holder, so that several gateway processes never check one
   * operation at the same time. For an operation whose query can have an effect (a modification, a continue:
   * see `queryHasEffect`), `sentUntil` moves to the end of the new lease too.
   */
  claimOperationsToCheck(now: number, leaseMs: number, limit: number): Promise<readonly Operation[]>;
}
