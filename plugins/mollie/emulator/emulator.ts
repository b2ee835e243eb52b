/**
 * The Mollie emulator: the part of Mollie's Payments API v2 the plugin uses, over real HTTP, for tests and the
 * bundled sandbox. Same paths, bearer API keys (test keys only: the sandbox refuses any other), HAL answers,
 * error objects and Idempotency-Key replays as Mollie; a hosted checkout form; webhooks `id=tr_…` to each
 * payment's webhookUrl, retried as Mollie retries them; refunds that settle after a delay.
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import {
  createIdempotencyStore,
  createNotificationSender,
  type DeliveryRecord,
  type EmulatorState,
  idempotencyScope,
  memoryState,
  type NotificationSenderOptions,
} from "../../kit/emulator/mod.ts";
import { callerOf, idempotent, TEST_API_KEY } from "./api_call.ts";
import { actOnCheckout, showCheckout } from "./checkout_page.ts";
import type { Caller, EmulatorContext } from "./context.ts";
import { halResponse, mollieError, UNAUTHORIZED } from "./errors.ts";
import { createLifecycle, type Lifecycle, type WebhookMeta } from "./lifecycle.ts";
import { createPayment, getPayment } from "./payments_api.ts";
import { PAYMENTS, REFUNDS, type StoredPayment, type StoredRefund } from "./records.ts";
import { createRefund, getRefund, listRefunds } from "./refunds_api.ts";
import { METHODS } from "./validation.ts";

export interface MollieAccount {
  /** A test API key (`test_…`); the emulator refuses to hold any other. */
  readonly apiKey: string;
  readonly profileId?: string;
}

export interface MollieEmulatorOptions {
  readonly publicUrl: string;
  readonly accounts: readonly MollieAccount[];
  /** The emulator's own state; in memory when absent. */
  readonly state?: EmulatorState;
  /** How long an open payment stays payable before it expires (default 15 minutes, as iDEAL). */
  readonly expireAfterMs?: number;
  /** How long a pending payment takes to become paid (default 2 s). */
  readonly settleAfterMs?: number;
  /** How long a refund stays queued before it is refunded or fails (default 1 s). */
  readonly refundAfterMs?: number;
  /** How often due moves are looked for (default 50 ms). */
  readonly tickMs?: number;
  /** Webhook delivery; by default 10 attempts with doubling delays (Mollie keeps trying for hours). */
  readonly webhooks?: NotificationSenderOptions;
  readonly now?: () => number;
}

export interface MollieEmulator {
  fetch(request: Request): Promise<Response>;
  close(): Promise<void>;
  /** Every payment, in creation order (tests, conformance `charges`). */
  payments(): StoredPayment[];
  refunds(): StoredRefund[];
  webhooks(): DeliveryRecord<WebhookMeta>[];
  /** Makes the payment expire now, if it is still open (the abandon scenario); whether it did. */
  expire(paymentId: string): Promise<boolean>;
  /** Refunds created from now on end `failed` (true) or `refunded` (false, the default). */
  failRefunds(fail: boolean): void;
  /** Makes every due move now. */
  sweep(): Promise<void>;
  /** Resolves once every webhook queued so far was delivered or given up. */
  webhooksIdle(): Promise<void>;
}

const PAYMENT_ID = "tr_[A-Za-z0-9]+";
const REFUND_ID = "re_[A-Za-z0-9]+";

export function createMollieEmulator(options: MollieEmulatorOptions): MollieEmulator {
  for (const account of options.accounts) {
    if (!TEST_API_KEY.test(account.apiKey)) {
      throw new Error("Cannot start the Mollie emulator as an account's API key is not a test key (test_…)");
    }
  }
  const state = options.state ?? memoryState();
  const now = options.now ?? Date.now;
  const webhooks = createNotificationSender<WebhookMeta>({ ...options.webhooks });
  const lifecycle = createLifecycle({ now, settleAfterMs: options.settleAfterMs ?? 2_000, webhooks });
  let refundsFail = false;
  const context: EmulatorContext = {
    publicUrl: options.publicUrl.replace(/\/+$/, ""),
    state,
    keys: createIdempotencyStore(state),
    lifecycle,
    now,
    expireAfterMs: options.expireAfterMs ?? 15 * 60_000,
    refundAfterMs: options.refundAfterMs ?? 1_000,
    refundsFail: () => refundsFail,
  };
  const accounts = Promise.all(options.accounts.map(async (account, index) => ({
    scope: await idempotencyScope(account.apiKey),
    profileId: account.profileId ?? `pfl_Sandbox${index + 1}`,
  })));

  const sweeper = startSweeper(state, lifecycle, now, options.tickMs ?? 50);
  const app = routes(context, (c) => callerOf(c, accounts));
  return {
    fetch: async (request) => await app.fetch(request),
    async close() {
      await sweeper.stop();
      webhooks.close();
      state.close();
    },
    payments: () => state.read((view) => view.list<StoredPayment>(PAYMENTS)),
    refunds: () => state.read((view) => view.list<StoredRefund>(REFUNDS)),
    webhooks: () => webhooks.deliveries(),
    async expire(paymentId) {
      return await state.transaction((tx) => {
        const payment = tx.get<StoredPayment>(PAYMENTS, paymentId);
        return payment !== undefined && lifecycle.movePayment(tx, payment, "expire") !== undefined;
      });
    },
    failRefunds(fail) {
      refundsFail = fail;
    },
    sweep: sweeper.sweep,
    webhooksIdle: () => webhooks.idle(),
  };
}

