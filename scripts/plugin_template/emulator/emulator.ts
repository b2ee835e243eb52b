/**
 * An emulator of the template JSON API (see the plugin's README.md), faithful enough that the plugin cannot
 * tell it from the PSP's sandbox: API-key authentication, idempotency keys with replay, card payments with
 * the test cards, captures, voids and refunds under the PSP's accounting rules, and signed notifications. The
 * plugin's tests and the conformance kit run the real plugin against it, offline.
 * @module
 */
import { Hono } from "hono";
import {
  applyModification,
  type ModificationType,
  newId,
  type PaymentRecord,
  type PaymentStatus,
} from "./ledger.ts";
import { createNotifier, type EmulatorNotification } from "./notifications.ts";
import { answered, createPipeline, error, type Handled, type Handler, json, rejected } from "./pipeline.ts";
import { cardBehaviour, cardBrand } from "./test_cards.ts";
import { type Amount, checkAmount, checkPayment, checkReference, type Json } from "./validation.ts";

export interface SkeletonPayEmulatorAccount {
  readonly apiKey: string;
  readonly webhookSecret: string;
  /** The mode GET /account reports (default `test`). */
  readonly mode?: "test" | "live";
  /** Where notifications are delivered; without it they are only kept for inspection. */
  readonly webhookUrl?: string;
}

export interface SkeletonPayEmulatorOptions {
  readonly accounts: readonly SkeletonPayEmulatorAccount[];
  /** A mount prefix to strip from request paths, such as "/_emulator/skeleton-pay". */
  readonly basePath?: string;
  /** Delay before a notification is delivered, and before a `processing` payment is decided (default 50 ms). */
  readonly webhookDelayMs?: number;
  readonly webhookRetryBaseMs?: number;
  readonly now?: () => number;
}

/** A payment as the emulator booked it (no card number: only brand and last four digits). */
export interface EmulatedPayment {
  readonly id: string;
  readonly reference: string;
  readonly amount: Amount;
  readonly status: PaymentStatus;
  readonly declineCode?: string;
  readonly capturedValue: number;
  readonly refundedValue: number;
  readonly voided: boolean;
}

export interface SkeletonPayEmulator {
  /** Serves one request; mount it in any server, or pass it to Deno.serve. */
  fetch(request: Request): Promise<Response>;
  /** Every payment booked, in order, whatever its result. */
  payments(): EmulatedPayment[];
  /** How many payments were booked under a reference (a replayed request books nothing). */
  chargeCount(reference: string): number;
  /** Every notification signed so far, in order. */
  notifications(): readonly EmulatorNotification[];
  /** Stops deliveries and pending decisions. */
  close(): Promise<void>;
}

