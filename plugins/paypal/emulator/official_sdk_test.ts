/**
 * The emulator is useful on its own: PayPal's official server SDK (@paypal/paypal-server-sdk 2.5, generated
 * from the same REST APIs) gets its own OAuth2 token, creates, approves (the buyer's page), captures and
 * refunds an order, and authorizes, partly captures and voids another, against the emulator served alone at
 * PayPal's root paths (what `deno task sandbox paypal` does with createPayPalSandboxEmulator).
 *
 * The SDK cannot be pointed at another host by configuration: its only environments are `Production`
 * (https://api-m.paypal.com) and `Sandbox` (https://api-m.sandbox.paypal.com), chosen in a private
 * `getBaseUri`. Its public extension point is the HTTP agent (`httpClientOptions.httpsAgent`): the agent below
 * hands the SDK's HTTPS client a plain TCP connection to the emulator on loopback, so every request the SDK
 * builds (paths, headers such as PayPal-Request-Id and Prefer, bodies, its own token request) reaches the
 * emulator unchanged, and every answer is parsed by the SDK.
 */
import { ok, strictEqual as equal } from "node:assert/strict";
import https from "node:https";
import net from "node:net";
import {
  ApiError,
  CheckoutPaymentIntent,
  Client,
  Environment,
  OrdersController,
  PaymentsController,
} from "@paypal/paypal-server-sdk";
import { serveOnLoopback } from "../../kit/emulator/mod.ts";
import { APP } from "../test_support.ts";
import { createPayPalSandboxEmulator } from "./mod.ts";

/** Sends the SDK's HTTPS requests, in plain HTTP, to the emulator on 127.0.0.1. */
class LoopbackAgent extends https.Agent {
  readonly #port: number;
  readonly hosts: string[] = [];

  constructor(port: number) {
    super({ keepAlive: false });
    this.#port = port;
  }

  createConnection(
    options: { host?: string },
    callback?: (error: Error | null, socket: net.Socket) => void,
  ) {
    this.hosts.push(options.host ?? "");
    const socket = net.connect(this.#port, "127.0.0.1");
    callback?.(null, socket);
    return socket;
  }
}

async function buyerApproves(url: string): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    body: new URLSearchParams({ action: "approve" }),
    redirect: "manual",
  });
  equal(response.status, 303);
  await response.body?.cancel();
}

Deno.test({
  name:
    "PayPal's official server SDK pays, captures, refunds, authorizes and voids on the standalone emulator",
  // The SDK's HTTP client (axios) keeps timers of its own after the last request.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const server = serveOnLoopback((publicUrl) =>
      createPayPalSandboxEmulator({ publicUrl, accounts: [{ extension: "wallet", credentials: APP }] })
    );
    try {
      const agent = new LoopbackAgent(Number(new URL(server.url).port));
      const client = new Client({
        clientCredentialsAuthCredentials: {
          oAuthClientId: APP.clientId,
          oAuthClientSecret: APP.clientSecret,
        },
        environment: Environment.Sandbox,
        httpClientOptions: { httpsAgent: agent },
      });
      const orders = new OrdersController(client);
      const payments = new PaymentsController(client);
      const order = (intent: CheckoutPaymentIntent, paypalRequestId: string) =>
        orders.createOrder({
          paypalRequestId,
          prefer: "return=representation",
          body: {
            intent,
            purchaseUnits: [{ customId: "sdk-order", amount: { currencyCode: "EUR", value: "10.00" } }],
            paymentSource: {
              paypal: {
                experienceContext: {
                  returnUrl: "https://shop.example/return",
                  cancelUrl: "https://shop.example/cancel",
                },
              },
            },
          },
        });

      const created = await order(CheckoutPaymentIntent.Capture, "sdk-create-1");
      equal(created.statusCode, 201);
      const id = created.result.id!;
      equal(created.result.status, "PAYER_ACTION_REQUIRED");
      const replayed = await order(CheckoutPaymentIntent.Capture, "sdk-create-1");
      equal(replayed.statusCode, 200);
      equal(replayed.result.id, id, "the same PayPal-Request-Id replays the same order");

      const early = await orders.captureOrder({
        id,
        paypalRequestId: "sdk-capture-early",
        prefer: "return=representation",
      })
        .then(() => undefined, (error: unknown) => error);
      ok(early instanceof ApiError, "an ApiError");
      equal(early.statusCode, 422);
      ok(String(early.body).includes("ORDER_NOT_APPROVED"));

      const payerAction = created.result.links!.find((link) => link.rel === "payer-action")!.href;
      await buyerApproves(payerAction);
      const captured = await orders.captureOrder({
        id,
        paypalRequestId: "sdk-capture-1",
        prefer: "return=representation",
      });
      equal(captured.result.status, "COMPLETED");
      const capture = captured.result.purchaseUnits![0].payments!.captures![0];
      equal(capture.status, "COMPLETED");
      equal(capture.amount?.value, "10.00");
      const refund = await payments.refundCapturedPayment({
        captureId: capture.id!,
        paypalRequestId: "sdk-refund-1",
        prefer: "return=representation",
        body: { amount: { currencyCode: "EUR", value: "2.50" }, invoiceId: "sdk-refund" },
      });
      equal(refund.result.status, "COMPLETED");
      equal(
        (await payments.getCapturedPayment({ captureId: capture.id! })).result.status,
        "PARTIALLY_REFUNDED",
      );

      const authorizing = await order(CheckoutPaymentIntent.Authorize, "sdk-create-2");
      await buyerApproves(authorizing.result.links!.find((link) => link.rel === "payer-action")!.href);
      const authorized = await orders.authorizeOrder({
        id: authorizing.result.id!,
        paypalRequestId: "sdk-authorize-1",
        prefer: "return=representation",
      });
      const authorization = authorized.result.purchaseUnits![0].payments!.authorizations![0];
      equal(authorization.status, "CREATED");
      const part = await payments.captureAuthorizedPayment({
        authorizationId: authorization.id!,
        paypalRequestId: "sdk-capture-2",
        prefer: "return=representation",
        body: {
          amount: { currencyCode: "EUR", value: "4.00" },
          finalCapture: false,
          invoiceId: "sdk-capture",
        },
      });
      equal(part.result.status, "COMPLETED");
      const voided = await payments.voidPayment({
        authorizationId: authorization.id!,
        paypalRequestId: "sdk-void-1",
        prefer: "return=representation",
      });
      equal(voided.result?.status, "VOIDED");
      ok(agent.hosts.length > 0 && agent.hosts.every((host) => host === "api-m.sandbox.paypal.com"));
      equal(server.app.orders().length, 2);
    } finally {
      await server.close();
    }
  },
});
