/**
 * Test support for the plugin's tests: one test's world is the emulator over real HTTP, the real fetch
 * transport and a recording logger. After each test every request the plugin sent and every answer it read are
 * checked against Adyen's spec, and the logs against card data and secrets.
 * @module
 */
import { ok, strictEqual as equal } from "node:assert/strict";
import { createFetchPspHttp } from "../../adapters/psp_http/fetch_psp_http.ts";
import type {
  LogFields,
  Logger,
  PspCallContext,
  PspHttp,
  PspHttpRequest,
  PspHttpResult,
  PspOutcome,
} from "../../src/mod.ts";
import {
  API_KEY,
  assertValid,
  CHECKOUT_SPEC,
  FUTURE_YEAR,
  type Harness,
  HMAC_KEY_HEX,
  MERCHANT_ACCOUNT,
  startHarness,
} from "./test_support.ts";

export const EUR_10 = { amountMinor: 1000, currency: "EUR" };
export const RETURN_URL = "https://gateway.example/v1/return/pay_123?sig=abc";
/** The CVC every test card is sent with. */
export const TEST_CVC = "737";
const SECRETS = [API_KEY, HMAC_KEY_HEX];

export const CARDS = {
  approved: "4242424242424242",
  declined: "4000000000000002",
  insufficient: "4000000000009995",
  challenge: "4000000000003220",
  error500: "4000000000000119",
  timeout: "4000000000006975",
} as const;

export interface Recorded {
  readonly request: PspHttpRequest;
  readonly result: PspHttpResult;
}

export interface World {
  readonly harness: Harness;
  readonly sent: Recorded[];
  readonly logLines: string[];
  context(overrides?: Partial<PspCallContext>): PspCallContext;
}

function recordingLogger(lines: string[]): Logger {
  const write = (level: string) => (event: string, fields?: LogFields) =>
    lines.push(JSON.stringify({ level, event, ...fields }));
  return { info: write("info"), warn: write("warn"), error: write("error") };
}

function recording(inner: PspHttp, sent: Recorded[]): PspHttp {
  return {
    async send(request, deadline) {
      const result = await inner.send(request, deadline);
      sent.push({ request, result });
      return result;
    },
  };
}

export function pathTemplate(url: string): string {
  const path = new URL(url).pathname.replace(/^.*\/v71/, "");
  return path.replace(
    /^\/payments\/(?!details$)[^/]+\/(captures|cancels|refunds)$/,
    "/payments/{paymentPspReference}/$1",
  );
}

/**
 * Every request the plugin sent must match Adyen's spec and carry the API key and the core's key; every answer
 * it read must match the spec too; no secret, card number or CVC may reach the logs.
 */
function checkSent(world: World): void {
  for (const { request, result } of world.sent) {
    equal(request.method, "POST");
    const path = pathTemplate(request.url);
    assertValid(CHECKOUT_SPEC.request("POST", path, request.json), request.operation);
    ok((request.headers?.["X-API-Key"] ?? "").length > 0);
    ok((request.headers?.["Idempotency-Key"] ?? "").length > 0);
    ok((request.headers?.["Idempotency-Key"] ?? "").length <= 64);
    if (result.kind === "response" && result.body !== "") {
      const body = JSON.parse(result.body);
      assertValid(
        result.status === 409
          // 409 is not in the spec's response list; Adyen answers it with a ServiceError all the same.
          ? CHECKOUT_SPEC.schema("ServiceError", body)
          : CHECKOUT_SPEC.response("POST", path, result.status, body),
        `${request.operation} answer ${result.status}`,
      );
    }
  }
  const logs = world.logLines.join("\n");
  for (const secret of [...SECRETS, ...Object.values(CARDS)]) {
    ok(!logs.includes(secret), "a secret or card number was logged");
  }
  ok(!logs.includes(`"${TEST_CVC}"`), "a CVC was logged");
}

export function pluginTest(name: string, fn: (world: World) => Promise<void>, options = {}): void {
  Deno.test(name, async () => {
    const harness = startHarness(options);
    const sent: Recorded[] = [];
    const logLines: string[] = [];
    const http = recording(
      createFetchPspHttp({ logger: recordingLogger(logLines), context: { plugin: "adyen" } }),
      sent,
    );
    const world: World = {
      harness,
      sent,
      logLines,
      context: (overrides = {}) => ({
        idempotencyKey: crypto.randomUUID(),
        deadline: Date.now() + 5_000,
        credentials: {
          apiKey: API_KEY,
          merchantAccount: MERCHANT_ACCOUNT,
          hmacKeyHex: HMAC_KEY_HEX,
          baseUrl: harness.checkoutUrl,
        },
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

export function payInput(number: string, overrides: Record<string, unknown> = {}) {
  return {
    reference: `pay_${crypto.randomUUID()}`,
    amount: EUR_10,
    captureMode: "sale" as const,
    card: { number, expiryMonth: "3", expiryYear: FUTURE_YEAR, cvv: TEST_CVC, holderName: "Ada Lovelace" },
    returnUrl: RETURN_URL,
    shopper: {
      ipAddress: "203.0.113.7",
      userAgent: "Mozilla/5.0 (X11; Linux x86_64)",
      acceptLanguage: "nl-NL,nl;q=0.9",
    },
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

/** The buyer's side of the challenge: POST the action to the page and read the 303 back to the gateway. */
export async function buyerAnswers(
  url: string,
  action: "approve" | "fail" | "cancel",
): Promise<Record<string, string>> {
  const response = await fetch(url, {
    method: "POST",
    body: new URLSearchParams({ action }),
    redirect: "manual",
  });
  equal(response.status, 303);
  await response.body?.cancel();
  const back = new URL(response.headers.get("location") ?? "");
  equal(`${back.origin}${back.pathname}`, "https://gateway.example/v1/return/pay_123");
  return Object.fromEntries(back.searchParams);
}
