/**
 * Test support for the Adyen plugin and emulator: an emulator served on 127.0.0.1 under a mount prefix, a
 * webhook receiver that records what it is sent (both from the emulator kit), and the Adyen OpenAPI validators.
 * @module
 */
import {
  type LoopbackServer,
  type NotificationReceiver,
  type ReceivedNotification,
  serveOnLoopback,
  startNotificationReceiver,
} from "../kit/emulator/mod.ts";
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
  /** The notifications received so far, in order. */
  readonly webhooks: readonly ReceivedWebhook[];
  /** Makes the webhook receiver answer this status to the next `count` deliveries. */
  failNextWebhooks(count: number, status?: number): void;
  /** Waits until a received notification matches, failing the test after `timeoutMs`. */
  waitForWebhook(
    match: (item: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedWebhook>;
  close(): Promise<void>;
}

/** serveOnLoopback, closing the receiver when the emulator cannot start (a locked state file). */
function serveOnLoopbackOrClose(
  receiver: NotificationReceiver,
  create: (publicUrl: string) => AdyenEmulator,
  options: { prefix: string },
): LoopbackServer<AdyenEmulator> {
  try {
    return serveOnLoopback(create, options);
  } catch (error) {
    void receiver.close();
    throw error;
  }
}

function asWebhook(received: ReceivedNotification): ReceivedWebhook {
  return { body: received.body, json: JSON.parse(received.body) };
}

/**
 * The emulator on 127.0.0.1 under MOUNT_PREFIX (the kit's loopback server), its notifications going to a
 * recording receiver. `statePath` keeps its state in a file, as the sandbox does in dev mode.
 */
export function startHarness(
  options: Partial<Omit<AdyenEmulatorOptions, "publicUrl" | "basePath" | "accounts">> = {},
): Harness {
  const receiver = startNotificationReceiver({ acceptBody: "[accepted]" });
  const server = serveOnLoopbackOrClose(receiver, (publicUrl) =>
    createAdyenEmulator({
      publicUrl,
      accounts: [
        {
          apiKey: API_KEY,
          merchantAccount: MERCHANT_ACCOUNT,
          hmacKeyHex: HMAC_KEY_HEX,
          webhookUrl: `${receiver.url}/notifications`,
        },
        { apiKey: OTHER_API_KEY, merchantAccount: OTHER_MERCHANT_ACCOUNT, hmacKeyHex: "00ff" },
      ],
      webhookDelayMs: 5,
      webhookRetryBaseMs: 20,
      holdMs: 2_000,
      ...options,
    }), { prefix: MOUNT_PREFIX });
  const matches = (match: (item: Record<string, unknown>) => boolean) => (received: ReceivedNotification) =>
    asWebhook(received).json.notificationItems.some((wrapper) => match(wrapper.NotificationRequestItem));
  return {
    emulator: server.app,
    checkoutUrl: `${server.url}/v71`,
    publicUrl: server.url,
    get webhooks() {
      return receiver.received.map(asWebhook);
    },
    failNextWebhooks(count, status = 500) {
      receiver.failNext(count, status);
    },
    async waitForWebhook(match, timeoutMs = 3_000) {
      return asWebhook(await receiver.waitFor(matches(match), timeoutMs));
    },
    async close() {
      await server.close();
      await receiver.close();
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
