/**
 * Test support for the plugin's tests: the emulator reached in process (no network), a stub transport that
 * plays recorded answers, and call contexts.
 * @module
 */
import { strictEqual as equal } from "node:assert/strict";
import type {
  CardDetails,
  PayInput,
  PspCallContext,
  PspHttp,
  PspHttpRequest,
  PspHttpResult,
  PspOutcome,
} from "../../src/plugin_api.ts";
import type { SkeletonPayEmulator } from "./emulator/mod.ts";

export const API_KEY = "test_plugin_tests_key_0001";
export const WEBHOOK_SECRET = "whsec_plugin_tests_secret_0001";
/** Without baseUrl: requests go to the default test host, which the in-process transport serves. */
export const CREDENTIALS = { apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET };
export const EUR_10 = { amountMinor: 1000, currency: "EUR" };
export const FUTURE_YEAR = String(new Date().getUTCFullYear() + 3);

export const CARDS = {
  approved: "4242424242424242",
  declined: "4000000000000002",
  insufficient: "4000000000009995",
  failing: "4000000000000119",
  processing: "4000000000000077",
} as const;

export function card(number: string): CardDetails {
  return { number, expiryMonth: "03", expiryYear: FUTURE_YEAR, cvv: "123" };
}

export function payInput(number: string, overrides: Partial<PayInput> = {}): PayInput {
  return {
    reference: `shop.${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`,
    amount: EUR_10,
    captureMode: "sale",
    card: card(number),
    returnUrl: "https://gateway.example/v1/return",
    shopper: {},
    ...overrides,
  };
}

/** A transport that keeps every request it was given. */
export interface Recording extends PspHttp {
  readonly requests: PspHttpRequest[];
}

/** Serves every request with the emulator, in process, whatever the host. */
export function emulatorHttp(emulator: SkeletonPayEmulator): Recording {
  const requests: PspHttpRequest[] = [];
  return {
    requests,
    async send(request) {
      requests.push(request);
      const response = await emulator.fetch(
        new Request(request.url, {
          method: request.method,
          headers: {
            ...request.headers,
            ...(request.json === undefined ? {} : { "content-type": "application/json" }),
          },
          body: request.json === undefined ? undefined : JSON.stringify(request.json),
        }),
      );
      return {
        kind: "response",
        status: response.status,
        headers: Object.fromEntries(response.headers),
        body: await response.text(),
      };
    },
  };
}

/** Plays recorded results, one per request. */
export function stubHttp(...results: PspHttpResult[]): Recording {
  const requests: PspHttpRequest[] = [];
  return {
    requests,
    send(request) {
      requests.push(request);
      const result = results[requests.length - 1];
      return result === undefined
        ? Promise.reject(new Error("No recorded answer left"))
        : Promise.resolve(result);
    },
  };
}

/** A JSON answer as the transport hands it over. */
export function answer(status: number, body: unknown): PspHttpResult {
  return {
    kind: "response",
    status,
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
}

export function context(http: PspHttp, overrides: Partial<PspCallContext> = {}): PspCallContext {
  return {
    idempotencyKey: `gw-${crypto.randomUUID().slice(0, 16)}-p1`,
    deadline: Date.now() + 5_000,
    credentials: CREDENTIALS,
    test: true,
    http,
    ...overrides,
  };
}

export function expectKind<K extends PspOutcome["kind"]>(
  outcome: PspOutcome,
  kind: K,
): Extract<PspOutcome, { kind: K }> {
  equal(outcome.kind, kind, `expected ${kind}, got ${JSON.stringify(outcome)}`);
  return outcome as Extract<PspOutcome, { kind: K }>;
}

/** What a table row compares: the kind, and the code of a failure. */
export function summary(outcome: PspOutcome): { kind: string; code?: string } {
  return outcome.kind === "failed" ? { kind: outcome.kind, code: outcome.code } : { kind: outcome.kind };
}

/** A call context for parseNotification(): the shop's credentials, and a transport that is never used. */
export function notificationContext(
  credentials: Readonly<Record<string, unknown>> = CREDENTIALS,
): PspCallContext {
  return {
    idempotencyKey: "",
    deadline: Date.now() + 5_000,
    credentials,
    test: true,
    http: { send: () => Promise.resolve({ kind: "not_sent", detail: "no network in this test" }) },
  };
}
