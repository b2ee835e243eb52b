/**
 * Test support for the Mollie plugin and emulator: the emulator on 127.0.0.1 under a prefix with a webhook
 * receiver, and one test's world: the real plugin over the real fetch transport, every request it sent and
 * every answer it read checked against the schemas of Mollie's API (api_schemas_test_support.ts), and the
 * logs checked for the API key.
 * @module
 */
import { ok, strictEqual as equal } from "node:assert/strict";
import { createFetchPspHttp } from "../../adapters/psp_http/fetch_psp_http.ts";
import type {
  LogFields,
  Logger,
  PayInput,
  PspCallContext,
  PspHttp,
  PspHttpRequest,
  PspHttpResult,
  PspOutcome,
} from "../../src/mod.ts";
import {
  type NotificationReceiver,
  serveOnLoopback,
  startNotificationReceiver,
} from "../kit/emulator/mod.ts";
import { answerSchema, issuesOf, requestSchema } from "./api_schemas_test_support.ts";
import { createMollieEmulator, type MollieEmulator, type MollieEmulatorOptions } from "./emulator/mod.ts";

export const API_KEY = "test_PluginTestsKey000000000000001";
export const OTHER_API_KEY = "test_SomeoneElsesKey00000000000002";
export const UNKNOWN_API_KEY = "test_NotAnAccountKey00000000000003";
export const PREFIX = "/mollie";
export const EUR_10 = { amountMinor: 1000, currency: "EUR" };
export const RETURN_BASE = "https://gateway.example/v1/return/";

export interface Harness {
  readonly emulator: MollieEmulator;
  /** The Payments API base, like https://api.mollie.com/v2. */
  readonly apiUrl: string;
  readonly receiver: NotificationReceiver;
  close(): Promise<void>;
}

export function startHarness(
  options: Partial<Omit<MollieEmulatorOptions, "publicUrl" | "accounts">> = {},
): Harness {
  const receiver = startNotificationReceiver();
  const server = serveOnLoopback((publicUrl) =>
    createMollieEmulator({
      publicUrl,
      accounts: [{ apiKey: API_KEY }, { apiKey: OTHER_API_KEY }],
      refundAfterMs: 40,
      settleAfterMs: 40,
      tickMs: 5,
      webhooks: { firstDelayMs: 5, retryBaseMs: 20 },
      ...options,
    }), { prefix: PREFIX });
  return {
    emulator: server.app,
    apiUrl: `${server.url}/v2`,
    receiver,
    async close() {
      await server.close();
      await receiver.close();
    },
  };
}

export interface Recorded {
  readonly request: PspHttpRequest;
  readonly result: PspHttpResult;
}

/** Replaces what the transport gives back for a request, after (or instead of) sending it. */
export type Fault = (request: PspHttpRequest, send: () => Promise<PspHttpResult>) => Promise<PspHttpResult>;

export interface World {
  readonly harness: Harness;
  readonly sent: Recorded[];
  readonly logLines: string[];
  /** The next requests matching go through this fault instead of straight to the emulator. */
  fault(match: (request: PspHttpRequest) => boolean, fault: Fault, times?: number): void;
  context(overrides?: Partial<PspCallContext>): PspCallContext;
  /** The gateway's webhook URL for a payment: the receiver, naming the reference. */
  notificationUrl(reference: string): string;
}

function recordingLogger(lines: string[]): Logger {
  const write = (level: string) => (event: string, fields?: LogFields) =>
    lines.push(JSON.stringify({ level, event, ...fields }));
  return { info: write("info"), warn: write("warn"), error: write("error") };
}

/** The path below /v2 and the method of a request, for the schemas. */
export function apiPath(url: string): string {
  return new URL(url).pathname.replace(/^.*\/v2(?=\/)/, "");
}

/**
 * Every request must fit Mollie's request schema, carry the key as a bearer token and, when it is a POST, the
 * core's idempotency key (and a GET none); every answer the emulator gave must fit the answer schema; the API
 * key must not reach the logs.
 */
