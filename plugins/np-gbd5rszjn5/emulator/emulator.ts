/**
 * An emulator of the template JSON API (README.md), faithful enough that the plugin cannot tell it from the
 * PSP's sandbox: bearer auth, idempotency keys with a replay-only mode, payments (payments.ts), captures,
 * voids and refunds with the PSP's accounting (modifications.ts), signed notifications (notifications.ts).
 * Built on the emulator kit (plugins/kit/emulator/); its state is its own, in memory or journaled to its own
 * file (`statePath`).
 * @module
 */
import { Hono } from "hono";
import {
  createIdempotencyStore,
  type EmulatorProgram,
  jsonAnswer,
  openState,
} from "../../kit/emulator/mod.ts";
import { createAccountBook, type NpGbd5rszjn5EmulatorAccount } from "./accounts.ts";
import { type ApiDeps, apiError, serveApiCall } from "./api_call.ts";
import { modificationHandler } from "./modifications.ts";
import { createNotifier } from "./notifications.ts";
import { paymentFlow } from "./payments.ts";
import { allPayments, type Amount, paymentObject, paymentOf, type PaymentStatus } from "./records.ts";

export interface NpGbd5rszjn5EmulatorOptions {
  /** Absolute URL where this emulator is reachable, including any prefix (for the pages it hands out). */
  readonly publicUrl: string;
  readonly accounts: readonly NpGbd5rszjn5EmulatorAccount[];
  /** The file of the emulator's state, journaled so that it survives a restart; in memory when absent. */
  readonly statePath?: string;
  /** Delay before a notification is first sent (default 50 ms). */
  readonly webhookDelayMs?: number;
  /** Delay before the first retry of a notification; it doubles per retry (default 200 ms). */
  readonly webhookRetryBaseMs?: number;
  readonly now?: () => number;
}

/** A payment as the emulator holds it, for tests and conformance. */
export interface EmulatedPayment {
  readonly id: string;
  readonly reference: string;
  readonly amount: Amount;
  readonly status: PaymentStatus;
  readonly captured: number;
  readonly refunded: number;
}

/** The emulator: an HTTP app (serve its `fetch`) with views for tests. */
export interface NpGbd5rszjn5Emulator extends EmulatorProgram {
  /** Every payment in the emulator's state, in the order they were created. */
  payments(): EmulatedPayment[];
  /** The PSP gives up on the payments of this reference that still wait for the buyer (offsite only). */
  expire(reference: string): Promise<void>;
  /** Stops notification delivery and closes the state (and its file lock). */
  close(): void;
}

export function createNpGbd5rszjn5Emulator(options: NpGbd5rszjn5EmulatorOptions): NpGbd5rszjn5Emulator {
  const now = options.now ?? Date.now;
  const accounts = createAccountBook(options.accounts);
  // Opened last of the configuration: a bad account fails before the state file is locked.
  const state = openState(options.statePath);
  const keys = createIdempotencyStore(state, { now });
  const notifier = createNotifier(accounts, {
    firstDelayMs: options.webhookDelayMs ?? 50,
    retryBaseMs: options.webhookRetryBaseMs ?? 200,
  });
  const flow = paymentFlow({ state, notifier, publicUrl: options.publicUrl.replace(/\/+$/, ""), now });
  const deps: ApiDeps = { state, keys, accounts };

  const app = new Hono();
  app.get("/v1/account", async (c) => {
    const caller = await accounts.caller(c.req.raw);
    if (caller === undefined) return apiError(401, "unauthorized", "Unknown API key");
    return jsonAnswer(200, { id: caller.scope.slice(0, 16), mode: caller.account.apiKey.slice(0, 4) });
  });
  app.post("/v1/payments", (c) => serveApiCall(deps, c.req.raw, flow.create));
  app.get("/v1/payments/:id", async (c) => {
    const caller = await accounts.caller(c.req.raw);
    if (caller === undefined) return apiError(401, "unauthorized", "Unknown API key");
    const payment = state.read((view) => paymentOf(view, caller.scope, c.req.param("id")));
    return payment === undefined
      ? apiError(404, "payment_not_found", "No such payment")
      : jsonAnswer(200, paymentObject(payment));
  });
  for (const [path, type] of [["captures", "capture"], ["voids", "void"], ["refunds", "refund"]] as const) {
    app.post(
      `/v1/payments/:id/${path}`,
      (c) => serveApiCall(deps, c.req.raw, modificationHandler(notifier, type, c.req.param("id"))),
    );
  }
  flow.mount(app);
  app.notFound(() => apiError(404, "not_found", "No such path"));
  app.onError((error) => {
    console.error("np-gbd5rszjn5-emulator.error", error instanceof Error ? error.name : "unknown");
    return apiError(500, "internal_error", "Internal error");
  });

  return {
    fetch: (request) => Promise.resolve(app.fetch(request)),
    payments: () =>
      state.read(allPayments).map((payment) => ({
        id: payment.id,
        reference: payment.reference,
        amount: { ...payment.amount },
        status: payment.status,
        captured: payment.ledger?.captured ?? 0,
        refunded: payment.ledger?.refunded ?? 0,
      })),
    expire: (reference) => flow.expire(reference),
    close() {
      notifier.close();
      state.close();
    },
  };
}
