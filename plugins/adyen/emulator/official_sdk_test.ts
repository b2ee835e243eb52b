/**
 * The emulator is useful on its own, like stripe-mock: Adyen's official Node library (@adyen/api-library,
 * 31.0.0, the last release on Checkout API v71) makes a payment, a capture and refunds with idempotency keys
 * against the standalone sandbox (`deno task sandbox adyen`), and validates the emulator's notifications with
 * its own HMAC validator.
 *
 * The library cannot be pointed at another host by configuration: each Checkout service hard-codes
 * `https://checkout-test.adyen.com/v71` (a private `baseUrl`), and its default HTTP client speaks only HTTPS.
 * Its public extension point is the HTTP client (`client.httpClient = ...`, the `ClientInterface`): the one
 * below carries the library's own requests (URL path, `X-API-Key`, `Idempotency-Key`, serialized body) to the
 * emulator over loopback HTTP and raises the library's HttpClientException for error answers, as its own
 * client does. Everything else (request building, serialization, answer parsing) is the library's.
 */
import { deepStrictEqual as assertEquals, ok, strictEqual as equal } from "node:assert/strict";
import adyen from "@adyen/api-library";
import { startNotificationReceiver } from "../../kit/emulator/mod.ts";
import { DEMO_ACCOUNT, startSandboxProcess } from "./sandbox_test_support.ts";

const { CheckoutAPI, Client, EnvironmentEnum, HttpClientException, hmacValidator } = adyen;
type ClientInterface = InstanceType<typeof Client>["httpClient"];

const ADYEN_TEST_ORIGIN = "https://checkout-test.adyen.com";

interface Sent {
  readonly method: string;
  readonly path: string;
  readonly idempotencyKey: string | null;
}

/** The library's requests, sent to the emulator instead of Adyen's test host. */
function loopbackHttpClient(origin: string, sent: Sent[]): ClientInterface {
  return {
    async request(endpoint, json, config, _isApiKeyRequired, requestOptions = {}) {
      if (!endpoint.startsWith(`${ADYEN_TEST_ORIGIN}/`)) throw new Error(`Unexpected endpoint ${endpoint}`);
      const url = new URL(endpoint.slice(ADYEN_TEST_ORIGIN.length), origin);
      const headers = new Headers({
        "Content-Type": "application/json",
        "User-Agent": "adyen-node-api-library",
      });
      if (config.apiKey !== undefined) headers.set("X-API-Key", config.apiKey);
      if (requestOptions.idempotencyKey !== undefined) {
        headers.set("Idempotency-Key", requestOptions.idempotencyKey);
      }
      const method = requestOptions.method ?? "POST";
      const response = await fetch(url, {
        method,
        headers,
        body: typeof json === "string" ? json : undefined,
      });
      sent.push({
        method,
        path: url.pathname,
        idempotencyKey: headers.get("idempotency-key"),
      });
      const body = await response.text();
      if (!response.ok) {
        const apiError = JSON.parse(body);
        throw new HttpClientException({
          message: `HTTP Exception: ${apiError.status}. ${apiError.message}`,
          statusCode: apiError.status,
          errorCode: apiError.errorCode,
          responseBody: body,
          apiError,
        });
      }
      return body;
    },
  };
}

const FUTURE_YEAR = String(new Date().getUTCFullYear() + 3);