export function createSkeletonPayEmulator(options: SkeletonPayEmulatorOptions): SkeletonPayEmulator {
  const now = options.now ?? Date.now;
  const delayMs = options.webhookDelayMs ?? 50;
  const pipeline = createPipeline(options.accounts);
  const payments = new Map<string, PaymentRecord>();
  const charges = new Map<string, number>();
  const notifier = createNotifier({ delayMs, retryBaseMs: options.webhookRetryBaseMs, now });
  const timers = new Set<ReturnType<typeof setTimeout>>();

  function paymentResource(payment: PaymentRecord): Json {
    return {
      id: payment.id,
      reference: payment.reference,
      amount: payment.amount,
      status: payment.status,
      ...(payment.declineCode === undefined ? {} : { declineCode: payment.declineCode }),
      message: payment.message,
      card: { brand: payment.brand, last4: payment.last4 },
    };
  }

  function approve(payment: PaymentRecord, capture: boolean): void {
    payment.status = capture ? "captured" : "authorized";
    payment.captured = capture ? payment.amount.value : 0;
    payment.message = "Approved";
  }

  function handlePayment(account: SkeletonPayEmulatorAccount, body: Json): Handled {
    const checked = checkPayment(body, now());
    if (!checked.ok) return rejected(400, "invalid_request", checked.message);
    const { reference, amount, capture, card } = checked.value;
    const payment: PaymentRecord = {
      id: newId("pay"),
      apiKey: account.apiKey,
      reference,
      amount,
      brand: cardBrand(card.number),
      last4: card.number.slice(-4),
      status: "processing",
      message: "Processing",
      captured: 0,
      refunded: 0,
      voided: false,
    };
    payments.set(payment.id, payment);
    charges.set(reference, (charges.get(reference) ?? 0) + 1);
    const behaviour = cardBehaviour(card.number);
    switch (behaviour.kind) {
      case "approve":
        approve(payment, capture);
        break;
      case "decline":
        payment.status = "declined";
        payment.declineCode = behaviour.declineCode;
        payment.message = behaviour.message;
        break;
      case "fail":
        payment.status = "failed";
        payment.message = behaviour.message;
        break;
      case "process_later":
        // The answer says processing; the result comes later, in the notification only.
        later(() => {
          approve(payment, capture);
          notifier.send(account, "payment.updated", paymentResource(payment));
        });
        return answered(paymentResource(payment));
    }
    notifier.send(account, "payment.updated", paymentResource(payment));
    return answered(paymentResource(payment));
  }

  function handleModification(
    type: ModificationType,
    paymentId: string,
  ): Handler<SkeletonPayEmulatorAccount> {
    return (account, body) => {
      const reference = checkReference(body.reference);
      if (!reference.ok) return rejected(400, "invalid_request", reference.message);
      let amount: Amount | undefined;
      if (type !== "void") {
        const checked = checkAmount(body.amount);
        if (!checked.ok) return rejected(400, "invalid_request", checked.message);
        amount = checked.value;
      }
      const payment = payments.get(paymentId);
      if (payment === undefined || payment.apiKey !== account.apiKey) {
        return rejected(404, "payment_not_found", "No such payment");
      }
      const decision = applyModification(payment, type, amount);
      const resource: Json = {
        id: newId(type === "capture" ? "cap" : type === "void" ? "void" : "ref"),
        paymentId,
        reference: reference.value,
        type,
        ...(amount === undefined ? {} : { amount }),
        status: decision.ok ? "succeeded" : "failed",
        ...(decision.ok ? {} : { failureCode: decision.failureCode, message: decision.message }),
      };
      notifier.send(account, `${type}.updated`, resource);
      return answered(resource);
    };
  }

  function later(task: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      task();
    }, delayMs);
    timers.add(timer);
  }

  const app = options.basePath === undefined || options.basePath === "" || options.basePath === "/"
    ? new Hono()
    : new Hono().basePath(options.basePath.replace(/\/+$/, ""));

  app.get("/v1/account", (c) => {
    const account = pipeline.accountOf(c.req.raw);
    if (account === undefined) return error(401, "unauthorized", "Unknown API key");
    return json(200, { id: `acct_${account.apiKey.slice(-8)}`, mode: account.mode ?? "test" });
  });
  app.post("/v1/payments", (c) => pipeline.serve(c.req.raw, handlePayment));
  app.post(
    "/v1/payments/:id/captures",
    (c) => pipeline.serve(c.req.raw, handleModification("capture", c.req.param("id"))),
  );
  app.post(
    "/v1/payments/:id/voids",
    (c) => pipeline.serve(c.req.raw, handleModification("void", c.req.param("id"))),
  );
  app.post(
    "/v1/payments/:id/refunds",
    (c) => pipeline.serve(c.req.raw, handleModification("refund", c.req.param("id"))),
  );
  app.notFound(() => error(404, "not_found", "No such endpoint"));
  app.onError((err) => {
    // Only the error's name: a message could carry request data, such as a card number.
    console.error("skeleton-pay-emulator.error", err instanceof Error ? err.name : "unknown");
    return error(500, "internal_error", "Internal error");
  });

  return {
    fetch: (request) => Promise.resolve(app.fetch(request)),
    payments: () =>
      [...payments.values()].map((payment) => ({
        id: payment.id,
        reference: payment.reference,
        amount: { ...payment.amount },
        status: payment.status,
        declineCode: payment.declineCode,
        capturedValue: payment.captured,
        refundedValue: payment.refunded,
        voided: payment.voided,
      })),
    chargeCount: (reference) => charges.get(reference) ?? 0,
    notifications: () => notifier.sent(),
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await notifier.close();
    },
  };
}