function checkSent(world: World): void {
  for (const { request, result } of world.sent) {
    const path = apiPath(request.url);
    const schema = requestSchema(request.method, path);
    if (schema !== undefined) {
      equal(issuesOf(schema, request.json).join("\n"), "", `${request.operation} body`);
    } else equal(request.json, undefined, `${request.operation} sends no body`);
    ok(
      /^Bearer test_\w+$/.test(request.headers?.Authorization ?? ""),
      "the API key is sent as a bearer token",
    );
    equal(
      "Idempotency-Key" in (request.headers ?? {}),
      request.method === "POST",
      `${request.operation} key`,
    );
    if (
      result.kind !== "response" || result.body === "" || !result.headers["content-type"]?.includes("hal")
    ) {
      continue;
    }
    const answer = answerSchema(request.method, path.replace(/\?.*$/, ""), result.status);
    ok(answer !== undefined, `no schema for the answer ${result.status} to ${request.method} ${path}`);
    equal(
      issuesOf(answer, JSON.parse(result.body)).join("\n"),
      "",
      `${request.operation} answer ${result.status}`,
    );
  }
  const logs = world.logLines.join("\n");
  for (const secret of [API_KEY, OTHER_API_KEY, UNKNOWN_API_KEY]) {
    ok(!logs.includes(secret), "an API key was logged");
  }
}

export function pluginTest(
  name: string,
  fn: (world: World) => Promise<void>,
  options: Partial<Omit<MollieEmulatorOptions, "publicUrl" | "accounts">> = {},
): void {
  Deno.test(name, async () => {
    const harness = startHarness(options);
    const sent: Recorded[] = [];
    const logLines: string[] = [];
    const faults: { match: (request: PspHttpRequest) => boolean; fault: Fault; times: number }[] = [];
    const inner = createFetchPspHttp({ logger: recordingLogger(logLines), context: { plugin: "mollie" } });
    const http: PspHttp = {
      async send(request, deadline) {
        const send = () => inner.send(request, deadline);
        const index = faults.findIndex((entry) => entry.times > 0 && entry.match(request));
        if (index >= 0) faults[index].times--;
        const result = index >= 0 ? await faults[index].fault(request, send) : await send();
        sent.push({ request, result });
        return result;
      },
    };
    const world: World = {
      harness,
      sent,
      logLines,
      fault(match, fault, times = 1) {
        faults.push({ match, fault, times });
      },
      context: (overrides = {}) => ({
        idempotencyKey: `gw-${crypto.randomUUID().replaceAll("-", "").slice(0, 26)}-p1`,
        deadline: Date.now() + 5_000,
        credentials: { apiKey: API_KEY, baseUrl: harness.apiUrl },
        test: true,
        http,
        ...overrides,
      }),
      notificationUrl: (reference) =>
        `${harness.receiver.url}/v1/notifications/mollie?reference=${reference}`,
    };
    try {
      await fn(world);
      checkSent(world);
    } finally {
      await harness.close();
    }
  });
}

/** A gateway reference of shop `demo`, as the core makes them. */
export function newReference(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  const token = Array.from(crypto.getRandomValues(new Uint8Array(26)), (byte) => alphabet[byte % 32]).join(
    "",
  );
  return `demo.${token}`;
}

export function payInput(world: World, overrides: Partial<PayInput> = {}): PayInput {
  const reference = overrides.reference ?? newReference();
  return {
    reference,
    amount: EUR_10,
    captureMode: "sale",
    returnUrl: `${RETURN_BASE}${reference}`,
    notificationUrl: world.notificationUrl(reference),
    shopper: { ipAddress: "203.0.113.7" },
    description: "Order #1001",
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

/** The buyer on Mollie's checkout: POSTs the action and returns where the 303 sends them. */
export async function buyerChooses(checkoutUrl: string, action: "approve" | "pending" | "fail" | "cancel") {
  const response = await fetch(checkoutUrl, {
    method: "POST",
    body: new URLSearchParams({ action }),
    redirect: "manual",
  });
  await response.body?.cancel();
  equal(response.status, 303);
  return response.headers.get("location") ?? "";
}

/** Polls `check` until it holds, failing after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("Cannot see the expected state: it did not arrive in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
