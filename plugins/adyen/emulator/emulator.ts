/**
 * An emulator of the subset of Adyen's Checkout API v71 the card plugin uses, faithful enough that the plugin
 * cannot tell it from the test environment: API-key auth, idempotency keys, raw card payments with the
 * contract's sandbox cards, a 3D Secure redirect page, tokenization (storePaymentMethod, payments with a
 * storedPaymentMethodId, POST and DELETE /storedPaymentMethods), modifications with Adyen's accounting rules
 * and signed standard notifications. Its state lives in a store (store.ts): in memory by default, or in SQL
 * (dev mode), where it survives a crash and is shared by every emulator on the same database.
 * @module
 */
import { Hono } from "hono";
import { formatAmount } from "../../../src/plugin_api.ts";
import {
  DEFAULT_IDEMPOTENCY_LEASE_MS,
  idempotencyScope,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  type StoredAnswer,
} from "./idempotency.ts";
import {
  applyModification,
  type ModificationKind,
  type PaymentRecord,
  type PaymentStatus,
} from "./ledger.ts";
import { memoryEmulatorStore } from "./memory_store.ts";
import { isPspReference, newPspReference, newToken } from "./references.ts";
import {
  idempotencyKeyInProgress,
  internalError,
  invalidMerchantAccount,
  notFound,
  paymentDetailNotFound,
  type ServiceError,
  UNAUTHORIZED,
  unparseableBody,
  validationError,
} from "./service_error.ts";
import type { AdyenEmulatorStore, EmulatorTransaction } from "./store.ts";
import { type CardBehaviour, cardBehaviour, cardBrand } from "./test_cards.ts";
import { isChallengeAction, renderChallengePage, renderMessagePage } from "./threeds_page.ts";
import {
  type Amount,
  type CardFields,
  checkAmount,
  checkPayment,
  checkStoreRequest,
  isObject,
  merchantAccountOf,
  type PaymentSource,
  type RecurringProcessingModel,
  type ShopperInteraction,
  type ValidPayment,
} from "./validation.ts";
import {
  resolveToken,
  type StoredPaymentMethodRecord,
  type StoredPaymentMethodSummary,
  type StoreRequest,
  type StoreResult,
  summarise,
  type VaultedCard,
} from "./vault.ts";
import { createWebhookSender, type DeliveryRecord, type UnsignedItem } from "./webhooks.ts";

type Json = Record<string, unknown>;

export interface AdyenEmulatorAccount {
  readonly apiKey: string;
  readonly merchantAccount: string;
  /** The HMAC key of the webhook endpoint, hex-encoded as Adyen's Customer Area shows it. */
  readonly hmacKeyHex: string;
  /** Where standard notifications are sent; none are sent without it. */
  readonly webhookUrl?: string;
  /** Adyen enables multiple partial captures per account on request; the emulator enables it by default. */
  readonly multiplePartialCaptures?: boolean;
}

export interface AdyenEmulatorOptions {
  /** Absolute URL where this emulator is reachable, including any mount prefix. */
  readonly publicUrl: string;
  /** The mount prefix to strip from request paths, such as "/_emulator/adyen". */
  readonly basePath?: string;
  readonly accounts: readonly AdyenEmulatorAccount[];
  /**
   * Where the emulator keeps payments, idempotency keys and tokens: by default in memory, private to this
   * emulator; `sqlEmulatorStore(client)` keeps them in a database, durable across a crash and shared by every
   * emulator on it. Accounts and notification delivery stay with each emulator.
   */
  readonly store?: AdyenEmulatorStore;
  /**
   * How long an idempotency key may stay in progress before a request with the same key takes it over (default
   * 5000 ms): only a request whose process died before answering holds a key that long.
   */
  readonly idempotencyLeaseMs?: number;
  /** Delay before a notification is first sent (default 50 ms). */
  readonly webhookDelayMs?: number;
  /** Delay before the first retry of a notification; it doubles per retry (default 200 ms). */
  readonly webhookRetryBaseMs?: number;
  /** Delivery attempts per notification, the first included (default 5). */
  readonly webhookMaxAttempts?: number;
  /** How long the timeout card holds the connection before dropping it (default 60000 ms). */
  readonly holdMs?: number;
  readonly now?: () => number;
}

/** A payment as the emulator booked it, for tests and the demo. */
export interface EmulatedPayment {
  readonly pspReference: string;
  readonly merchantAccount: string;
  readonly merchantReference: string;
  readonly amount: Amount;
  readonly captureMode: "sale" | "manual";
  readonly status: PaymentStatus;
  readonly resultCode: string;
  readonly refusalReason?: string;
  readonly capturedValue: number;
  readonly refundedValue: number;
  readonly voided: boolean;
  readonly shopperInteraction: ShopperInteraction;
  readonly shopperReference?: string;
  readonly recurringProcessingModel?: RecurringProcessingModel;
  /** The token the payment charged. */
  readonly storedPaymentMethodId?: string;
  /** The token the payment created or found when it asked to store the card. */
  readonly tokenizedAs?: string;
}

