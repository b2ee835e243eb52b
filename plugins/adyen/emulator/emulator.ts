/**
 * An emulator of the subset of Adyen's Checkout API v71 the card plugin uses, faithful enough that the plugin
 * cannot tell it from the test environment: API-key auth, idempotency keys, raw card payments with the
 * contract's sandbox cards, a 3D Secure redirect page, tokenization (storePaymentMethod, payments with a
 * storedPaymentMethodId, POST and DELETE /storedPaymentMethods), modifications with Adyen's accounting rules
 * and signed standard notifications.
 * @module
 */
import { Hono } from "hono";
import { formatAmount } from "../../../src/plugin_api.ts";
import { createIdempotencyStore, MAX_IDEMPOTENCY_KEY_LENGTH, type StoredAnswer } from "./idempotency.ts";
import {
  applyModification,
  type ModificationKind,
  type PaymentRecord,
  type PaymentStatus,
} from "./ledger.ts";
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
import { createVault, type StoredPaymentMethodSummary, summarise, vaultedCard } from "./vault.ts";
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

export interface AdyenEmulator {
  /** Serves one request; mount it in any server, or pass it to Deno.serve. */
  fetch(request: Request): Promise<Response>;
  addAccount(account: AdyenEmulatorAccount): void;
  /** Every payment booked, in order. */
  payments(): EmulatedPayment[];
  /** How many times /payments created a new payment with this merchant reference. */
  chargeCount(merchantReference: string): number;
  /** Every token in the vault, without card numbers. */
  storedPaymentMethods(): StoredPaymentMethodSummary[];
  /** Every notification queued, with its delivery state. */
  notifications(): DeliveryRecord[];
  /** Stops notification delivery and releases held connections. */
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

export function createAdyenEmulator(options: AdyenEmulatorOptions): AdyenEmulator {
  const publicUrl = options.publicUrl.replace(/\/+$/, "");
  const now = options.now ?? Date.now;
  const holdMs = options.holdMs ?? 60_000;
  const accounts: AdyenEmulatorAccount[] = [];
  const payments = new Map<string, PaymentRecord>();
  const challenges = new Map<string, string>();
  const redirectResults = new Map<string, string>();
  const charges = new Map<string, number>();
  const idempotency = createIdempotencyStore();
  const vault = createVault();
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

  function notify(
    merchantAccount: string,
    item: Omit<UnsignedItem, "eventDate" | "merchantAccountCode">,
  ): void {
    const account = accountFor(merchantAccount);
    if (account?.webhookUrl === undefined) return;
    webhooks.send(account.webhookUrl, account.hmacKeyHex, {
      ...item,
      merchantAccountCode: merchantAccount,
      eventDate: new Date(now()).toISOString(),
    });
  }

  function notifyAuthorisation(payment: PaymentRecord): void {
    const success = payment.status === "authorised";
    notify(payment.merchantAccount, {
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
  function notifyRecurringContract(payment: PaymentRecord): void {
    if (payment.tokenization?.operation !== "created" || payment.shopperReference === undefined) return;
    const token = payment.tokenization.storedPaymentMethodId;
    notify(payment.merchantAccount, {
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

  function authorise(payment: PaymentRecord): void {
    payment.status = "authorised";
    payment.resultCode = "Authorised";
    payment.authCode = String(crypto.getRandomValues(new Uint32Array(1))[0] % 1_000_000).padStart(6, "0");
    if (!payment.manualCapture) {
      payment.captured = payment.amount.value;
      payment.captureClosed = true;
    }
    // Adyen creates the token only when the payment is authorised.
    if (payment.pendingStore !== undefined) {
      const stored = vault.store(payment.pendingStore);
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

  /** POST /paymentMethods: the methods a merchant account offers (the plugin uses it to verify credentials). */
  function handlePaymentMethods(caller: Caller, body: Json): Outcome {
    const merchantAccount = merchantAccountOf(body);
    if (!merchantAccount.ok) return { kind: "rejected", error: merchantAccount.error };
    if (!caller.accounts.some((account) => account.merchantAccount === merchantAccount.value)) {
      return { kind: "rejected", error: invalidMerchantAccount() };
    }
    return {
      kind: "answered",
      answer: {
        status: 200,
        body: { paymentMethods: [{ type: "scheme", name: "Cards", brands: ["visa", "mc", "amex"] }] },
      },
    };
  }

  function handlePayment(caller: Caller, body: Json): Outcome {
    const merchantAccount = merchantAccountOf(body);
    if (!merchantAccount.ok) return { kind: "rejected", error: merchantAccount.error };
    if (!caller.accounts.some((account) => account.merchantAccount === merchantAccount.value)) {
      return { kind: "rejected", error: invalidMerchantAccount() };
    }
    const checked = checkPayment(body, merchantAccount.value, now());
    if (!checked.ok) return { kind: "rejected", error: checked.error };
    const { source } = checked.value;
    if (source.kind === "card") return pay(checked.value, source.card);
    const resolved = vault.resolve(
      merchantAccount.value,
      source.shopperReference,
      source.storedPaymentMethodId,
    );
    if (!resolved.ok) return { kind: "rejected", error: resolved.error };
    return pay(checked.value, resolved.record.card);
  }

  /** POST /storedPaymentMethods: a token for card details, without a payment. */
  function handleStorePaymentMethod(caller: Caller, body: Json): Outcome {
    const merchantAccount = merchantAccountOf(body);
    if (!merchantAccount.ok) return { kind: "rejected", error: merchantAccount.error };
    if (!caller.accounts.some((account) => account.merchantAccount === merchantAccount.value)) {
      return { kind: "rejected", error: invalidMerchantAccount() };
    }
    const checked = checkStoreRequest(body, merchantAccount.value, now());
    if (!checked.ok) return { kind: "rejected", error: checked.error };
    const { record } = vault.store({ ...checked.value, brand: cardBrand(checked.value.card.number) });
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
    if (record.card.holderName !== undefined) answer.holderName = record.card.holderName;
    return { kind: "answered", answer: { status: 201, body: answer } };
  }

  function pay(request: ValidPayment, card: CardFields): Outcome {
    const { source } = request;
    const payment: PaymentRecord = {
      pspReference: newPspReference(),
      merchantAccount: request.merchantAccount,
      merchantReference: request.reference,
      amount: request.amount,
      manualCapture: request.manualCapture,
      returnUrl: request.returnUrl,
      brand: cardBrand(card.number),
      cardSummary: card.number.slice(-4),
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
          card: vaultedCard(card),
          brand: cardBrand(card.number),
        }
        : undefined,
      status: "awaiting_authentication",
      resultCode: "Received",
      captured: 0,
      refunded: 0,
      voided: false,
      captureClosed: false,
    };
    payments.set(payment.pspReference, payment);
    charges.set(payment.merchantReference, (charges.get(payment.merchantReference) ?? 0) + 1);
    const behaviour = behaviourOf(card, source);
    switch (behaviour.kind) {
      case "authorise":
      case "authorise_then_hold": {
        authorise(payment);
        // The sandbox's lost-answer cards lose their notification too (contract section 7: the gateway must
        // find out by asking the PSP), so that reconciliation, not a webhook, settles them.
        if (behaviour.kind === "authorise") {
          notifyAuthorisation(payment);
          notifyRecurringContract(payment);
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
        notifyAuthorisation(payment);
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
        challenges.set(challengeId, payment.pspReference);
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

  function handleDetails(caller: Caller, body: Json): Outcome {
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
    const pspReference = redirectResults.get(redirectResult);
    const payment = pspReference === undefined ? undefined : payments.get(pspReference);
    // A payment of another API credential's merchant account is indistinguishable from an unknown one.
    if (
      payment === undefined || !caller.accounts.some((a) => a.merchantAccount === payment.merchantAccount)
    ) {
      return { kind: "rejected", error: validationError("000", "Invalid payload provided") };
    }
    if (payment.detailsAnswer === undefined) {
      switch (payment.decision) {
        case "approve":
          authorise(payment);
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
      notifyAuthorisation(payment);
      notifyRecurringContract(payment);
    }
    return { kind: "answered", answer: { status: 200, body: payment.detailsAnswer } };
  }

  function handleModification(kind: ModificationKind, paymentPspReference: string) {
    return function modification(caller: Caller, body: Json): Outcome {
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
      const found = payments.get(paymentPspReference);
      const payment = found?.merchantAccount === merchantAccount.value ? found : undefined;
      const decision = applyModification(payment, kind, amount, account.multiplePartialCaptures ?? true);
      const pspReference = newPspReference();
      notify(merchantAccount.value, {
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

  /** Auth, idempotency and JSON parsing, shared by every API route. */
  async function api(request: Request, handler: (caller: Caller, body: Json) => Outcome): Promise<Response> {
    const who = caller(request);
    if (who === undefined) return json(UNAUTHORIZED.status, UNAUTHORIZED);
    const key = request.headers.get("idempotency-key") ?? undefined;
    const echo: Record<string, string> = key === undefined ? {} : { "Idempotency-Key": key };
    if (key !== undefined) {
      if (key === "" || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
        return json(422, validationError("000", "Idempotency-Key must be 1 to 64 characters"));
      }
      const claim = idempotency.claim(who.apiKey, key);
      if (claim.kind === "replay") return json(claim.answer.status, claim.answer.body, echo);
      if (claim.kind === "in_progress") {
        return json(409, idempotencyKeyInProgress(), { ...echo, "Transient-Error": "true" });
      }
    }
    const release = () => key !== undefined && idempotency.release(who.apiKey, key);
    let body: unknown;
    try {
      body = JSON.parse(await request.text());
    } catch {
      release();
      return json(400, unparseableBody(), echo);
    }
    if (!isObject(body)) {
      release();
      return json(400, unparseableBody(), echo);
    }
    const outcome = handler(who, body);
    if (outcome.kind === "rejected") {
      release();
      return json(outcome.error.status, outcome.error, echo);
    }
    if (key !== undefined) idempotency.complete(who.apiKey, key, outcome.answer);
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

  function challengePayment(id: string): PaymentRecord | undefined {
    const pspReference = challenges.get(id);
    return pspReference === undefined ? undefined : payments.get(pspReference);
  }

  const app = options.basePath === undefined || options.basePath === "" || options.basePath === "/"
    ? new Hono()
    : new Hono().basePath(options.basePath.replace(/\/+$/, ""));

  app.post("/v71/paymentMethods", (c) => api(c.req.raw, handlePaymentMethods));
  app.post("/v71/payments", (c) => api(c.req.raw, handlePayment));
  app.post("/v71/payments/details", (c) => api(c.req.raw, handleDetails));
  app.post("/v71/storedPaymentMethods", (c) => api(c.req.raw, handleStorePaymentMethod));
  // DELETE /storedPaymentMethods/{id}?shopperReference=...&merchantAccount=...: 204 without a body.
  app.delete("/v71/storedPaymentMethods/:id", (c) => {
    const who = caller(c.req.raw);
    if (who === undefined) return json(UNAUTHORIZED.status, UNAUTHORIZED);
    const merchantAccount = c.req.query("merchantAccount") ?? "";
    if (!who.accounts.some((account) => account.merchantAccount === merchantAccount)) {
      return json(403, invalidMerchantAccount());
    }
    const removed = vault.remove(merchantAccount, c.req.query("shopperReference") ?? "", c.req.param("id"));
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

  app.get("/threeds/:id", (c) => {
    const payment = challengePayment(c.req.param("id"));
    if (payment === undefined) {
      return c.html(renderMessagePage("Unknown challenge", "This 3D Secure challenge does not exist."), 404);
    }
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
    const payment = challengePayment(c.req.param("id"));
    if (payment === undefined) {
      return c.html(renderMessagePage("Unknown challenge", "This 3D Secure challenge does not exist."), 404);
    }
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
    // The first answer stands: a second click (or a replayed form) returns the shopper with the same result.
    if (payment.decision === undefined) payment.decision = action;
    if (payment.redirectResult === undefined) {
      payment.redirectResult = newToken(32);
      redirectResults.set(payment.redirectResult, payment.pspReference);
    }
    const target = new URL(payment.returnUrl);
    target.searchParams.append("redirectResult", payment.redirectResult);
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
      return [...payments.values()].map((payment) => ({
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
      }));
    },
    chargeCount(merchantReference) {
      return charges.get(merchantReference) ?? 0;
    },
    storedPaymentMethods() {
      return vault.list();
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

/**
 * The contract's card behaviour, for card data and for the card behind a token alike. A merchant-initiated token
 * payment has no shopper to authenticate (SCA does not apply to it), so the challenge card is authorised
 * without a challenge there.
 */
function behaviourOf(card: CardFields, source: PaymentSource): CardBehaviour {
  const behaviour = cardBehaviour(card.number);
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
