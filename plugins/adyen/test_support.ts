/**
 * Test support for the Adyen plugin and emulator: an emulator served on 127.0.0.1 under a mount prefix, a
 * webhook receiver that records what it is sent, and the Adyen OpenAPI validators.
 * @module
 */
import { createSpecValidator, formatIssues, type SpecValidator } from "../../test/support/openapi.ts";
import { type AdyenEmulator, type AdyenEmulatorOptions, createAdyenEmulator } from "./emulator/mod.ts";

export const API_KEY = "AQE-test-api-key-secret-0001";
export const MERCHANT_ACCOUNT = "GenstoreGatewayECOM";
export const HMAC_KEY_HEX = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056";
export const OTHER_API_KEY = "AQE-other-api-key-secret-0002";
export const OTHER_MERCHANT_ACCOUNT = "SomeoneElseECOM";
export const MOUNT_PREFIX = "/_emulator/adyen";

export const CHECKOUT_SPEC: SpecValidator = createSpecValidator(
  new URL("../../test/peers/adyen/CheckoutService-v71.json", import.meta.url),
);
export const WEBHOOKS_SPEC: SpecValidator = createSpecValidator(
  new URL("../../test/peers/adyen/Webhooks-v1.json", import.meta.url),
);

export interface ReceivedWebhook {
  readonly body: string;
  readonly json: {
    live: string;
    notificationItems: { NotificationRequestItem: Record<string, unknown> & { eventCode: string } }[];
  };
}

export interface Harness {
  readonly emulator: AdyenEmulator;
  /** The Checkout base URL of the emulator, like https://checkout-test.adyen.com/v71. */
  readonly checkoutUrl: string;
  readonly publicUrl: string;
  readonly webhooks: ReceivedWebhook[];
  /** Makes the webhook receiver answer this status to the next `count` deliveries. */
  failNextWebhooks(count: number, status?: number): void;
  /** Waits until a received notification matches, failing the test after `timeoutMs`. */
  waitForWebhook(
    match: (item: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedWebhook>;
  close(): Promise<void>;
}

export function startHarness(
  options: Partial<Omit<AdyenEmulatorOptions, "publicUrl" | "basePath" | "accounts">> = {},
): Harness {
  const webhooks: ReceivedWebhook[] = [];
  let failures: { count: number; status: number } = { count: 0, status: 500 };
  const receiver = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const body = await request.text();
    if (failures.count > 0) {
      failures.count--;
      return new Response("try again", { status: failures.status });
    }
    webhooks.push({ body, json: JSON.parse(body) });
    return new Response("[accepted]");
  });
  // The emulator needs its public URL, which is known only once the server listens on its port.
  const mounted: { emulator?: AdyenEmulator } = {};
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => mounted.emulator?.fetch(request) ?? new Response("starting", { status: 503 }),
  );
  const publicUrl = `http://127.0.0.1:${server.addr.port}${MOUNT_PREFIX}`;
  const ready = createAdyenEmulator({
    publicUrl,
    basePath: MOUNT_PREFIX,
    accounts: [
      {
        apiKey: API_KEY,
        merchantAccount: MERCHANT_ACCOUNT,
        hmacKeyHex: HMAC_KEY_HEX,
        webhookUrl: `http://127.0.0.1:${receiver.addr.port}/notifications`,
      },
      { apiKey: OTHER_API_KEY, merchantAccount: OTHER_MERCHANT_ACCOUNT, hmacKeyHex: "00ff" },
    ],
    webhookDelayMs: 5,
    webhookRetryBaseMs: 20,
    holdMs: 2_000,
    ...options,
  });
  mounted.emulator = ready;
  return {
    emulator: ready,
    checkoutUrl: `${publicUrl}/v71`,
    publicUrl,
    webhooks,
    failNextWebhooks(count, status = 500) {
      failures = { count, status };
    },
    async waitForWebhook(match, timeoutMs = 3_000) {
      const started = Date.now();
      while (Date.now() - started < timeoutMs) {
        const found = webhooks.find((webhook) =>
          webhook.json.notificationItems.some((wrapper) => match(wrapper.NotificationRequestItem))
        );
        if (found !== undefined) return found;
        await delay(10);
      }
      throw new Error("Cannot find the expected notification: none matched before the timeout");
    },
    async close() {
      ready.close();
      await server.shutdown();
      await receiver.shutdown();
    },
  };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Throws with every issue listed when a body does not match the spec. */
export function assertValid(issues: ReturnType<SpecValidator["request"]>, what: string): void {
  if (issues.length > 0) {
    throw new Error(`${what} does not match Adyen's OpenAPI document:\n${formatIssues(issues)}`);
  }
}

/** A card expiry year safely in the future, whatever year the tests run in. */
export const FUTURE_YEAR = String(new Date().getUTCFullYear() + 3);

export function cardMethod(number: string): Record<string, string> {
  return {
    type: "scheme",
    number,
    expiryMonth: "03",
    expiryYear: FUTURE_YEAR,
    cvc: "737",
    holderName: "Ada Lovelace",
  };
}

/** A schema-valid PaymentRequest for the emulator. */
export function paymentBody(
  number: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    merchantAccount: MERCHANT_ACCOUNT,
    reference: `order-${crypto.randomUUID()}`,
    amount: { value: 1000, currency: "EUR" },
    returnUrl: "https://shop.example/return?order=42",
    paymentMethod: cardMethod(number),
    ...overrides,
  };
}