/**
 * The emulator. The synchronous views (payments, chargeCount, storedPaymentMethods) show what this emulator
 * booked or changed, as it last saw it: on the default in-memory store that is everything; on a shared store,
 * the `load` views read every emulator's state from the store.
 */
export interface AdyenEmulator {
  /** Serves one request; mount it in any server, or pass it to Deno.serve. */
  fetch(request: Request): Promise<Response>;
  addAccount(account: AdyenEmulatorAccount): void;
  /** Every payment this emulator booked or changed, in order. */
  payments(): EmulatedPayment[];
  /** How many times /payments of this emulator created a new payment with this merchant reference. */
  chargeCount(merchantReference: string): number;
  /** Every token this emulator created or stored again and did not delete, without card numbers. */
  storedPaymentMethods(): StoredPaymentMethodSummary[];
  /** Every payment in the store, in order. */
  loadPayments(): Promise<EmulatedPayment[]>;
  /** How many payments the store holds with this merchant reference. */
  loadChargeCount(merchantReference: string): Promise<number>;
  /** Every token in the store, without card numbers. */
  loadStoredPaymentMethods(): Promise<StoredPaymentMethodSummary[]>;
  /** Every notification this emulator queued, with its delivery state. */
  notifications(): DeliveryRecord[];
  /** Stops notification delivery and releases held connections. The store stays open (it is the caller's). */
  close(): void;
}

/** What a handler decided: rejections are not stored under the idempotency key; answers are. */
type Outcome =
  | { readonly kind: "rejected"; readonly error: ServiceError }
  | {
    readonly kind: "answered";
    readonly answer: StoredAnswer;
    /** How the first request is answered when it differs from the stored answer (the special test cards). */
    readonly delivery?: { readonly kind: "internal_error"; readonly pspReference: string } | {
      readonly kind: "hold";
    };
  };

interface Caller {
  readonly apiKey: string;
  readonly accounts: readonly AdyenEmulatorAccount[];
}

type Notification = Omit<UnsignedItem, "eventDate" | "merchantAccountCode">;

/** What one transaction changed, applied to this emulator's views and sent once it has committed. */
interface Effects {
  readonly notifications: { readonly merchantAccount: string; readonly item: UnsignedItem }[];
  readonly payments: Map<string, PaymentRecord>;
  readonly charges: string[];
  /** Tokens stored (a record) or deleted (undefined). */
  readonly tokens: Map<string, StoredPaymentMethodRecord | undefined>;
}

/** One request's transaction, with the effects it records. */
interface Unit {
  readonly tx: EmulatorTransaction;
  notify(merchantAccount: string, item: Notification): void;
  insertPayment(payment: PaymentRecord): Promise<void>;
  updatePayment(payment: PaymentRecord): Promise<void>;
  storeToken(request: StoreRequest): Promise<StoreResult>;
  removeToken(merchantAccount: string, shopperReference: string, id: string): Promise<boolean>;
}

type Handler = (caller: Caller, body: Json, unit: Unit) => Promise<Outcome>;

/** The key this request claimed, to complete with its answer or give back. */
interface OwnedKey {
  readonly scope: string;
  readonly key: string;
  readonly token: string;
}

/** The claim of a key was taken over before the answer could be stored: nothing of the request was written. */
class ClaimLost extends Error {
  constructor() {
    super("The idempotency key was taken over before the answer was stored");
  }
}