/**
 * Looks for due moves every `tickMs`, one sweep at a time; `sweep()` asks for one more now (after any running
 * one, so it sees the time at which it was asked).
 */
function startSweeper(state: EmulatorState, lifecycle: Lifecycle, now: () => number, tickMs: number) {
  let running: Promise<void> | undefined;
  const sweep = () => state.transaction((tx) => lifecycle.sweep(tx));
  const ticker = setInterval(() => {
    if (running !== undefined || now() < lifecycle.nextDueAt()) return;
    running = sweep().catch(() => {}).finally(() => running = undefined);
  }, tickMs);
  return {
    sweep,
    async stop() {
      clearInterval(ticker);
      await running;
    },
  };
}

type CallerOf = (c: Context) => Promise<Caller | undefined>;

/** A path parameter; the routes' patterns guarantee its shape. */
function param(c: Context, name: string): string {
  return c.req.param(name) ?? "";
}

function routes(context: EmulatorContext, callerOf: CallerOf): Hono {
  const app = new Hono();
  const api =
    (handler: (c: Context, caller: Caller) => Promise<Response> | Response) => async (c: Context) => {
      const caller = await callerOf(c);
      return caller === undefined ? halResponse(UNAUTHORIZED) : await handler(c, caller);
    };
  app.get("/v2/methods", api(() => halResponse({ status: 200, body: methodList(context) })));
  app.post("/v2/payments", api((c, caller) => idempotent(context, c, caller, createPayment)));
  app.get(
    `/v2/payments/:id{${PAYMENT_ID}}`,
    api((c, caller) => halResponse(getPayment(context, caller, param(c, "id")))),
  );
  app.post(
    `/v2/payments/:id{${PAYMENT_ID}}/refunds`,
    api((c, caller) =>
      idempotent(
        context,
        c,
        caller,
        (ctx, who, body, tx) => createRefund(ctx, who, param(c, "id"), body, tx),
      )
    ),
  );
  app.get(
    `/v2/payments/:id{${PAYMENT_ID}}/refunds`,
    api((c, caller) =>
      halResponse(listRefunds(context, caller, param(c, "id"), new URL(c.req.url).searchParams))
    ),
  );
  app.get(
    `/v2/payments/:id{${PAYMENT_ID}}/refunds/:refund{${REFUND_ID}}`,
    api((c, caller) => halResponse(getRefund(context, caller, param(c, "id"), param(c, "refund")))),
  );
  app.get("/checkout/select-method/:token", (c) => showCheckout(context, param(c, "token")));
  app.post("/checkout/select-method/:token", (c) => actOnCheckout(context, param(c, "token"), c.req.raw));
  app.notFound(() => halResponse(mollieError(404, "The requested resource does not exist")));
  app.onError(() => halResponse(mollieError(500, "The sandbox could not handle the request")));
  return app;
}

function methodList(context: EmulatorContext) {
  const methods = METHODS.map(([id, description]) => ({
    resource: "method",
    id,
    description,
    status: "activated",
    _links: { self: { href: `${context.publicUrl}/v2/methods/${id}`, type: "application/hal+json" } },
  }));
  return {
    count: methods.length,
    _embedded: { methods },
    _links: {
      self: { href: `${context.publicUrl}/v2/methods`, type: "application/hal+json" },
      documentation: { href: "https://docs.mollie.com/reference/list-methods", type: "text/html" },
    },
  };
}
