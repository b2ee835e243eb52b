/**
 * An emulator of the subset of PayPal's REST APIs the wallet plugin uses, at PayPal's own paths: OAuth2
 * tokens, Orders v2 (create, show, capture, authorize), Payments v2 (authorization capture and void, capture
 * refund, show), webhook lookup and verify-webhook-signature, signed webhook events, and the buyer's approval
 * page. Built on the emulator kit (plugins/kit/emulator/); its state is its own, in memory or journaled to its
 * own file (`statePath`). One module per flow: orders.ts, payments.ts, approval_page.ts, webhooks.ts.
 * @module
 */
import { Hono } from "hono";
import {
  createIdempotencyStore,
  DEFAULT_IDEMPOTENCY_LEASE_MS,
  type EmulatorProgram,
  openState,
  readJsonObject,
} from "../../kit/emulator/mod.ts";
import type { Money } from "../../../src/plugin_api.ts";
import { createAppBook, type PayPalEmulatorApp } from "./accounts.ts";
import { type ApiDeps, serveGet, servePost } from "./api_call.ts";
import { answerApproval, showApproval } from "./approval_page.ts";
import type { EmulatorContext } from "./context.ts";
import { errorAnswer, invalid, paypalError, unauthenticated } from "./errors.ts";
import { createOrderHandler, findOrder, orderActionHandler } from "./orders.ts";
import {
  captureAuthorizationHandler,
  emitRefund,
  findPayment,
  refundCaptureHandler,
  voidAuthorizationHandler,
} from "./payments.ts";
import { AUTHORIZATIONS, CAPTURES, type OrderRecord, ORDERS, type RefundRecord, REFUNDS } from "./records.ts";
import { createWebhooks, type DeliveryView, type SignedEvent } from "./webhooks.ts";

export interface PayPalEmulatorOptions {
  /** Absolute URL where this emulator is reachable, its prefix included (links and pages point there). */
  readonly publicUrl: string;
  readonly apps: readonly PayPalEmulatorApp[];
  /** The file of the emulator's state; in memory, private to this emulator, when absent. */
  readonly statePath?: string;
  /** Lifetime of an access token (default 32400 s, PayPal's). */
  readonly tokenLifetimeSeconds?: number;
  /** Delay before a webhook is first sent (default 50 ms). */
  readonly webhookDelayMs?: number;
  /** Delay before the first retry of a webhook; it doubles per retry (default 200 ms). */
  readonly webhookRetryBaseMs?: number;
  /** Delivery attempts per webhook, the first included (default: the kit's, minutes of retries). */
  readonly webhookMaxAttempts?: number;
  /** Refunds stay PENDING until completePendingRefunds() (default false: refunds complete at once). */
  readonly pendingRefunds?: boolean;
  readonly idempotencyLeaseMs?: number;
  readonly now?: () => number;
}

/** An order as the emulator holds it, for tests and the conformance kit. */
export interface EmulatedOrder {
  readonly id: string;
  readonly status: string;
  readonly intent: string;
  readonly customId?: string;
  readonly amount: Money;
  readonly captures: number;
  readonly refunds: number;
}

export interface PayPalEmulator extends EmulatorProgram {
  orders(): EmulatedOrder[];
  /** Every order created with this `custom_id`, whatever its state. */
  charges(customId: string): EmulatedOrder[];
  /** Every webhook event signed so far (sent, or not for an app without a webhook URL). */
  signedEvents(): SignedEvent[];
  deliveries(): DeliveryView[];
  /** Signs a body as a webhook delivery for `webhookId` (tests forge deliveries for another app). */
  signWebhook(body: string, webhookId: string): Promise<Record<string, string>>;
  /** Every issued token stops working now, as if PayPal had revoked them. */
  expireTokens(): void;
  tokensIssued(): number;
  /** Completes every PENDING refund and sends its PAYMENT.CAPTURE.REFUNDED event. */
  completePendingRefunds(): Promise<void>;
  /** Resolves once no webhook delivery is pending. */
  webhooksIdle(): Promise<void>;
  close(): void;
}