export function createAdyenEmulator(options: AdyenEmulatorOptions): AdyenEmulator {
  const publicUrl = options.publicUrl.replace(/\/+$/, "");
  const now = options.now ?? Date.now;
  const holdMs = options.holdMs ?? 60_000;
  const leaseMs = options.idempotencyLeaseMs ?? DEFAULT_IDEMPOTENCY_LEASE_MS;
  const store = options.store ?? memoryEmulatorStore();
  const accounts: AdyenEmulatorAccount[] = [];
  // This emulator's views: what it booked or changed, as it last saw it.
  const seenPayments = new Map<string, PaymentRecord>();
  const seenCharges = new Map<string, number>();
  const seenTokens = new Map<string, StoredPaymentMethodRecord>();
  const scopes = new Map<string, Promise<string>>();
  const webhooks = createWebhookSender({
    firstDelayMs: options.webhookDelayMs ?? 50,
    retryBaseMs: options.webhookRetryBaseMs ?? 200,
    maxAttempts: options.webhookMaxAttempts ?? 5,
    attemptTimeoutMs: 5_000,
  });
  const holds = new Set<() => void>();

  function addAccount(account: AdyenEmulatorAccount): void {
    // Configuration mistakes fail here, at start-up, not when the first notification is signed.
    if (account.apiKey === "" || account.merchantAccount === "") {
      throw new Error("Cannot add an Adyen emulator account without an API key and a merchant account");
    }
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(account.hmacKeyHex)) {
      throw new Error(
        `Cannot add an Adyen emulator account with a non-hex HMAC key: ${account.merchantAccount}`,
      );
    }
    if (account.webhookUrl !== undefined) new URL(account.webhookUrl);
    const existing = accounts.findIndex((a) =>
      a.apiKey === account.apiKey && a.merchantAccount === account.merchantAccount
    );
    if (existing >= 0) accounts.splice(existing, 1);
    accounts.push(account);
  }
  for (const account of options.accounts) addAccount(account);

  function accountFor(merchantAccount: string): AdyenEmulatorAccount | undefined {
    return accounts.find((account) => account.merchantAccount === merchantAccount);
  }

  /** The idempotency scope of an API key: its hash, so that no store holds the key itself. */
  function scopeOf(apiKey: string): Promise<string> {
    let scope = scopes.get(apiKey);
    if (scope === undefined) {
      scope = idempotencyScope(apiKey);
      scopes.set(apiKey, scope);
    }
    return scope;
  }

  /**
   * Runs `work` in one store transaction; once it has committed, updates this emulator's views and queues the
   * notifications it produced (a transaction that throws sends nothing).
   */
  async function atomically<T>(work: (unit: Unit) => Promise<T>): Promise<T> {
    let effects: Effects | undefined;
    const result = await store.transaction((tx) => {
      // A store may run the work again (a deadlock): only the last run's effects count.
      const current: Effects = { notifications: [], payments: new Map(), charges: [], tokens: new Map() };
      effects = current;
      return work({
        tx,
        notify(merchantAccount, item) {
          current.notifications.push({
            merchantAccount,
            item: { ...item, merchantAccountCode: merchantAccount, eventDate: new Date(now()).toISOString() },
          });
        },
        async insertPayment(payment) {
          await tx.insertPayment(payment);
          current.payments.set(payment.pspReference, structuredClone(payment));
          current.charges.push(payment.merchantReference);
        },
        async updatePayment(payment) {
          await tx.updatePayment(payment);
          current.payments.set(payment.pspReference, structuredClone(payment));
        },
        async storeToken(request) {
          const stored = await tx.storeToken(request);
          current.tokens.set(stored.record.id, structuredClone(stored.record));
          return stored;
        },
        async removeToken(merchantAccount, shopperReference, id) {
          const removed = await tx.removeToken(merchantAccount, shopperReference, id);
          if (removed) current.tokens.set(id, undefined);
          return removed;
        },
      });
    });
    if (effects !== undefined) {
      for (const [pspReference, payment] of effects.payments) seenPayments.set(pspReference, payment);
      for (const reference of effects.charges) {
        seenCharges.set(reference, (seenCharges.get(reference) ?? 0) + 1);
      }
      for (const [id, record] of effects.tokens) {
        if (record === undefined) seenTokens.delete(id);
        else seenTokens.set(id, record);
      }
      for (const { merchantAccount, item } of effects.notifications) {
        const account = accountFor(merchantAccount);
        if (account?.webhookUrl !== undefined) webhooks.send(account.webhookUrl, account.hmacKeyHex, item);
      }
    }
    return result;
  }

  function notifyAuthorisation(unit: Unit, payment: PaymentRecord): void {
    const success = payment.status === "authorised";
    unit.notify(payment.merchantAccount, {
      eventCode: "AUTHORISATION",
      pspReference: payment.pspReference,
      merchantReference: payment.merchantReference,
      amount: payment.amount,
      success: success ? "true" : "false",
      paymentMethod: payment.brand,
      // Adyen's reason for a successful card authorisation is authCode:last4:expiry; otherwise the refusal.
      reason: success
        ? `${payment.authCode}:${payment.cardSummary}:${payment.expiryDate}`
        : payment.refusalReason ?? "",
      additionalData: success
        ? {
          authCode: payment.authCode ?? "",
          cardSummary: payment.cardSummary,
          expiryDate: payment.expiryDate,
          ...tokenizationData(payment),
        }
        : { refusalReasonRaw: payment.refusalReason ?? "", cardSummary: payment.cardSummary },
      ...(success
        ? { operations: payment.manualCapture ? ["CANCEL", "CAPTURE", "REFUND"] : ["REFUND"] }
        : {}),
    });
  }

  /**
   * RECURRING_CONTRACT, sent when an authorisation created a token, shaped by the Webhooks API schema
   * (RecurringContractNotificationRequestItem): the token as pspReference, the payment that created it as
   * originalPsp (and originalReference, as in Adyen's example).
   */
  function notifyRecurringContract(unit: Unit, payment: PaymentRecord): void {
    if (payment.tokenization?.operation !== "created" || payment.shopperReference === undefined) return;
    const token = payment.tokenization.storedPaymentMethodId;
    unit.notify(payment.merchantAccount, {
      eventCode: "RECURRING_CONTRACT",
      pspReference: token,
      originalReference: payment.pspReference,
      originalPsp: payment.pspReference,
      merchantReference: payment.merchantReference,
      amount: { value: 0, currency: payment.amount.currency },
      success: "true",
      paymentMethod: payment.brand,
      reason: "",
      additionalData: {
        "recurring.recurringDetailReference": token,
        shopperReference: payment.shopperReference,
      },
    });
  }

  /** The `tokenization.*` additionalData of an authorisation that stored the card (v68 and later). */
  function tokenizationData(payment: PaymentRecord): Record<string, string> {
    if (payment.tokenization === undefined || payment.shopperReference === undefined) return {};
    return {
      "tokenization.storedPaymentMethodId": payment.tokenization.storedPaymentMethodId,
      "tokenization.shopperReference": payment.shopperReference,
      "tokenization.store.operationType": payment.tokenization.operation,
    };
  }

  async function authorise(unit: Unit, payment: PaymentRecord): Promise<void> {
    payment.status = "authorised";
    payment.resultCode = "Authorised";
    payment.authCode = String(crypto.getRandomValues(new Uint32Array(1))[0] % 1_000_000).padStart(6, "0");
    if (!payment.manualCapture) {
      payment.captured = payment.amount.value;
      payment.captureClosed = true;
    }
    // Adyen creates the token only when the payment is authorised.
    if (payment.pendingStore !== undefined) {
      const stored = await unit.storeToken(payment.pendingStore);
      payment.tokenization = { storedPaymentMethodId: stored.record.id, operation: stored.operation };
      payment.pendingStore = undefined;
    }
  }

  function refuse(
    payment: PaymentRecord,
    resultCode: string,
    reason: string,
    code: string,
    status: PaymentStatus,
  ) {
    payment.status = status;
    payment.resultCode = resultCode;
    payment.refusalReason = reason;
    payment.refusalReasonCode = code;
    payment.pendingStore = undefined;
  }

  /** The body Adyen answers for a payment that reached a final result. */
  function resultBody(payment: PaymentRecord): Json {
    const body: Json = {
      pspReference: payment.pspReference,
      resultCode: payment.resultCode,
      merchantReference: payment.merchantReference,
      amount: payment.amount,
    };
    if (payment.status === "authorised") {
      body.additionalData = {
        authCode: payment.authCode ?? "",
        cardSummary: payment.cardSummary,
        expiryDate: payment.expiryDate,
        paymentMethod: payment.brand,
        ...tokenizationData(payment),
      };
      // PaymentResponse.paymentMethod (v69 and later): only returned when the result is Authorised.
      body.paymentMethod = { brand: payment.brand, type: "scheme" };
    } else {
      body.refusalReason = payment.refusalReason;
      body.refusalReasonCode = payment.refusalReasonCode;
    }
    return body;
  }

  /** What the emulator keeps of a card sent in a request: never its number, holder name or CVC. */
  async function vaultable(card: CardFields): Promise<VaultedCard> {
    return {
      fingerprint: await store.cardFingerprint(card.number),
      brand: cardBrand(card.number),
      lastFour: card.number.slice(-4),
      expiryMonth: card.expiryMonth,
      expiryYear: card.expiryYear,
      behaviour: cardBehaviour(card.number),
    };
  }

  /** POST /paymentMethods: the methods a merchant account offers (the plugin uses it to verify credentials). */
  function handlePaymentMethods(caller: Caller, body: Json): Promise<Outcome> {
    const merchantAccount = merchantAccountOf(body);
    if (!merchantAccount.ok) return Promise.resolve({ kind: "rejected", error: merchantAccount.error });
    if (!caller.accounts.some((account) => account.merchantAccount === merchantAccount.value)) {
      return Promise.resolve({ kind: "rejected", error: invalidMerchantAccount() });
    }
    return Promise.resolve({
      kind: "answered",
      answer: {
        status: 200,
        body: { paymentMethods: [{ type: "scheme", name: "Cards", brands: ["visa", "mc", "amex"] }] },
      },
    });
  }

  async function handlePayment(caller: Caller, body: Json, unit: Unit): Promise<Outcome> {
    const merchantAccount = merchantAccountOf(body);
    if (!merchantAccount.ok) return { kind: "rejected", error: merchantAccount.error };
    if (!caller.accounts.some((account) => account.merchantAccount === merchantAccount.value)) {
      return { kind: "rejected", error: invalidMerchantAccount() };
    }
    const checked = checkPayment(body, merchantAccount.value, now());
    if (!checked.ok) return { kind: "rejected", error: checked.error };
    const { source } = checked.value;
    if (source.kind === "card") return await pay(unit, checked.value, await vaultable(source.card));
    const resolved = resolveToken(
      await unit.tx.shopperTokens(merchantAccount.value, source.shopperReference),
      source.storedPaymentMethodId,
    );
    if (!resolved.ok) return { kind: "rejected", error: resolved.error };
    return await pay(unit, checked.value, resolved.record.card);
  }

  /** POST /storedPaymentMethods: a token for card details, without a payment. */
  async function handleStorePaymentMethod(caller: Caller, body: Json, unit: Unit): Promise<Outcome> {
    const merchantAccount = merchantAccountOf(body);
    if (!merchantAccount.ok) return { kind: "rejected", error: merchantAccount.error };
    if (!caller.accounts.some((account) => account.merchantAccount === merchantAccount.value)) {
      return { kind: "rejected", error: invalidMerchantAccount() };
    }
    const checked = checkStoreRequest(body, merchantAccount.value, now());
    if (!checked.ok) return { kind: "rejected", error: checked.error };
    const { card, ...request } = checked.value;
    const { record } = await unit.storeToken({ ...request, card: await vaultable(card) });
    const summary = summarise(record);
    const answer: Json = {
      id: summary.id,
      type: "scheme",
      brand: summary.brand,
      lastFour: summary.lastFour,
      expiryMonth: summary.expiryMonth,
      expiryYear: summary.expiryYear,
      shopperReference: summary.shopperReference,
    };
    // The holder name of this request: the vault does not keep it.
    if (card.holderName !== undefined) answer.holderName = card.holderName;
    return { kind: "answered", answer: { status: 201, body: answer } };
  }

  async function pay(unit: Unit, request: ValidPayment, card: VaultedCard): Promise<Outcome> {
    const { source } = request;
    const payment: PaymentRecord = {
      pspReference: newPspReference(),
      merchantAccount: request.merchantAccount,
      merchantReference: request.reference,
      amount: request.amount,
      manualCapture: request.manualCapture,
      returnUrl: request.returnUrl,
      brand: card.brand,
      cardSummary: card.lastFour,
      expiryDate: `${String(card.expiryMonth).padStart(2, "0")}/${card.expiryYear}`,
      shopperInteraction: request.shopperInteraction,
      shopperReference: source.kind === "stored" ? source.shopperReference : source.store?.shopperReference,
      recurringProcessingModel: source.kind === "stored"
        ? source.recurringProcessingModel
        : source.store?.recurringProcessingModel,
      storedPaymentMethodId: source.kind === "stored" ? source.storedPaymentMethodId : undefined,
      pendingStore: source.kind === "card" && source.store !== undefined
        ? {
          merchantAccount: request.merchantAccount,
          shopperReference: source.store.shopperReference,
          recurringProcessingModel: source.store.recurringProcessingModel,
          card,
        }
        : undefined,
      status: "awaiting_authentication",
      resultCode: "Received",
      captured: 0,
      refunded: 0,
      voided: false,
      captureClosed: false,
    };
    const outcome = await decide(unit, payment, behaviourOf(card, source));
    await unit.insertPayment(payment);
    return outcome;
  }

  /** Applies the card's behaviour to a new payment (booked by the caller) and answers it. */
  async function decide(unit: Unit, payment: PaymentRecord, behaviour: CardBehaviour): Promise<Outcome> {
    switch (behaviour.kind) {
      case "authorise":
      case "authorise_then_hold": {
        await authorise(unit, payment);
        // The sandbox's lost-answer cards lose their notification too (contract section 7: the gateway must
        // find out by asking the PSP), so that reconciliation, not a webhook, settles them.
        if (behaviour.kind === "authorise") {
          notifyAuthorisation(unit, payment);
          notifyRecurringContract(unit, payment);
        }
        const answer = { status: 200, body: resultBody(payment) };
        return behaviour.kind === "authorise" ? { kind: "answered", answer } : {
          kind: "answered",
          answer,
          delivery: { kind: "hold" },
        };
      }
      case "refuse": {
        refuse(payment, "Refused", behaviour.refusalReason, behaviour.refusalReasonCode, "refused");
        notifyAuthorisation(unit, payment);
        return { kind: "answered", answer: { status: 200, body: resultBody(payment) } };
      }
      case "error_then_500": {
        refuse(payment, "Error", "Acquirer Error", "4", "error");
        return {
          kind: "answered",
          answer: { status: 200, body: resultBody(payment) },
          delivery: { kind: "internal_error", pspReference: payment.pspReference },
        };
      }
      case "challenge": {
        const challengeId = newToken(18);
        payment.challengeId = challengeId;
        payment.resultCode = "RedirectShopper";
        return {
          kind: "answered",
          answer: {
            status: 200,
            body: {
              pspReference: payment.pspReference,
              resultCode: "RedirectShopper",
              merchantReference: payment.merchantReference,
              action: {
                paymentMethodType: "scheme",
                url: `${publicUrl}/threeds/${challengeId}`,
                method: "GET",
                type: "redirect",
              },
            },
          },
        };
      }
    }
  }

  async function handleDetails(caller: Caller, body: Json, unit: Unit): Promise<Outcome> {
    const details = body.details;
    if (!isObject(details)) {
      return {
        kind: "rejected",
        error: validationError("000", "Required object 'details' is not provided."),
      };
    }
    const redirectResult = details.redirectResult;
    if (typeof redirectResult !== "string" || redirectResult === "") {
      return {
        kind: "rejected",
        error: validationError("000", "Required field 'redirectResult' is not provided."),
      };
    }
    const payment = await unit.tx.lockPaymentByRedirectResult(redirectResult);
    // A payment of another API credential's merchant account is indistinguishable from an unknown one.
    if (
      payment === undefined || !caller.accounts.some((a) => a.merchantAccount === payment.merchantAccount)
    ) {
      return { kind: "rejected", error: validationError("000", "Invalid payload provided") };
    }
    if (payment.detailsAnswer === undefined) {
      switch (payment.decision) {
        case "approve":
          await authorise(unit, payment);
          break;
        case "fail":
          refuse(payment, "Refused", "3D Not Authenticated", "11", "refused");
          break;
        case "cancel":
        case undefined:
          refuse(payment, "Cancelled", "Shopper Cancelled", "16", "cancelled");
          break;
      }
      payment.detailsAnswer = resultBody(payment);
      notifyAuthorisation(unit, payment);
      notifyRecurringContract(unit, payment);
      await unit.updatePayment(payment);
    }
    return { kind: "answered", answer: { status: 200, body: payment.detailsAnswer } };
  }

  function handleModification(kind: ModificationKind, paymentPspReference: string): Handler {
    return async function modification(caller: Caller, body: Json, unit: Unit): Promise<Outcome> {
      const merchantAccount = merchantAccountOf(body);
      if (!merchantAccount.ok) return { kind: "rejected", error: merchantAccount.error };
      const account = caller.accounts.find((a) => a.merchantAccount === merchantAccount.value);
      if (account === undefined) return { kind: "rejected", error: invalidMerchantAccount() };
      if (!isPspReference(paymentPspReference)) {
        return {
          kind: "rejected",
          error: validationError("167", "Original pspReference required for this operation"),
        };
      }
      let amount: Amount | undefined;
      if (kind !== "cancel") {
        const checked = checkAmount(body.amount);
        if (!checked.ok) return { kind: "rejected", error: checked.error };
        if (checked.value.value === 0) {
          return { kind: "rejected", error: validationError("137", "Invalid amount specified") };
        }
        amount = checked.value;
      }
      if (body.reference !== undefined && typeof body.reference !== "string") {
        return { kind: "rejected", error: validationError("000", "Invalid reference") };
      }
      const reference = body.reference as string | undefined;
      // Locked until the transaction ends: concurrent modifications of one payment, from any process, are
      // decided one after the other against the balance the previous one left.
      const found = await unit.tx.lockPayment(paymentPspReference);
      const payment = found?.merchantAccount === merchantAccount.value ? found : undefined;
      const decision = applyModification(payment, kind, amount, account.multiplePartialCaptures ?? true);
      if (decision.success && payment !== undefined) await unit.updatePayment(payment);
      const pspReference = newPspReference();
      unit.notify(merchantAccount.value, {
        eventCode: kind === "capture" ? "CAPTURE" : kind === "cancel" ? "CANCELLATION" : "REFUND",
        pspReference,
        originalReference: paymentPspReference,
        merchantReference: reference ?? payment?.merchantReference ?? "",
        amount: amount ?? payment?.amount ?? { value: 0, currency: "EUR" },
        success: decision.success ? "true" : "false",
        paymentMethod: payment?.brand ?? "scheme",
        reason: decision.success ? "" : decision.reason,
        additionalData: {},
      });
      const answer: Json = {
        merchantAccount: merchantAccount.value,
        paymentPspReference,
        pspReference,
        ...(reference === undefined ? {} : { reference }),
        status: "received",
        ...(amount === undefined ? {} : { amount }),
      };
      return { kind: "answered", answer: { status: 201, body: answer } };
    };
  }

  function caller(request: Request): Caller | undefined {
    const apiKey = request.headers.get("x-api-key");
    if (apiKey === null || apiKey === "") return undefined;
    const owned = accounts.filter((account) => account.apiKey === apiKey);
    return owned.length === 0 ? undefined : { apiKey, accounts: owned };
  }

  function inProgress(echo: Record<string, string>): Response {
    return json(409, idempotencyKeyInProgress(), { ...echo, "Transient-Error": "true" });
  }

  /** Auth, idempotency and JSON parsing, shared by every API route. */
  async function api(request: Request, handler: Handler): Promise<Response> {
    const who = caller(request);
    if (who === undefined) return json(UNAUTHORIZED.status, UNAUTHORIZED);
    const key = request.headers.get("idempotency-key") ?? undefined;
    if (key === undefined) return await serve(request, who, handler, {}, undefined);
    const echo: Record<string, string> = { "Idempotency-Key": key };
    if (key === "" || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      return json(422, validationError("000", "Idempotency-Key must be 1 to 64 characters"));
    }
    const scope = await scopeOf(who.apiKey);
    const claim = await store.claimKey(scope, key, leaseMs);
    if (claim.kind === "replay") return json(claim.answer.status, claim.answer.body, echo);
    if (claim.kind === "in_progress") return inProgress(echo);
    const owned: OwnedKey = { scope, key, token: claim.token };
    try {
      return await serve(request, who, handler, echo, owned);
    } catch (error) {
      // Nothing was stored (the transaction failed): the key can be used again.
      await release(owned).catch(() => {});
      throw error;
    }
  }

  function release(owned: OwnedKey | undefined): Promise<void> {
    return owned === undefined ? Promise.resolve() : store.releaseKey(owned.scope, owned.key, owned.token);
  }

  /** Reads the body, runs the handler and stores its answer under the key, in one transaction. */
  async function serve(
    request: Request,
    who: Caller,
    handler: Handler,
    echo: Record<string, string>,
    owned: OwnedKey | undefined,
  ): Promise<Response> {
    let body: unknown;
    try {
      body = JSON.parse(await request.text());
    } catch {
      await release(owned);
      return json(400, unparseableBody(), echo);
    }
    if (!isObject(body)) {
      await release(owned);
      return json(400, unparseableBody(), echo);
    }
    let outcome: Outcome;
    try {
      outcome = await atomically(async (unit) => {
        const decided = await handler(who, body, unit);
        if (decided.kind === "answered" && owned !== undefined) {
          const stored = await unit.tx.completeKey(owned.scope, owned.key, owned.token, decided.answer);
          if (!stored) throw new ClaimLost();
        }
        return decided;
      });
    } catch (error) {
      if (!(error instanceof ClaimLost) || owned === undefined) throw error;
      // Another request took the key over (this one looked dead): answer as it would be answered now.
      const claim = await store.claimKey(owned.scope, owned.key, leaseMs);
      if (claim.kind === "replay") return json(claim.answer.status, claim.answer.body, echo);
      if (claim.kind === "new") await release({ ...owned, token: claim.token });
      return inProgress(echo);
    }
    if (outcome.kind === "rejected") {
      await release(owned);
      return json(outcome.error.status, outcome.error, echo);
    }
    switch (outcome.delivery?.kind) {
      case undefined:
        return json(outcome.answer.status, outcome.answer.body, echo);
      case "internal_error":
        return json(500, internalError(outcome.delivery.pspReference), echo);
      case "hold":
        return await hold(request.signal);
    }
  }

  /** Keeps the connection open until the client gives up, holdMs passes or the emulator closes; then drops it. */
  async function hold(signal: AbortSignal): Promise<Response> {
    const end = await new Promise<"client_left" | "closed" | "expired">((resolve) => {
      const finish = (why: "client_left" | "closed" | "expired") => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        holds.delete(onClose);
        resolve(why);
      };
      const onAbort = () => finish("client_left");
      const onClose = () => finish("closed");
      const timer = setTimeout(() => finish("expired"), holdMs);
      holds.add(onClose);
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort);
    });
    // The client is gone, or the emulator is shutting down: a plain answer does, no need to drop anything.
    if (end === "client_left") return new Response(null, { status: 499 });
    if (end === "closed") {
      return json(503, { status: 503, errorCode: "000", message: "Closed", errorType: "internal" });
    }
    // A body that fails before its first byte makes the server abort the connection: the client sees a
    // broken exchange, never an answer.
    return new Response(
      new ReadableStream({
        start(controller) {
          controller.error(
            new Error("Adyen emulator dropped a held connection on purpose (timeout test card)"),
          );
        },
      }),
      { status: 200, headers: { "content-type": "application/json" } },
    );
  }

  const unknownChallenge = () =>
    renderMessagePage("Unknown challenge", "This 3D Secure challenge does not exist.");

  const app = options.basePath === undefined || options.basePath === "" || options.basePath === "/"
    ? new Hono()
    : new Hono().basePath(options.basePath.replace(/\/+$/, ""));

  app.post("/v71/paymentMethods", (c) => api(c.req.raw, handlePaymentMethods));
  app.post("/v71/payments", (c) => api(c.req.raw, handlePayment));
  app.post("/v71/payments/details", (c) => api(c.req.raw, handleDetails));
  app.post("/v71/storedPaymentMethods", (c) => api(c.req.raw, handleStorePaymentMethod));
  // DELETE /storedPaymentMethods/{id}?shopperReference=...&merchantAccount=...: 204 without a body.
  app.delete("/v71/storedPaymentMethods/:id", async (c) => {
    const who = caller(c.req.raw);
    if (who === undefined) return json(UNAUTHORIZED.status, UNAUTHORIZED);
    const merchantAccount = c.req.query("merchantAccount") ?? "";
    if (!who.accounts.some((account) => account.merchantAccount === merchantAccount)) {
      return json(403, invalidMerchantAccount());
    }
    const shopperReference = c.req.query("shopperReference") ?? "";
    const id = c.req.param("id");
    const removed = await atomically((unit) => unit.removeToken(merchantAccount, shopperReference, id));
    return removed ? new Response(null, { status: 204 }) : json(422, paymentDetailNotFound());
  });
  app.post(
    "/v71/payments/:ref/captures",
    (c) => api(c.req.raw, handleModification("capture", c.req.param("ref"))),
  );
  app.post(
    "/v71/payments/:ref/cancels",
    (c) => api(c.req.raw, handleModification("cancel", c.req.param("ref"))),
  );
  app.post(
    "/v71/payments/:ref/refunds",
    (c) => api(c.req.raw, handleModification("refund", c.req.param("ref"))),
  );

  app.get("/threeds/:id", async (c) => {
    const payment = await store.paymentByChallenge(c.req.param("id"));
    if (payment === undefined) return c.html(unknownChallenge(), 404);
    return c.html(renderChallengePage({
      merchantAccount: payment.merchantAccount,
      merchantReference: payment.merchantReference,
      amountText: `${
        formatAmount({ amountMinor: payment.amount.value, currency: payment.amount.currency })
      } ${payment.amount.currency}`,
      cardSummary: payment.cardSummary,
      decided: payment.decision,
    }));
  });

  app.post("/threeds/:id", async (c) => {
    const challengeId = c.req.param("id");
    if (await store.paymentByChallenge(challengeId) === undefined) return c.html(unknownChallenge(), 404);
    let action: unknown;
    try {
      action = (await c.req.raw.formData()).get("action");
    } catch {
      action = undefined;
    }
    if (!isChallengeAction(action)) {
      return c.html(
        renderMessagePage("Bad request", "Send action=approve, action=fail or action=cancel."),
        400,
      );
    }
    const answered = await atomically(async (unit) => {
      const payment = await unit.tx.lockPaymentByChallenge(challengeId);
      if (payment === undefined) return undefined;
      // The first answer stands: a second click (or a replayed form) returns the shopper with the same result.
      if (payment.decision === undefined || payment.redirectResult === undefined) {
        payment.decision ??= action;
        payment.redirectResult ??= newToken(32);
        await unit.updatePayment(payment);
      }
      return payment;
    });
    if (answered?.redirectResult === undefined) return c.html(unknownChallenge(), 404);
    const target = new URL(answered.returnUrl);
    target.searchParams.append("redirectResult", answered.redirectResult);
    return c.redirect(target.toString(), 303);
  });

  app.notFound(() => json(404, notFound()));
  app.onError((error) => {
    console.error("adyen-emulator.error", error instanceof Error ? error.name : "unknown");
    return json(500, internalError(newPspReference()));
  });

  return {
    fetch: (request) => Promise.resolve(app.fetch(request)),
    addAccount,
    payments() {
      return [...seenPayments.values()].map(view);
    },
    chargeCount(merchantReference) {
      return seenCharges.get(merchantReference) ?? 0;
    },
    storedPaymentMethods() {
      return [...seenTokens.values()].map(summarise);
    },
    async loadPayments() {
      return (await store.payments()).map(view);
    },
    loadChargeCount(merchantReference) {
      return store.chargeCount(merchantReference);
    },
    async loadStoredPaymentMethods() {
      return (await store.storedPaymentMethods()).map(summarise);
    },
    notifications() {
      return [...webhooks.deliveries()];
    },
    close() {
      webhooks.close();
      for (const release of [...holds]) release();
    },
  };
}

