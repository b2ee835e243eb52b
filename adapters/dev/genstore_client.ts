/**
 * Plays Genstore against a gateway: builds Payment objects with ECIES-encrypted cards (with its own
 * encryptor), signs requests the way Genstore does, and sends them over HTTP. Used by the demo shop page,
 * `deno task demo`, the end-to-end tests and the benchmark.
 * @module
 */
import { signBody, signQuery } from "../genstore/signature.ts";
import { encryptCard, type GenstoreCardPlaintext } from "./ecies_encryptor.ts";

export interface GenstoreClientOptions {
  /** The gateway's base URL, e.g. http://127.0.0.1:8080. */
  readonly gatewayUrl: string;
  readonly clientSecret: string;
  /** The gateway's ECIES public key as registered with Genstore (base64 SPKI DER). */
  readonly publicKey: string;
  readonly shopDomain: string;
  readonly extension?: string;
  readonly hkdfInfo?: string;
}

export interface SentRequest {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly text: string;
  readonly headers: Headers;
}

export interface PaymentOptions {
  readonly paymentId: string;
  readonly amount: string;
  readonly currency?: string;
  readonly card?: GenstoreCardPlaintext;
  readonly test?: boolean | string;
  readonly manualCapture?: boolean | string;
  readonly returnUrl?: string;
}

/** A test card with a future expiry. */
export function testCard(number: string): GenstoreCardPlaintext {
  return { number, expiryMonth: "03", expiryYear: "2030", cvv: "737", holderName: "Ada Lovelace" };
}

export function createGenstoreClient(options: GenstoreClientOptions) {
  const extension = options.extension ?? "card";
  const base = `${options.gatewayUrl.replace(/\/+$/, "")}/v1/ext/${extension}`;

  async function send(
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<SentRequest> {
    const raw = new TextEncoder().encode(typeof body === "string" ? body : JSON.stringify(body));
    const response = await fetch(`${base}/${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-genstore-shop-domain": options.shopDomain,
        "x-genstore-hmac-sha256": await signBody(options.clientSecret, raw),
        ...headers,
      },
      body: raw,
    });
    return await read(response);
  }

  return {
    /** The Genstore Payment object for a card payment, with the card encrypted to the gateway's key. */
    paymentBody(payment: PaymentOptions): Record<string, unknown> {
      const card = payment.card ?? testCard("4242424242424242");
      return {
        paymentId: payment.paymentId,
        amount: payment.amount,
        currency: payment.currency ?? "USD",
        test: payment.test ?? true,
        manualCapture: payment.manualCapture ?? false,
        purchaseInfo: { itemTotal: payment.amount, description: "Demo order", items: [] },
        clientDetails: { acceptLanguage: "en-US", ipAddress: "127.0.0.1", userAgent: "genstore-simulator" },
        paymentMethod: {
          data: {
            ...encryptCard(options.publicKey, card, { hkdfInfo: options.hkdfInfo }),
            returnUrl: payment.returnUrl ?? "https://demo.genmystore.com/checkout/return",
          },
        },
        customer: { email: "buyer@example.com", phoneNumber: "+10000000000" },
      };
    },
    /** Sends any body (object or raw string) to one of the POST routes, signed. */
    send,
    pay(payment: PaymentOptions) {
      return send("payments", this.paymentBody(payment));
    },
    capture(captureId: string, paymentId: string, amount: string, test: boolean | string = true) {
      return send("captures", { captureId, paymentId, amount, test });
    },
    void(voidId: string, paymentId: string, test: boolean | string = true) {
      return send("voids", { voidId, paymentId, test });
    },
    refund(refundId: string, paymentId: string, amount: string, test: boolean | string = true) {
      return send("refunds", { refundId, paymentId, amount, test });
    },
    /** A signed status query, e.g. query("payments", "PI1"). */
    async query(route: string, id: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<SentRequest> {
      const query = await signQuery(options.clientSecret, {
        shop: options.shopDomain,
        timestamp: String(nowSeconds),
      });
      const response = await fetch(`${base}/${route}/${encodeURIComponent(id)}?${query}`, {
        headers: { "x-genstore-shop-domain": options.shopDomain },
      });
      return await read(response);
    },
  };
}

export type GenstoreClient = ReturnType<typeof createGenstoreClient>;

async function read(response: Response): Promise<SentRequest> {
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text);
  } catch {
    body = {};
  }
  return { status: response.status, body, text, headers: response.headers };
}

/**
 * Drives an emulator's challenge or offsite page the way a buyer would, without a browser: GET the page,
 * POST `action=...` to it, and follow the 303s through the gateway. Stops at the first URL that starts with
 * `stopAt` (Genstore's return URL) or leaves the loopback interface, and returns it.
 */
export async function actOnBuyerPage(
  url: string,
  action: "approve" | "fail" | "cancel",
  stopAt?: string,
): Promise<string> {
  const page = await fetch(url);
  await page.body?.cancel();
  let response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ action }),
    redirect: "manual",
  });
  let location = url;
  for (let hop = 0; hop < 8 && response.status >= 300 && response.status < 400; hop++) {
    await response.body?.cancel();
    location = new URL(response.headers.get("location")!, location).toString();
    const host = new URL(location).hostname;
    if ((stopAt !== undefined && location.startsWith(stopAt)) || !["127.0.0.1", "localhost"].includes(host)) {
      return location;
    }
    response = await fetch(location, { redirect: "manual" });
  }
  await response.body?.cancel();
  return location;
}
