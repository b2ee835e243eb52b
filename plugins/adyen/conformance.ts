/**
 * The Adyen plugin's conformance target: what `deno task conformance plugins/adyen` needs to run the kit
 * (plugins/kit/conformance/) against this plugin and its emulator, offline. The emulator and the notification
 * receiver are the emulator kit's loopback harness (plugins/kit/emulator/loopback.ts). A new plugin copies
 * this file.
 * @module
 */
import type { CardDetails, Money, PspPlugin, RawNotification } from "../../src/plugin_api.ts";
import type { ConformanceTarget } from "../kit/conformance/mod.ts";
import {
  type ReceivedNotification,
  serveOnLoopback,
  startNotificationReceiver,
} from "../kit/emulator/mod.ts";
import { createAdyenEmulator, signItem, type UnsignedItem } from "./emulator/mod.ts";
import { createAdyenPlugin } from "./mod.ts";

const API_KEY = "AQE-conformance-api-key-0001";
const MERCHANT_ACCOUNT = "ConformanceECOM";
const HMAC_KEY_HEX = "0B4E5CE7C2B1D0A6F3E8A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F6";
/** Signs the `wrong_key` forgeries: a well-formed key that is not the shop's. */
const FORGER_KEY_HEX = "FF".repeat(32);
/** Adyen's event codes for the core's operations. */
const EVENT_CODES = {
  pay: "AUTHORISATION",
  capture: "CAPTURE",
  void: "CANCELLATION",
  refund: "REFUND",
} as const;

const FUTURE_YEAR = String(new Date().getUTCFullYear() + 3);

function card(number: string): CardDetails {
  return { number, expiryMonth: "03", expiryYear: FUTURE_YEAR, cvv: "737", holderName: "Ada Lovelace" };
}

type Item = Record<string, unknown> & { additionalData?: Record<string, string> };

function itemsOf(raw: RawNotification): { body: { notificationItems: { NotificationRequestItem: Item }[] } } {
  return { body: JSON.parse(raw.body) };
}

function asRaw(received: ReceivedNotification): RawNotification {
  return { headers: received.headers, body: received.body, params: received.params };
}

function startEmulator() {
  const receiver = startNotificationReceiver({ acceptBody: "[accepted]" });
  const server = serveOnLoopback((publicUrl) =>
    createAdyenEmulator({
      publicUrl,
      accounts: [{
        apiKey: API_KEY,
        merchantAccount: MERCHANT_ACCOUNT,
        hmacKeyHex: HMAC_KEY_HEX,
        webhookUrl: `${receiver.url}/notifications`,
      }],
      webhookDelayMs: 1,
      webhookRetryBaseMs: 10,
      holdMs: 1_000,
    })
  );
  const emulator = server.app;
  const credentials = {
    apiKey: API_KEY,
    merchantAccount: MERCHANT_ACCOUNT,
    hmacKeyHex: HMAC_KEY_HEX,
    baseUrl: `${server.url}/v71`,
  };
  return Promise.resolve({
    baseUrl: credentials.baseUrl,
    credentials,
    badCredentials: { ...credentials, apiKey: "AQE-not-a-key-of-this-account" },
    charges(reference: string) {
      const booked = emulator.payments().filter((payment) => payment.merchantReference === reference);
      return {
        count: emulator.chargeCount(reference),
        amounts: booked.map((payment): Money => ({
          amountMinor: payment.amount.value,
          currency: payment.amount.currency,
        })),
      };
    },
    async notification(subject: { operation: keyof typeof EVENT_CODES; reference: string }) {
      const eventCode = EVENT_CODES[subject.operation];
      const found = await receiver.waitFor((received) =>
        itemsOf(asRaw(received)).body.notificationItems.some(({ NotificationRequestItem: item }) =>
          item.eventCode === eventCode && item.merchantReference === subject.reference
        )
      ).catch(() => undefined);
      if (found === undefined) {
        throw new Error(`No ${eventCode} notification for ${subject.reference} within 3 s`);
      }
      return asRaw(found);
    },
    async forgeNotification(raw: RawNotification, how: "wrong_key" | "tampered" | "unsigned") {
      const { body } = itemsOf(raw);
      for (const wrapper of body.notificationItems) {
        const item = wrapper.NotificationRequestItem;
        if (how === "wrong_key") {
          wrapper.NotificationRequestItem = await signItem(
            item as unknown as UnsignedItem,
            FORGER_KEY_HEX,
          ) as unknown as Item;
        } else if (how === "tampered") {
          const amount = item.amount as { value: number; currency: string };
          item.amount = { ...amount, value: amount.value + 100 };
        } else {
          const { hmacSignature: _, ...rest } = item.additionalData ?? {};
          item.additionalData = rest;
        }
      }
      return { headers: raw.headers, body: JSON.stringify(body) };
    },
    async close() {
      await server.close();
      await receiver.close();
    },
  });
}

export const CONFORMANCE_TARGET: ConformanceTarget = {
  createPlugin: (): PspPlugin => createAdyenPlugin(),
  startEmulator,
  cards: {
    // The contract's sandbox cards (section 7), as plugins/adyen/emulator/test_cards.ts applies them.
    approved: card("4242424242424242"),
    declined: { card: card("4000000000000002"), code: "card_declined" },
    challenge: card("4000000000003220"),
  },
  idempotencyHeader: "Idempotency-Key",
  /** PaymentResponse and modification answers carry `amount: {value, currency}` at the top level. */
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
  currencies: ["EUR", "JPY", "KWD"],
};