function view(payment: PaymentRecord): EmulatedPayment {
  return {
    pspReference: payment.pspReference,
    merchantAccount: payment.merchantAccount,
    merchantReference: payment.merchantReference,
    amount: { ...payment.amount },
    captureMode: payment.manualCapture ? "manual" : "sale",
    status: payment.status,
    resultCode: payment.resultCode,
    refusalReason: payment.refusalReason,
    capturedValue: payment.captured,
    refundedValue: payment.refunded,
    voided: payment.voided,
    shopperInteraction: payment.shopperInteraction,
    shopperReference: payment.shopperReference,
    recurringProcessingModel: payment.recurringProcessingModel,
    storedPaymentMethodId: payment.storedPaymentMethodId,
    tokenizedAs: payment.tokenization?.storedPaymentMethodId,
  };
}

/**
 * The contract's card behaviour, for card data and for the card behind a token alike. A merchant-initiated token
 * payment has no shopper to authenticate (SCA does not apply to it), so the challenge card is authorised
 * without a challenge there.
 */
function behaviourOf(card: VaultedCard, source: PaymentSource): CardBehaviour {
  const behaviour = card.behaviour;
  if (behaviour.kind === "challenge" && source.kind === "stored" && !source.shopperInitiated) {
    return { kind: "authorise" };
  }
  return behaviour;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}
