/**
 * The Skeleton Pay plugin's conformance target: what `deno task conformance plugins/skeleton-pay` needs to run
 * the kit (test/conformance/) against this plugin and its emulator, offline. Its shape is `ConformanceTarget`
 * in test/conformance/target.ts (not imported: plugins import only the plugin API; the kit checks the shape).
 * @module
 */
import type { CardDetails, Money, PspPlugin, RawNotification } from "../../src/plugin_api.ts";
import { createSkeletonPayEmulator, signBody } from "./emulator/mod.ts";
import { createSkeletonPayPlugin } from "./mod.ts";

const API_KEY = "test_conformance_key_0001";
const WEBHOOK_SECRET = "whsec_conformance_secret_0001";
/** Signs the `wrong_key` forgeries: a well-formed secret that is not the shop's. */
const FORGER_SECRET = "whsec_forger_secret_0000000001";

// TODO(skeleton-pay): your PSP's event type for each core operation.
const EVENT_TYPES = {
  pay: "payment.updated",
  capture: "capture.updated",
  void: "void.updated",
  refund: "refund.updated",
} as const;

const FUTURE_YEAR = String(new Date().getUTCFullYear() + 3);

function card(number: string): CardDetails {
  return { number, expiryMonth: "03", expiryYear: FUTURE_YEAR, cvv: "123", holderName: "Ada Lovelace" };
}

function startEmulator() {
  const emulator = createSkeletonPayEmulator({
    accounts: [{ apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET }],
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, emulator.fetch);
  const baseUrl = `http://127.0.0.1:${server.addr.port}/v1`;
  const credentials = { apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, baseUrl };
  return Promise.resolve({
    baseUrl,
    credentials,
    badCredentials: { ...credentials, apiKey: "test_not_a_key_of_this_account" },
    charges(reference: string) {
      const booked = emulator.payments().filter((payment) => payment.reference === reference);
      return {
        count: emulator.chargeCount(reference),
        amounts: booked.map((payment): Money => ({
          amountMinor: payment.amount.value,
          currency: payment.amount.currency,
        })),
      };
    },
    async notification(subject: { operation: keyof typeof EVENT_TYPES; reference: string }) {
      const type = EVENT_TYPES[subject.operation];
      for (const started = Date.now(); Date.now() - started < 3_000;) {
        const found = emulator.notifications().find((sent) =>
          sent.type === type && sent.reference === subject.reference
        );
        if (found !== undefined) return { headers: { ...found.headers }, body: found.body };
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`No ${type} notification for ${subject.reference} within 3 s`);
    },
    async forgeNotification(raw: RawNotification, how: "wrong_key" | "tampered" | "unsigned") {
      const headers = { ...raw.headers };
      switch (how) {
        case "wrong_key":
          return {
            headers: { ...headers, "x-signature": await signBody(raw.body, FORGER_SECRET) },
            body: raw.body,
          };
        case "tampered": {
          const event = JSON.parse(raw.body);
          event.data.amount = { ...event.data.amount, value: event.data.amount.value + 100 };
          return { headers, body: JSON.stringify(event) };
        }
        case "unsigned": {
          const { "x-signature": _, ...unsigned } = headers;
          return { headers: unsigned, body: raw.body };
        }
      }
    },
    async close() {
      await emulator.close();
      await server.shutdown();
    },
  });
}

export const CONFORMANCE_TARGET = {
  createPlugin: (): PspPlugin => createSkeletonPayPlugin(),
  startEmulator,
  // TODO(skeleton-pay): your emulator's approving and declining cards (and the core code of the decline), the
  // header that carries the idempotency key to your PSP, and where your PSP's answers carry the amount.
  cards: {
    approved: card("4242424242424242"),
    declined: { card: card("4000000000000002"), code: "card_declined" },
  },
  idempotencyHeader: "Idempotency-Key",
  /** Payment and Modification objects carry `amount: {value, currency}` at the top level. */
  rewriteAnswerAmount(body: string, amount: Money): string | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
    if (parsed === null || typeof parsed !== "object" || !("amount" in parsed)) return undefined;
    return JSON.stringify({ ...parsed, amount: { value: amount.amountMinor, currency: amount.currency } });
  },
  // A zero-decimal and a three-decimal currency catch amounts sent in the wrong unit.
  currencies: ["EUR", "JPY", "KWD"],
};
