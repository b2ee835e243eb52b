/**
 * An emulator of the subset of Adyen's Checkout API v71 the card plugin uses, faithful enough that the plugin
 * cannot tell it from the test environment: API-key auth, idempotency keys, raw card payments with the
 * contract's sandbox cards, a 3D Secure redirect page, tokenization, modifications with Adyen's accounting
 * rules and signed standard notifications. Built on the emulator kit (plugins/kit/emulator/); its state is its
 * own, in memory or journaled to its own file (`statePath`). One module per flow: payments.ts, details.ts,
 * modifications.ts, stored_methods.ts, notifications.ts, accounts.ts.
 * @module
 */
import { Hono } from "hono";
import {
  createIdempotencyStore,
  DEFAULT_IDEMPOTENCY_LEASE_MS,
  type EmulatorProgram,
  openState,
} from "../../kit/emulator/mod.ts";
import { type AdyenEmulatorAccount, createAccountBook } from "./accounts.ts";
import { type ApiDeps, createHolds, type Handler, serveApiCall, serviceError } from "./api_call.ts";
import type { EmulatorContext } from "./context.ts";
import { answerChallenge, detailsHandler, showChallenge } from "./details.ts";
import { modificationHandler } from "./modifications.ts";
import { type AdyenDelivery, createNotifier } from "./notifications.ts";
import { handlePaymentMethods, paymentsHandler } from "./payments.ts";
import { allPayments, chargeCount, type PaymentRecord, type PaymentStatus } from "./records.ts";
import { newPspReference } from "./references.ts";
import { internalError, notFound } from "./service_error.ts";
import { deleteStoredPaymentMethod, storePaymentMethodHandler } from "./stored_methods.ts";
import type { Amount, RecurringProcessingModel, ShopperInteraction } from "./validation.ts";
import { allTokens, type StoredPaymentMethodSummary, summarise } from "./vault.ts";

export interface AdyenEmulatorOptions {
  /** Absolute URL where this emulator is reachable, including any mount prefix. */
  readonly publicUrl: string;
  /** The mount prefix to strip from request paths, such as "/_emulator/adyen" (none when served at root). */
  readonly basePath?: string;
  readonly accounts: readonly AdyenEmulatorAccount[];
  /**
   * The file of the emulator's state (payments, idempotency keys, tokens), journaled so that it survives a
   * restart or kill -9; in memory, private to this emulator, when absent. One emulator owns a file at a time.
   */
  readonly statePath?: string;
  /**
   * How long an idempotency key may stay in progress before a request with the same key takes it over (default
   * 5000 ms): only a request that hangs holds a key that long.
   */
  readonly idempotencyLeaseMs?: number;
  /** Delay before a notification is first sent (default 50 ms). */
  readonly webhookDelayMs?: number;
  /** Delay before the first retry of a notification; it doubles per retry (default 200 ms). */
  readonly webhookRetryBaseMs?: number;
  /** Delivery attempts per notification, the first included (default: the kit's, minutes of retries). */
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

/** The emulator: an HTTP app (mount it anywhere, or pass `fetch` to Deno.serve) with views for tests. */
export interface AdyenEmulator extends EmulatorProgram {
  addAccount(account: AdyenEmulatorAccount): void;
  /** Every payment in the emulator's state, in booking order. */
  payments(): EmulatedPayment[];
  /** How many times /payments created a new payment with this merchant reference. */
  chargeCount(merchantReference: string): number;
  /** Every token in the vault, without card numbers. */
  storedPaymentMethods(): StoredPaymentMethodSummary[];
  /** Every notification this emulator queued since it started, with its delivery state. */
  notifications(): AdyenDelivery[];
  /** Stops notification delivery, releases held connections and closes the state (and its file lock). */
  close(): void;
}

export function createAdyenEmulator(options: AdyenEmulatorOptions): AdyenEmulator {
  const now = options.now ?? Date.now;
  const accounts = createAccountBook(options.accounts);
  // Opened last of the configuration: a bad account fails before the state file is locked.
  const state = openState(options.statePath);
  const keys = createIdempotencyStore(state, {
    leaseMs: options.idempotencyLeaseMs ?? DEFAULT_IDEMPOTENCY_LEASE_MS,
    now,
  });
  const notifier = createNotifier(accounts, now, {
    firstDelayMs: options.webhookDelayMs ?? 50,
    retryBaseMs: options.webhookRetryBaseMs ?? 200,
    maxAttempts: options.webhookMaxAttempts,
    attemptTimeoutMs: 5_000,
  });
  const holds = createHolds(options.holdMs ?? 60_000);
  const ctx: EmulatorContext = { publicUrl: options.publicUrl.replace(/\/+$/, ""), now, accounts, notifier };
  const deps: ApiDeps = { state, keys, accounts, hold: holds.hold };
  const api = (request: Request, handler: Handler) => serveApiCall(deps, request, handler);

  const base = (options.basePath ?? "").replace(/\/+$/, "");
  const app = base === "" ? new Hono() : new Hono().basePath(base);
  app.post("/v71/paymentMethods", (c) => api(c.req.raw, handlePaymentMethods));
  app.post("/v71/payments", (c) => api(c.req.raw, paymentsHandler(ctx)));
  app.post("/v71/payments/details", (c) => api(c.req.raw, detailsHandler(ctx)));
  app.post("/v71/storedPaymentMethods", (c) => api(c.req.raw, storePaymentMethodHandler(ctx)));
  app.delete(
    "/v71/storedPaymentMethods/:id",
    (c) => deleteStoredPaymentMethod(state, accounts, c.req.raw, c.req.param("id")),
  );
  for (
    const [path, kind] of [["captures", "capture"], ["cancels", "cancel"], ["refunds", "refund"]] as const
  ) {
    app.post(
      `/v71/payments/:ref/${path}`,
      (c) => api(c.req.raw, modificationHandler(ctx, kind, c.req.param("ref"))),
    );
  }
  app.get("/threeds/:id", (c) => showChallenge(state, c.req.param("id")));
  app.post("/threeds/:id", (c) => answerChallenge(state, c.req.param("id"), c.req.raw));
  app.notFound(() => serviceError(notFound()));
  app.onError((error) => {
    console.error("adyen-emulator.error", error instanceof Error ? error.name : "unknown");
    return serviceError(internalError(newPspReference()));
  });

  return {
    fetch: (request) => Promise.resolve(app.fetch(request)),
    addAccount: accounts.add,
    payments: () => state.read(allPayments).map(view),
    chargeCount: (merchantReference) => state.read((v) => chargeCount(v, merchantReference)),
    storedPaymentMethods: () => state.read(allTokens).map(summarise),
    notifications: () => notifier.deliveries(),
    close() {
      notifier.close();
      holds.releaseAll();
      state.close();
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
    capturedValue: payment.ledger?.captured ?? 0,
    refundedValue: payment.ledger?.refunded ?? 0,
    voided: payment.ledger?.voided ?? false,
    shopperInteraction: payment.shopperInteraction,
    shopperReference: payment.shopperReference,
    recurringProcessingModel: payment.recurringProcessingModel,
    storedPaymentMethodId: payment.storedPaymentMethodId,
    tokenizedAs: payment.tokenization?.storedPaymentMethodId,
  };
}
