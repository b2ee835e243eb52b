/**
 * The emulator over raw HTTP, every request and answer held against PayPal's vendored OpenAPI documents.
 */
import { deepStrictEqual as assertEquals, match, ok, strictEqual as equal } from "node:assert/strict";
import { serveOnLoopback } from "../../kit/emulator/mod.ts";
import { APP, checkExchange, type Harness, OTHER_APP, startHarness, tokenOf } from "../test_support.ts";
import { createPayPalEmulator, createPayPalSandboxEmulator } from "./mod.ts";

type Json = Record<string, unknown>;

interface Answer {
  readonly status: number;
  readonly body: Json;
  readonly headers: Headers;
}

/** One REST call, its request and answer checked against PayPal's document of the path. */
async function call(
  url: string,
  token: string,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  checkExchange(method, `${url}${path}`, typeof body === "string" ? undefined : body, response.status, text);
  return { status: response.status, body: text === "" ? {} : JSON.parse(text), headers: response.headers };
}

const REPRESENTATION = { prefer: "return=representation" };

function orderBody(overrides: Json = {}, unit: Json = {}): Json {
  return {
    intent: "CAPTURE",
    purchase_units: [{
      custom_id: "demo.abcdefghijklmnop",
      invoice_id: "demo.abcdefghijklmnop",
      amount: { currency_code: "EUR", value: "10.00" },
      ...unit,
    }],
    payment_source: {
      paypal: {
        experience_context: {
          return_url: "https://shop.example/return",
          cancel_url: "https://shop.example/cancel",
        },
      },
    },
    ...overrides,
  };
}

function issueOf(answer: Answer): string | undefined {
  return ((answer.body.details as Json[] | undefined)?.[0]?.issue) as string | undefined;
}

async function approve(harness: Harness, orderId: string, action = "approve"): Promise<URL> {
  const page = `${harness.url}/checkoutnow?token=${orderId}`;
  const response = await fetch(page, {
    method: "POST",
    body: new URLSearchParams({ action }),
    redirect: "manual",
  });
  equal(response.status, 303);
  await response.body?.cancel();
  return new URL(response.headers.get("location")!);
}

function emulatorTest(
  name: string,
  fn: (harness: Harness, token: string) => Promise<void>,
  pending = false,
): void {
  Deno.test(name, async () => {
    const harness = startHarness({ pendingRefunds: pending });
    try {
      await fn(harness, await tokenOf(harness.url, APP));
    } finally {
      await harness.close();
    }
  });
}