export function createPayPalEmulator(options: PayPalEmulatorOptions): PayPalEmulator {
  const now = options.now ?? Date.now;
  const publicUrl = options.publicUrl.replace(/\/+$/, "");
  const apps = createAppBook(options.apps, {
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 32_400,
    now,
  });
  const webhooks = createWebhooks({
    publicUrl,
    firstDelayMs: options.webhookDelayMs ?? 50,
    retryBaseMs: options.webhookRetryBaseMs ?? 200,
    maxAttempts: options.webhookMaxAttempts,
    now,
  });
  // Opened last of the configuration: a bad app fails before the state file is locked.
  const state = openState(options.statePath);
  const keys = createIdempotencyStore(state, {
    leaseMs: options.idempotencyLeaseMs ?? DEFAULT_IDEMPOTENCY_LEASE_MS,
    now,
  });
  const ctx: EmulatorContext = { publicUrl, now, webhooks, pendingRefunds: options.pendingRefunds ?? false };
  const deps: ApiDeps = { state, keys, apps, publicUrl };

  const app = new Hono();
  app.post("/v1/oauth2/token", (c) => apps.issueToken(c.req.raw));
  app.post("/v2/checkout/orders", (c) => servePost(deps, c.req.raw, "orders", createOrderHandler(ctx)));
  app.get(
    "/v2/checkout/orders/:id",
    (c) => serveGet(deps, c.req.raw, findOrder(c.req.param("id"))),
  );
  for (const action of ["capture", "authorize"] as const) {
    app.post(
      `/v2/checkout/orders/:id/${action}`,
      (c) =>
        servePost(
          deps,
          c.req.raw,
          action === "capture" ? "orders.capture" : "orders.authorize",
          orderActionHandler(ctx, action, c.req.param("id")),
        ),
    );
  }
  app.post(
    "/v2/payments/authorizations/:id/capture",
    (c) => servePost(deps, c.req.raw, "payments", captureAuthorizationHandler(ctx, c.req.param("id"))),
  );
  app.post(
    "/v2/payments/authorizations/:id/void",
    (c) =>
      servePost(deps, c.req.raw, "authorizations.void", voidAuthorizationHandler(ctx, c.req.param("id"))),
  );
  app.post(
    "/v2/payments/captures/:id/refund",
    (c) => servePost(deps, c.req.raw, "captures.refund", refundCaptureHandler(ctx, c.req.param("id"))),
  );
  for (const table of [AUTHORIZATIONS, CAPTURES, REFUNDS] as const) {
    app.get(
      `/v2/payments/${table}/:id`,
      (c) => serveGet(deps, c.req.raw, findPayment(table, c.req.param("id"))),
    );
  }
  app.get("/v1/notifications/webhooks/:id", (c) => {
    const caller = apps.caller(c.req.raw);
    return caller === undefined
      ? errorAnswer(unauthenticated())
      : webhooks.webhook(caller, c.req.param("id"));
  });
  app.post("/v1/notifications/verify-webhook-signature", async (c) => {
    const caller = apps.caller(c.req.raw);
    if (caller === undefined) return errorAnswer(unauthenticated());
    const body = await readJsonObject(c.req.raw, { maxBytes: 1_048_576 });
    if (!body.ok) return errorAnswer(invalid("webhooks", "MALFORMED_REQUEST_JSON"));
    return await webhooks.verify(caller, body.value);
  });
  app.get("/v1/notifications/certs/:id", (c) => webhooks.certificate(c.req.param("id")));
  app.get("/checkoutnow", (c) => showApproval(state, c.req.query("token")));
  app.post("/checkoutnow", (c) => answerApproval(ctx, state, apps, c.req.query("token"), c.req.raw));
  app.notFound(() => errorAnswer(paypalError(404, "orders")));
  app.onError((error) => {
    console.error("paypal-emulator.error", error instanceof Error ? error.name : "unknown");
    return errorAnswer(paypalError(500, "orders"));
  });

  function orders(): EmulatedOrder[] {
    return state.read((view) => view.list<OrderRecord>(ORDERS)).map(view);
  }

  return {
    fetch: (request) => Promise.resolve(app.fetch(request)),
    orders,
    charges: (customId) => orders().filter((order) => order.customId === customId),
    signedEvents: () => webhooks.signed(),
    deliveries: () => webhooks.deliveries(),
    signWebhook: (body, webhookId) => webhooks.sign(body, webhookId),
    expireTokens: () => apps.expireTokens(),
    tokensIssued: () => apps.tokensIssued(),
    async completePendingRefunds() {
      await state.transaction((tx) => {
        for (const refund of tx.list<RefundRecord>(REFUNDS).filter((r) => r.status === "PENDING")) {
          const done: RefundRecord = { ...refund, status: "COMPLETED", updatedAt: now() };
          tx.put(REFUNDS, refund.id, done);
          const owner = apps.byClientId(refund.app);
          if (owner !== undefined) tx.afterCommit(() => emitRefund(ctx, owner, done));
        }
      });
    },
    webhooksIdle: () => webhooks.idle(),
    close() {
      webhooks.close();
      state.close();
    },
  };
}

function view(order: OrderRecord): EmulatedOrder {
  return {
    id: order.id,
    status: order.status,
    intent: order.intent,
    customId: order.unit.customId,
    amount: { ...order.unit.amount },
    captures: order.captureIds.length,
    refunds: order.refundIds.length,
  };
}
