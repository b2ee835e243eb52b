/**
 * The emulator on loopback for the plugin's tests and its conformance target: a test account, a receiver for
 * its notifications, and the views the conformance kit asks for (what was charged, the notification about an
 * operation, forged copies of one). Its shape is the kit's `ConformanceEmulator`.
 * @module
 */
import type { Money, RawNotification } from "../../../src/plugin_api.ts";
import {
  type ReceivedNotification,
  serveOnLoopback,
  startNotificationReceiver,
} from "../../kit/emulator/mod.ts";
import { createNpGbd5rszjn5Emulator, type NpGbd5rszjn5Emulator } from "./emulator.ts";
import { signBody } from "./notifications.ts";

const API_KEY = "test_conformance_key_0001";
const WEBHOOK_SECRET = "whsec_conformance_secret_0001";
/** Signs the `wrong_key` forgeries: a well-formed secret that is not the shop's. */
const FORGER_SECRET = "whsec_forger_secret_0000000001";

// TODO(np-gbd5rszjn5): your PSP's event type for each core operation.
const EVENT_TYPES = {
  pay: "payment.updated",
  capture: "capture.updated",
  void: "void.updated",
  refund: "refund.updated",
} as const;

export interface Harness {
  readonly emulator: NpGbd5rszjn5Emulator;
  readonly baseUrl: string;
  readonly credentials: { readonly apiKey: string; readonly webhookSecret: string; readonly baseUrl: string };
  readonly badCredentials: {
    readonly apiKey: string;
    readonly webhookSecret: string;
    readonly baseUrl: string;
  };
  charges(reference: string): { count: number; amounts: Money[] };
  notification(subject: { operation: keyof typeof EVENT_TYPES; reference: string }): Promise<RawNotification>;
  forgeNotification(
    raw: RawNotification,
    how: "wrong_key" | "tampered" | "unsigned",
  ): Promise<RawNotification>;
  expire(reference: string): Promise<void>;
  close(): Promise<void>;
}

function asRaw(received: ReceivedNotification): RawNotification {
  return { headers: received.headers, body: received.body, params: received.params };
}

function isAbout(received: ReceivedNotification, type: string, reference: string): boolean {
  try {
    const event = JSON.parse(received.body);
    return event.type === type && event.data?.reference === reference;
  } catch {
    return false;
  }
}

export function startNpGbd5rszjn5Harness(): Harness {
  const receiver = startNotificationReceiver({ acceptBody: "ok" });
  const server = serveOnLoopback((publicUrl) =>
    createNpGbd5rszjn5Emulator({
      publicUrl,
      accounts: [{
        apiKey: API_KEY,
        webhookSecret: WEBHOOK_SECRET,
        webhookUrl: `${receiver.url}/notifications`,
      }],
      webhookDelayMs: 1,
      webhookRetryBaseMs: 10,
    })
  );
  const baseUrl = `${server.url}/v1`;
  const credentials = { apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, baseUrl };
  return {
    emulator: server.app,
    baseUrl,
    credentials,
    badCredentials: { ...credentials, apiKey: "test_not_a_key_of_this_account" },
    charges(reference) {
      const booked = server.app.payments().filter((payment) => payment.reference === reference);
      return {
        count: booked.length,
        amounts: booked.map((payment) => ({
          amountMinor: payment.amount.value,
          currency: payment.amount.currency,
        })),
      };
    },
    async notification({ operation, reference }) {
      const type = EVENT_TYPES[operation];
      const found = await receiver.waitFor((received) => isAbout(received, type, reference)).catch(() =>
        undefined
      );
      if (found === undefined) throw new Error(`No ${type} notification for ${reference} within 3 s`);
      return asRaw(found);
    },
    async forgeNotification(raw, how) {
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
    expire: (reference) => server.app.expire(reference),
    async close() {
      await server.close();
      await receiver.close();
    },
  };
}

/** A Payment or Modification answer with its top-level `amount` replaced, or undefined when it has none. */
export function rewriteAmount(body: string, amount: Money): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== "object" || !("amount" in parsed)) return undefined;
  return JSON.stringify({ ...parsed, amount: { value: amount.amountMinor, currency: amount.currency } });
}
