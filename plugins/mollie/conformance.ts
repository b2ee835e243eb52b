/**
 * The Mollie plugin's conformance target: what `deno task conformance plugins/mollie` needs to run the kit
 * (plugins/kit/conformance/) against this plugin and its emulator, offline. An offsite target: every payment
 * goes through Mollie's hosted checkout, whose form the kit's default buyer drives. Its shape is
 * `ConformanceTarget` in plugins/kit/conformance/target.ts (written against the conformance kit at commit
 * df4bf04; the kit checks the shape when it loads the target).
 *
 * Mollie's webhook carries no signature: it is verified by fetching the payment it names. So a `wrong_key`
 * forgery names a payment of another account (same reference), `tampered` one of this account with another
 * reference, and `unsigned` does not apply.
 * @module
 */
import type { Money, PspPlugin, RawNotification } from "../../src/plugin_api.ts";
import { serveOnLoopback, startNotificationReceiver } from "../kit/emulator/mod.ts";
import { decimalAmount } from "../kit/mod.ts";
import { createMollieEmulator, type MollieEmulator } from "./emulator/mod.ts";
import { createMolliePlugin } from "./mod.ts";

const API_KEY = "test_ConformanceKey00000000000000001";
/** Another account of the same emulator: the author of `wrong_key` forgeries. */
const OTHER_API_KEY = "test_ConformanceOther000000000000002";
/** Fits the schema, belongs to no account: Mollie answers 401. */
const UNKNOWN_API_KEY = "test_ConformanceUnknown0000000000003";

type Subject = { readonly operation: "pay" | "capture" | "void" | "refund"; readonly reference: string };

function paymentsOf(emulator: MollieEmulator, reference: string) {
  return emulator.payments().filter((payment) => metadataReference(payment.metadata) === reference);
}

function metadataReference(metadata: unknown): string | undefined {
  const value = metadata !== null && typeof metadata === "object"
    ? (metadata as Record<string, unknown>)
    : {};
  return typeof value.reference === "string" ? value.reference : undefined;
}

async function until<T>(find: () => T | undefined, what: string): Promise<T> {
  for (const started = Date.now(); Date.now() - started < 4_000;) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`No ${what} within 4 s`);
}

function startEmulator() {
  const receiver = startNotificationReceiver();
  const server = serveOnLoopback((publicUrl) =>
    createMollieEmulator({
      publicUrl,
      accounts: [{ apiKey: API_KEY }, { apiKey: OTHER_API_KEY }],
      refundAfterMs: 30,
      settleAfterMs: 30,
      tickMs: 5,
      webhooks: { firstDelayMs: 1, retryBaseMs: 10 },
    })
  );
  const emulator = server.app;
  const baseUrl = `${server.url}/v2`;

  /** A payment created straight at the emulator with `apiKey`, for forgeries; its id. */
  async function paymentOf(apiKey: string, reference: string): Promise<string> {
    const response = await fetch(`${baseUrl}/payments`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        amount: { currency: "EUR", value: "10.00" },
        description: "forgery",
        redirectUrl: "https://gateway.conformance.invalid/v1/return/forgery",
        metadata: { reference },
      }),
    });
    return (await response.json()).id;
  }

  /** The webhooks received for a payment that were sent after `reason` (a status, or `refund:<id>:`). */
  async function webhookAfter(
    paymentId: string,
    reason: (meta: string) => boolean,
  ): Promise<RawNotification> {
    await until(
      () =>
        emulator.webhooks().find((entry) =>
          entry.meta.paymentId === paymentId && entry.delivered && reason(entry.meta.reason)
        ),
      `delivered webhook for ${paymentId}`,
    );
    const received = receiver.received.filter((entry) => entry.body === `id=${paymentId}`).at(-1)!;
    return { headers: received.headers, body: received.body, params: received.params };
  }

  return Promise.resolve({
    baseUrl,
    credentials: { apiKey: API_KEY, baseUrl },
    badCredentials: { apiKey: UNKNOWN_API_KEY, baseUrl },
    notificationUrl: `${receiver.url}/v1/notifications/mollie`,
    charges(reference: string) {
      const payments = paymentsOf(emulator, reference);
      return { count: payments.length, amounts: payments.map((payment): Money => payment.amount) };
    },
    async notification(subject: Subject): Promise<RawNotification> {
      if (subject.operation === "refund") {
        const refund = await until(
          () => emulator.refunds().find((entry) => metadataReference(entry.metadata) === subject.reference),
          `refund ${subject.reference}`,
        );
        return await webhookAfter(refund.paymentId, (reason) => reason.startsWith(`refund:${refund.id}:`));
      }
      const payment = await until(
        () => paymentsOf(emulator, subject.reference)[0],
        `payment ${subject.reference}`,
      );
      return await webhookAfter(payment.id, (reason) => !reason.startsWith("refund:"));
    },
    async forgeNotification(raw: RawNotification, how: "wrong_key" | "tampered" | "unsigned") {
      const reference = raw.params?.reference ?? "";
      if (how === "unsigned") return undefined;
      const id = how === "wrong_key"
        ? await paymentOf(OTHER_API_KEY, reference)
        : await paymentOf(API_KEY, `${reference}-other`);
      return { ...raw, body: new URLSearchParams({ id }).toString() };
    },
    async expire(reference: string) {
      for (const payment of paymentsOf(emulator, reference)) await emulator.expire(payment.id);
    },
    async close() {
      await server.close();
      await receiver.close();
    },
  });
}

export const CONFORMANCE_TARGET = {
  createPlugin: (): PspPlugin => createMolliePlugin(),
  startEmulator,
  idempotencyHeader: "Idempotency-Key",
  offsite: {
    fail: { code: "payment_failed" },
    cancel: { kind: "failed", code: "payment_canceled" },
    abandon: { kind: "expires", code: "payment_expired" },
    // Mollie knows the payment is paid as soon as the buyer pays, and calls the webhook then.
    resultBeforeReturn: true,
  },
  /** Payment and refund objects carry `amount: {currency, value}` at the top; lists carry none. */
  rewriteAnswerAmount(body: string, amount: Money): string | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
    if (parsed === null || typeof parsed !== "object" || !("amount" in parsed)) return undefined;
    return JSON.stringify({ ...parsed, amount: { currency: amount.currency, value: decimalAmount(amount) } });
  },
  // Mollie has no currency with three minor digits; JPY has none.
  currencies: ["EUR", "JPY"],
} as const;