emulatorTest(
  "the token endpoint refuses wrong credentials and grant types; calls need a live token",
  async (h) => {
    const ask = (authorization: string, body: string) =>
      fetch(`${h.url}/v1/oauth2/token`, {
        method: "POST",
        headers: { authorization, "content-type": "application/x-www-form-urlencoded" },
        body,
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const wrong = await ask(`Basic ${btoa(`${APP.clientId}:nope`)}`, "grant_type=client_credentials");
    assertEquals(wrong, {
      status: 401,
      body: { error: "invalid_client", error_description: "Client Authentication failed" },
    });
    equal(
      (await ask(`Basic ${btoa(`${APP.clientId}:${APP.clientSecret}`)}`, "grant_type=password")).status,
      400,
    );
    const good = await ask(
      `Basic ${btoa(`${APP.clientId}:${APP.clientSecret}`)}`,
      "grant_type=client_credentials",
    );
    equal(good.body.token_type, "Bearer");
    equal(good.body.expires_in, 32400);
    const refused = await call(h.url, "not-a-token", "POST", "/v2/checkout/orders", orderBody());
    equal(refused.status, 401);
    equal(refused.body.name, "AUTHENTICATION_FAILURE");
    h.emulator.expireTokens();
    equal((await call(h.url, good.body.access_token, "GET", "/v2/checkout/orders/NOPE")).status, 401);
  },
);

emulatorTest(
  "order creation validates like PayPal: 400 for the shape, 422 for business rules",
  async (h, token) => {
    // Sent as text: these requests break PayPal's document on purpose; the answers are still checked.
    const post = (body: unknown) => call(h.url, token, "POST", "/v2/checkout/orders", JSON.stringify(body));
    const { intent: _, ...noIntent } = orderBody();
    const cases: [unknown, number, string][] = [
      [noIntent, 400, "MISSING_REQUIRED_PARAMETER"],
      [orderBody({ intent: "SALE" }), 400, "INVALID_PARAMETER_VALUE"],
      [orderBody({ purchase_units: [] }), 400, "MISSING_REQUIRED_PARAMETER"],
      [orderBody({}, { amount: { currency_code: "KWD", value: "1.500" } }), 422, "INVALID_CURRENCY_CODE"],
      [orderBody({}, { amount: { currency_code: "EUR", value: "10.001" } }), 422, "DECIMAL_PRECISION"],
      [orderBody({}, { amount: { currency_code: "JPY", value: "10.5" } }), 422, "DECIMAL_PRECISION"],
      [orderBody({}, { amount: { currency_code: "EUR", value: "0.00" } }), 422, "CANNOT_BE_ZERO_OR_NEGATIVE"],
      [orderBody({}, { amount: { currency_code: "EUR", value: "ten" } }), 400, "INVALID_PARAMETER_SYNTAX"],
      [orderBody({}, { custom_id: "x".repeat(128) }), 400, "INVALID_STRING_LENGTH"],
    ];
    for (const [body, status, issue] of cases) {
      const answer = await post(body);
      equal(answer.status, status, issue);
      equal(issueOf(answer), issue);
      match(String(answer.body.debug_id), /^[0-9a-f]{13}$/);
    }
    const malformed = await call(h.url, token, "POST", "/v2/checkout/orders", "{not json");
    equal(issueOf(malformed), "MALFORMED_REQUEST_JSON");
    equal(h.emulator.orders().length, 0);
  },
);

emulatorTest(
  "PayPal-Request-Id replays the order as it is now, per app; refusals are not stored",
  async (h, token) => {
    const headers = { ...REPRESENTATION, "paypal-request-id": "req-1" };
    const first = await call(h.url, token, "POST", "/v2/checkout/orders", orderBody(), headers);
    equal(first.status, 201);
    equal(first.body.status, "PAYER_ACTION_REQUIRED");
    const payerAction = (first.body.links as Json[]).find((l) => l.rel === "payer-action")!;
    equal(payerAction.href, `${h.url}/checkoutnow?token=${first.body.id}`);
    await approve(h, String(first.body.id));
    // The body differs (and is not even an order): PayPal answers by the request id alone.
    const replay = await call(h.url, token, "POST", "/v2/checkout/orders", '{"intent":"AUTHORIZE"}', headers);
    equal(replay.status, 200);
    equal(replay.body.id, first.body.id);
    equal(replay.body.status, "APPROVED");
    const other = await tokenOf(h.url, OTHER_APP);
    const theirs = await call(h.url, other, "POST", "/v2/checkout/orders", orderBody(), headers);
    equal(theirs.status, 201);
    ok(theirs.body.id !== first.body.id);
    equal((await call(h.url, other, "GET", `/v2/checkout/orders/${first.body.id}`)).status, 404);
    const refused = await call(
      h.url,
      token,
      "POST",
      "/v2/checkout/orders",
      JSON.stringify(orderBody({ intent: "X" })),
      {
        "paypal-request-id": "req-2",
      },
    );
    equal(refused.status, 400);
    equal(
      (await call(h.url, token, "POST", "/v2/checkout/orders", orderBody(), { "paypal-request-id": "req-2" }))
        .status,
      201,
    );
    const minimal = await call(h.url, token, "POST", "/v2/checkout/orders", orderBody());
    assertEquals(Object.keys(minimal.body).sort(), ["id", "links", "status"]);
  },
);

emulatorTest(
  "the approval page is a form; its answers redirect like PayPal and decide once",
  async (h, token) => {
    const created = await call(h.url, token, "POST", "/v2/checkout/orders", orderBody(), REPRESENTATION);
    const id = String(created.body.id);
    const page = await fetch(`${h.url}/checkoutnow?token=${id}`);
    equal(page.status, 200);
    match(page.headers.get("content-security-policy") ?? "", /form-action 'self' https:\/\/shop\.example/);
    const html = await page.text();
    for (const action of ["approve", "fail", "cancel"]) ok(html.includes(`value="${action}"`));
    const bad = await fetch(`${h.url}/checkoutnow?token=${id}`, { method: "POST", body: "action=pay" });
    equal(bad.status, 400);
    await bad.body?.cancel();
    const back = await approve(h, id);
    equal(`${back.origin}${back.pathname}`, "https://shop.example/return");
    equal(back.searchParams.get("token"), id);
    match(back.searchParams.get("PayerID") ?? "", /^[2-9A-HJ-NP-Z]{13}$/);
    const cancelLater = await approve(h, id, "cancel");
    equal(cancelLater.pathname, "/cancel");
    equal((await call(h.url, token, "GET", `/v2/checkout/orders/${id}`)).body.status, "APPROVED");
    const cancelled = await call(h.url, token, "POST", "/v2/checkout/orders", orderBody(), REPRESENTATION);
    const gone = await approve(h, String(cancelled.body.id), "cancel");
    equal(gone.searchParams.get("PayerID"), null);
    equal(
      (await call(h.url, token, "GET", `/v2/checkout/orders/${cancelled.body.id}`)).body.status,
      "VOIDED",
    );
    equal((await fetch(`${h.url}/checkoutnow?token=NOPE`)).status, 404);
  },
);

emulatorTest(
  "an order is captured once after approval; a declining funding source declines",
  async (h, token) => {
    const created = await call(h.url, token, "POST", "/v2/checkout/orders", orderBody(), REPRESENTATION);
    const id = String(created.body.id);
    const early = await call(h.url, token, "POST", `/v2/checkout/orders/${id}/capture`, {}, REPRESENTATION);
    equal(early.status, 422);
    equal(issueOf(early), "ORDER_NOT_APPROVED");
    await approve(h, id);
    const wrongIntent = await call(
      h.url,
      token,
      "POST",
      `/v2/checkout/orders/${id}/authorize`,
      {},
      REPRESENTATION,
    );
    equal(issueOf(wrongIntent), "ACTION_DOES_NOT_MATCH_INTENT");
    const captured = await call(
      h.url,
      token,
      "POST",
      `/v2/checkout/orders/${id}/capture`,
      {},
      REPRESENTATION,
    );
    equal(captured.status, 201);
    equal(captured.body.status, "COMPLETED");
    const capture =
      ((captured.body.purchase_units as Json[])[0].payments as { captures: Json[] }).captures[0];
    equal(capture.status, "COMPLETED");
    equal(capture.invoice_id, "demo.abcdefghijklmnop");
    const twice = await call(h.url, token, "POST", `/v2/checkout/orders/${id}/capture`, {}, REPRESENTATION);
    equal(issueOf(twice), "ORDER_ALREADY_CAPTURED");
    const shown = await call(h.url, token, "GET", `/v2/payments/captures/${capture.id}`);
    assertEquals((shown.body.supplementary_data as Json).related_ids, { order_id: id });
    const declining = await call(h.url, token, "POST", "/v2/checkout/orders", orderBody(), REPRESENTATION);
    await approve(h, String(declining.body.id), "fail");
    const declined = await call(
      h.url,
      token,
      "POST",
      `/v2/checkout/orders/${declining.body.id}/capture`,
      {},
      REPRESENTATION,
    );
    equal(
      ((declined.body.purchase_units as Json[])[0].payments as { captures: Json[] }).captures[0].status,
      "DECLINED",
    );
  },
);

emulatorTest(
  "authorizations take partial captures and a void; captures take partial refunds",
  async (h, token) => {
    const created = await call(
      h.url,
      token,
      "POST",
      "/v2/checkout/orders",
      orderBody({ intent: "AUTHORIZE" }),
    );
    const id = String(created.body.id);
    await approve(h, id);
    const authorized = await call(
      h.url,
      token,
      "POST",
      `/v2/checkout/orders/${id}/authorize`,
      {},
      REPRESENTATION,
    );
    const auth = ((authorized.body.purchase_units as Json[])[0].payments as { authorizations: Json[] })
      .authorizations[0];
    const capture = (value: string, extra: Json = {}) =>
      call(h.url, token, "POST", `/v2/payments/authorizations/${auth.id}/capture`, {
        amount: { currency_code: "EUR", value },
        final_capture: false,
        ...extra,
      }, REPRESENTATION);
    const over = await capture("10.01");
    equal(issueOf(over), "MAX_CAPTURE_AMOUNT_EXCEEDED");
    const first = await capture("4.00", { invoice_id: "demo.capturereferenceaa" });
    equal(first.status, 201);
    equal(first.body.invoice_id, "demo.capturereferenceaa");
    equal(first.body.custom_id, "demo.abcdefghijklmnop");
    assertEquals((first.body.supplementary_data as Json).related_ids, {
      order_id: id,
      authorization_id: auth.id,
    });
    equal(
      (await call(h.url, token, "GET", `/v2/payments/authorizations/${auth.id}`)).body.status,
      "PARTIALLY_CAPTURED",
    );
    const voided = await fetch(`${h.url}/v2/payments/authorizations/${auth.id}/void`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    equal(voided.status, 204);
    await voided.body?.cancel();
    const again = await call(h.url, token, "POST", `/v2/payments/authorizations/${auth.id}/void`);
    equal(issueOf(again), "PREVIOUSLY_VOIDED");
    equal(issueOf(await capture("1.00")), "AUTHORIZATION_VOIDED");
    const refund = (value: string) =>
      call(h.url, token, "POST", `/v2/payments/captures/${first.body.id}/refund`, {
        amount: { currency_code: "EUR", value },
        invoice_id: "demo.refundreferenceaaaa",
      }, REPRESENTATION);
    const refunded = await refund("1.50");
    equal(refunded.status, 201);
    equal(refunded.body.status, "COMPLETED");
    const up = (refunded.body.links as Json[]).find((l) => l.rel === "up")!;
    equal(up.href, `${h.url}/v2/payments/captures/${first.body.id}`);
    equal(issueOf(await refund("2.51")), "REFUND_AMOUNT_EXCEEDED");
    equal((await refund("2.50")).status, 201);
    equal(issueOf(await refund("0.01")), "CAPTURE_FULLY_REFUNDED");
    equal(
      (await call(h.url, token, "GET", `/v2/payments/refunds/${refunded.body.id}`)).body.status,
      "COMPLETED",
    );
    const order = await call(h.url, token, "GET", `/v2/checkout/orders/${id}`);
    const payments = (order.body.purchase_units as Json[])[0].payments as Record<string, Json[]>;
    assertEquals([payments.authorizations.length, payments.captures.length, payments.refunds.length], [
      1,
      1,
      2,
    ]);
  },
);

emulatorTest(
  "webhooks are signed, delivered, retried, and verified only unchanged for their own webhook",
  async (h, token) => {
    h.receiver.failNext(1, 503);
    const created = await call(h.url, token, "POST", "/v2/checkout/orders", orderBody(), REPRESENTATION);
    await approve(h, String(created.body.id));
    const delivered = await h.receiver.waitFor((n) => n.body.includes("CHECKOUT.ORDER.APPROVED"));
    await h.emulator.webhooksIdle();
    equal(h.emulator.deliveries()[0].attempts, 2);
    equal(delivered.headers["paypal-auth-algo"], "SHA256withRSA");
    const verify = (event: unknown, webhookId = APP.webhookId, tok = token) =>
      call(h.url, tok, "POST", "/v1/notifications/verify-webhook-signature", {
        auth_algo: delivered.headers["paypal-auth-algo"],
        cert_url: delivered.headers["paypal-cert-url"],
        transmission_id: delivered.headers["paypal-transmission-id"],
        transmission_sig: delivered.headers["paypal-transmission-sig"],
        transmission_time: delivered.headers["paypal-transmission-time"],
        webhook_id: webhookId,
        webhook_event: event,
      });
    const event = JSON.parse(delivered.body);
    assertEquals((await verify(event)).body, { verification_status: "SUCCESS" });
    assertEquals((await verify({ ...event, summary: "changed" })).body, { verification_status: "FAILURE" });
    equal((await verify(event, OTHER_APP.webhookId)).status, 404);
    const other = await tokenOf(h.url, OTHER_APP);
    assertEquals((await verify(event, OTHER_APP.webhookId, other)).body, { verification_status: "FAILURE" });
    const cert = await fetch(delivered.headers["paypal-cert-url"]);
    match(await cert.text(), /^-----BEGIN PUBLIC KEY-----/);
    const webhook = await call(h.url, token, "GET", `/v1/notifications/webhooks/${APP.webhookId}`);
    equal(webhook.body.url, `${h.receiver.url}/v1/notifications/paypal`);
    equal((await call(h.url, token, "GET", `/v1/notifications/webhooks/${OTHER_APP.webhookId}`)).status, 404);
  },
);

Deno.test("file state keeps orders and PayPal-Request-Ids across a restart; tokens do not survive it", async () => {
  const dir = Deno.makeTempDirSync();
  const statePath = `${dir}/paypal.jsonl`;
  const start = () =>
    serveOnLoopback((publicUrl) => createPayPalEmulator({ publicUrl, apps: [APP], statePath }));
  let server = start();
  let id: unknown;
  let token: string;
  try {
    token = await tokenOf(server.url, APP);
    const created = await call(server.url, token, "POST", "/v2/checkout/orders", orderBody(), {
      "paypal-request-id": "kept",
    });
    id = created.body.id;
  } finally {
    await server.close();
  }
  server = start();
  try {
    equal((await call(server.url, token!, "GET", `/v2/checkout/orders/${id}`)).status, 401);
    const fresh = await tokenOf(server.url, APP);
    const replay = await call(server.url, fresh, "POST", "/v2/checkout/orders", orderBody(), {
      "paypal-request-id": "kept",
    });
    equal(replay.status, 200);
    equal(replay.body.id, id);
    equal(server.app.orders().length, 1);
  } finally {
    await server.close();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("createPayPalSandboxEmulator() serves sandbox.json's accounts and notifies the gateway's PayPal route", async () => {
  const server = serveOnLoopback((publicUrl) =>
    createPayPalSandboxEmulator({
      publicUrl,
      accounts: [{ extension: "wallet", credentials: { ...APP, baseUrl: publicUrl } }],
      notifyUrl: "http://127.0.0.1:9/",
    })
  );
  try {
    const token = await tokenOf(server.url, APP);
    const webhook = await call(server.url, token, "GET", `/v1/notifications/webhooks/${APP.webhookId}`);
    equal(webhook.body.url, "http://127.0.0.1:9/v1/notifications/paypal");
  } finally {
    await server.close();
  }
});