Deno.test("Adyen's official Node library pays, captures and refunds on the standalone sandbox", async () => {
  const gateway = startNotificationReceiver({ acceptBody: "[accepted]" });
  const sandbox = await startSandboxProcess(["adyen", "--port", "0", "--notify-url", gateway.url]);
  try {
    const sent: Sent[] = [];
    const client = new Client({ apiKey: DEMO_ACCOUNT.apiKey, environment: EnvironmentEnum.TEST });
    client.httpClient = loopbackHttpClient(sandbox.url, sent);
    const checkout = new CheckoutAPI(client);
    const merchantAccount = DEMO_ACCOUNT.merchantAccount;
    const reference = `sdk-order-${crypto.randomUUID()}`;
    const request = {
      merchantAccount,
      reference,
      amount: { currency: "EUR", value: 1000 },
      returnUrl: "https://shop.example/checkout/return",
      paymentMethod: {
        type: "scheme",
        number: "4242424242424242",
        expiryMonth: "03",
        expiryYear: FUTURE_YEAR,
        cvc: "737",
        holderName: "Ada Lovelace",
      },
      additionalData: { manualCapture: "true" },
    } as Parameters<typeof checkout.PaymentsApi.payments>[0];
    const payKey = crypto.randomUUID();
    const paid = await checkout.PaymentsApi.payments(request, { idempotencyKey: payKey });
    equal(paid.resultCode, "Authorised");
    const psp = paid.pspReference!;
    const again = await checkout.PaymentsApi.payments(request, { idempotencyKey: payKey });
    equal(again.pspReference, psp, "the same key replays the same payment");

    const captureKey = crypto.randomUUID();
    const captured = await checkout.ModificationsApi.captureAuthorisedPayment(psp, {
      merchantAccount,
      amount: { currency: "EUR", value: 1000 },
      reference: `${reference}-capture`,
    }, { idempotencyKey: captureKey });
    equal(String(captured.status), "received");
    equal(captured.paymentPspReference, psp);

    const refundKey = crypto.randomUUID();
    const refund = (value: number, key: string) =>
      checkout.ModificationsApi.refundCapturedPayment(psp, {
        merchantAccount,
        amount: { currency: "EUR", value },
        reference: `${reference}-refund-${value}`,
      }, { idempotencyKey: key });
    const refunded = await refund(400, refundKey);
    equal(String(refunded.status), "received");
    equal(
      (await refund(400, refundKey)).pspReference,
      refunded.pspReference,
      "a replayed refund is the same one",
    );
    const tooMuch = await refund(700, crypto.randomUUID());

    // A validation error comes back as the library's own exception, with Adyen's error code.
    const invalid = await checkout.PaymentsApi.payments(
      {
        ...request,
        paymentMethod: { ...request.paymentMethod, number: "4242424242424241" },
      } as typeof request,
      { idempotencyKey: crypto.randomUUID() },
    ).then(() => undefined, (error: unknown) => error);
    ok(invalid instanceof HttpClientException, "an HttpClientException");
    equal(invalid.statusCode, 422);
    equal(invalid.errorCode, "101");

    assertEquals(
      sent.map((s) => [s.path, s.idempotencyKey]),
      [
        ["/v71/payments", payKey],
        ["/v71/payments", payKey],
        [`/v71/payments/${psp}/captures`, captureKey],
        [`/v71/payments/${psp}/refunds`, refundKey],
        [`/v71/payments/${psp}/refunds`, refundKey],
        [`/v71/payments/${psp}/refunds`, sent[5].idempotencyKey],
        ["/v71/payments", sent[6].idempotencyKey],
      ],
    );

    // The notifications verify with the library's own HMAC validator and follow Adyen's accounting rules.
    const outcomes = new Map<string, string>();
    for (const pspReference of [psp, captured.pspReference, refunded.pspReference, tooMuch.pspReference]) {
      const received = await gateway.waitFor(
        (n) => n.body.includes(`"pspReference":"${pspReference}"`),
        5_000,
      );
      equal(received.path, "/v1/notifications/adyen");
      const item = JSON.parse(received.body).notificationItems[0].NotificationRequestItem;
      ok(new hmacValidator().validateHMAC(item, DEMO_ACCOUNT.hmacKeyHex), "valid HMAC");
      outcomes.set(
        item.eventCode + (item.eventCode === "REFUND" ? `:${item.amount.value}` : ""),
        item.success,
      );
    }
    assertEquals(Object.fromEntries(outcomes), {
      AUTHORISATION: "true",
      CAPTURE: "true",
      "REFUND:400": "true",
      "REFUND:700": "false",
    });
  } finally {
    await sandbox.stop();
    await gateway.close();
  }
});
