/**
 * One plugin test's world: the PayPal emulator over real HTTP, the gateway's real fetch transport with a
 * recording logger, and a transport hook to lose or change answers. After each test every request the plugin
 * sent and every answer it read are checked against PayPal's documents, every call with an effect for its
 * PayPal-Request-Id, and the logs for secrets and tokens.
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
import { clearTokenCache, TOKEN_OPERATION } from "./access_token.ts";
import { VERIFY_OPERATION } from "./notification.ts";
import { APP, checkExchange, type Harness, SECRETS, startHarness } from "./test_support.ts";
import type { PayPalEmulatorOptions } from "./emulator/mod.ts";
import { createPayPalPlugin } from "./mod.ts";

export const EUR_10 = { amountMinor: 1000, currency: "EUR" };
export const RETURN_URL = "https://gateway.example/v1/return/demo.abcdefghijklmnop";

export interface Recorded {
  readonly request: PspHttpRequest;
  readonly result: PspHttpResult;
}

/** Changes what the plugin gets for one request (the emulator has already acted on it), or nothing. */
export type Fault = (request: PspHttpRequest, result: PspHttpResult) => PspHttpResult | undefined;

export interface World {
  readonly harness: Harness;
  readonly sent: Recorded[];
  readonly logLines: string[];
  /** The next requests matching `operation` get `fault` applied, once each, `times` times. */
  fault(operation: string, fault: Fault, times?: number): void;
  context(overrides?: Partial<PspCallContext>): PspCallContext;
}

function recordingLogger(lines: string[]): Logger {
  const write = (level: string) => (event: string, fields?: LogFields) =>
    lines.push(JSON.stringify({ level, event, ...fields }));
  return { info: write("info"), warn: write("warn"), error: write("error") };
}

/** Operations that carry no PayPal-Request-Id: they change nothing at PayPal. */
const KEYLESS = [TOKEN_OPERATION, VERIFY_OPERATION];

function checkSent(world: World): void {
  for (const { request, result } of world.sent) {
    if (request.operation === TOKEN_OPERATION) {
      ok((request.headers?.Authorization ?? "").startsWith("Basic "));
      equal(request.form?.grant_type, "client_credentials");
      continue;
    }
    ok(
      (request.headers?.Authorization ?? "").startsWith("Bearer "),
      `${request.operation} has no bearer token`,
    );
    const requestId = request.headers?.["PayPal-Request-Id"];
    if (request.method === "POST" && !KEYLESS.includes(request.operation)) {
      ok(
        requestId !== undefined && requestId.length > 0 && requestId.length <= 108,
        `${request.operation} key`,
      );
    } else {
      equal(requestId, undefined, `${request.operation} carries a PayPal-Request-Id`);
    }
    if (result.kind === "response" && result.status < 500 && !result.body.startsWith("<")) {
      checkExchange(request.method, request.url, request.json, result.status, result.body);
    }
  }
  const logs = world.logLines.join("\n");
  for (const secret of SECRETS) ok(!logs.includes(secret), "a secret was logged");
  ok(!logs.includes("A21AA"), "an access token was logged");
}

export function pluginTest(
  name: string,
  fn: (world: World) => Promise<void>,
  options: Partial<Omit<PayPalEmulatorOptions, "publicUrl" | "apps">> = {},
): void {
  Deno.test(name, async () => {
    clearTokenCache();
    const harness = startHarness(options);
    const sent: Recorded[] = [];
    const logLines: string[] = [];
    const faults: { operation: string; fault: Fault; times: number }[] = [];
    const inner = createFetchPspHttp({ logger: recordingLogger(logLines), context: { plugin: "paypal" } });
    const http: PspHttp = {
      async send(request, deadline) {
        const pending = faults.find((f) => f.operation === request.operation && f.times > 0);
        let result = await inner.send(request, deadline);
        sent.push({ request, result });
        if (pending !== undefined) {
          pending.times--;
          result = pending.fault(request, result) ?? result;
        }
        return result;
      },
    };
    const world: World = {
      harness,
      sent,
      logLines,
      fault(operation, fault, times = 1) {
        faults.push({ operation, fault, times });
      },
      context: (overrides = {}) => ({
        idempotencyKey: `gw-${crypto.randomUUID()}`,
        deadline: Date.now() + 5_000,
        credentials: { ...APP, baseUrl: harness.url },
        test: true,
        http,
        ...overrides,
      }),
    };
    try {
      await fn(world);
      checkSent(world);
    } finally {
      await harness.close();
    }
  });
}

/** The answer never reached the plugin (the emulator acted on the request). */
export const LOSE_ANSWER: Fault = () => ({ kind: "no_answer", detail: "the connection broke" });

export function payInput(overrides: Partial<PayInput> = {}): PayInput {
  return {
    reference: `demo.${randomToken()}`,
    amount: EUR_10,
    captureMode: "sale",
    returnUrl: RETURN_URL,
    shopper: { acceptLanguage: "nl-NL,nl;q=0.9", email: "ada@example.com" },
    description: "Order #1042",
    ...overrides,
  };
}

/** A gateway reference token (base32, 16 to 32 characters). */
export function randomToken(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  return Array.from(crypto.getRandomValues(new Uint8Array(20)), (byte) => alphabet[byte % 32]).join("");
}

export function expectKind<K extends PspOutcome["kind"]>(
  outcome: PspOutcome,
  kind: K,
): Extract<PspOutcome, { kind: K }> {
  equal(outcome.kind, kind, `expected ${kind}, got ${JSON.stringify(outcome)}`);
  return outcome as Extract<PspOutcome, { kind: K }>;
}

/** The buyer on PayPal's page: POST the action, follow the 303 back, and return what the browser brings. */
export async function buyerActs(
  url: string,
  action: "approve" | "fail" | "cancel",
): Promise<Record<string, string>> {
  const page = await fetch(url);
  equal(page.status, 200);
  ok((await page.text()).includes("<form"), "the approval page has a form");
  const response = await fetch(url, {
    method: "POST",
    body: new URLSearchParams({ action }),
    redirect: "manual",
  });
  equal(response.status, 303);
  await response.body?.cancel();
  const back = new URL(response.headers.get("location") ?? "");
  equal(`${back.origin}${back.pathname}`, RETURN_URL);
  return Object.fromEntries(back.searchParams);
}

/** A payment the buyer approved and the gateway captured (sale) or authorized. */
export async function paidOrder(world: World, overrides: Partial<PayInput> = {}) {
  const input = payInput(overrides);
  const action = expectKind(await createPayPalPlugin().pay(input, world.context()), "requires_action");
  const returnParams = await buyerActs(action.redirect.url, "approve");
  const outcome = await createPayPalPlugin().continueAfterRedirect(
    { reference: input.reference, amount: input.amount, resume: action.resume, returnParams },
    world.context(),
  );
  return { input, orderId: expectKind(outcome, "succeeded").pspReference, action };
}
