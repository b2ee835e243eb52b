import { deepStrictEqual as assertEquals, match, ok, strictEqual as equal } from "node:assert/strict";
import type { PspHttp, RawNotification } from "../../src/mod.ts";
import { createAdyenPlugin } from "./mod.ts";
import {
  buyerAnswers,
  CARDS,
  EUR_10,
  expectKind,
  payInput,
  pluginTest,
  RETURN_URL,
  type World,
} from "./plugin_world.ts";
import { API_KEY, HMAC_KEY_HEX, MERCHANT_ACCOUNT, OTHER_MERCHANT_ACCOUNT } from "./test_support.ts";

const plugin = createAdyenPlugin();

pluginTest("pay() maps an approved sale to succeeded", async (world) => {
  const input = payInput(CARDS.approved);
  const outcome = expectKind(await plugin.pay(input, world.context()), "succeeded");
  match(outcome.pspReference, /^[A-Z0-9]{16}$/);
  assertEquals(outcome.amount, EUR_10);
  const [payment] = world.harness.emulator.payments();
  equal(payment.captureMode, "sale");
  equal(payment.merchantReference, input.reference);
  const sent = world.sent[0].request.json as Record<string, unknown>;
  equal(sent.reference, input.reference);
  equal(sent.returnUrl, RETURN_URL);
  equal(sent.shopperIP, "203.0.113.7");
  equal((sent.browserInfo as Record<string, unknown>).language, "nl-NL");
  equal((sent.paymentMethod as Record<string, unknown>).expiryMonth, "03");
  equal(sent.additionalData, undefined);
});

pluginTest("pay() authorises only when captureMode is authorize", async (world) => {
  const outcome = await plugin.pay(payInput(CARDS.approved, { captureMode: "authorize" }), world.context());
  expectKind(outcome, "succeeded");
  const [payment] = world.harness.emulator.payments();
  equal(payment.captureMode, "manual");
  equal(payment.capturedValue, 0);
  assertEquals((world.sent[0].request.json as Record<string, unknown>).additionalData, {
    manualCapture: "true",
  });
});

pluginTest("pay() maps declines to card_declined and insufficient_funds", async (world) => {
  const declined = expectKind(await plugin.pay(payInput(CARDS.declined), world.context()), "failed");
  equal(declined.code, "card_declined");
  equal(declined.message, "Refused");
  ok(declined.pspReference !== undefined);
  const poor = expectKind(await plugin.pay(payInput(CARDS.insufficient), world.context()), "failed");
  equal(poor.code, "insufficient_funds");
  equal(poor.message, "Not enough balance");
});

pluginTest("continueAfterRedirect() completes an approved 3DS challenge", async (world) => {
  const input = payInput(CARDS.challenge);
  const action = expectKind(await plugin.pay(input, world.context()), "requires_action");
  equal(action.redirect.method, "GET");
  ok(action.redirect.url.startsWith(`${world.harness.publicUrl}/threeds/`));
  ok(action.pspReference !== undefined);
  const returnParams = await buyerAnswers(action.redirect.url, "approve");
  equal(returnParams.sig, "abc");
  const outcome = await plugin.continueAfterRedirect({
    reference: input.reference,
    amount: input.amount,
    pspReference: action.pspReference,
    resume: action.resume,
    returnParams,
  }, world.context());
  equal(expectKind(outcome, "succeeded").pspReference, action.pspReference);
});

pluginTest("continueAfterRedirect() maps a failed 3DS challenge to authentication_failed", async (world) => {
  const input = payInput(CARDS.challenge);
  const action = expectKind(await plugin.pay(input, world.context()), "requires_action");
  const returnParams = await buyerAnswers(action.redirect.url, "fail");
  const outcome = await plugin.continueAfterRedirect({
    reference: input.reference,
    amount: input.amount,
    pspReference: action.pspReference,
    resume: action.resume,
    returnParams,
  }, world.context());
  const failed = expectKind(outcome, "failed");
  equal(failed.code, "authentication_failed");
  equal(failed.message, "3D Not Authenticated");
});

pluginTest("continueAfterRedirect() maps a cancelled challenge to cancelled", async (world) => {
  const input = payInput(CARDS.challenge);
  const action = expectKind(await plugin.pay(input, world.context()), "requires_action");
  const returnParams = await buyerAnswers(action.redirect.url, "cancel");
  const outcome = await plugin.continueAfterRedirect(
    { reference: input.reference, amount: input.amount, resume: action.resume, returnParams },
    world.context(),
  );
  equal(expectKind(outcome, "failed").code, "cancelled");
});

pluginTest(
  "continueAfterRedirect() sends nothing without redirectResult, and the challenge stays open",
  async (world) => {
    const outcome = await plugin.continueAfterRedirect(
      { reference: "pay_x", amount: EUR_10, resume: {}, returnParams: {} },
      world.context(),
    );
    expectKind(outcome, "return_refused");
    equal(world.sent.length, 0);
  },
);

pluginTest(
  "continueAfterRedirect() with a garbled redirectResult is refused, and the buyer can still approve",
  async (world) => {
    const input = payInput(CARDS.challenge);
    const action = expectKind(await plugin.pay(input, world.context()), "requires_action");
    const continueInput = (returnParams: Record<string, string>) => ({
      reference: input.reference,
      amount: input.amount,
      pspReference: action.pspReference,
      resume: action.resume,
      returnParams,
    });
    const garbled = await plugin.continueAfterRedirect(
      continueInput({ redirectResult: "AAAA" }),
      world.context(),
    );
    match(expectKind(garbled, "return_refused").detail, /HTTP 422/);
    const returnParams = await buyerAnswers(action.redirect.url, "approve");
    const approved = await plugin.continueAfterRedirect(continueInput(returnParams), world.context());
    equal(expectKind(approved, "succeeded").pspReference, action.pspReference);
  },
);

pluginTest("query() settles a timed-out payment as succeeded by replaying its key", async (world) => {
  const input = payInput(CARDS.timeout);
  const ctx = world.context({ deadline: Date.now() + 300 });
  const timedOut = expectKind(await plugin.pay(input, ctx), "unknown");
  match(timedOut.detail, /no answer/);
  const outcome = await plugin.query(
    {
      operation: "pay",
      reference: input.reference,
      amount: input.amount,
      captureMode: "sale",
      returnUrl: RETURN_URL,
    },
    { ...ctx, deadline: Date.now() + 5_000 },
  );
  const settled = expectKind(outcome, "succeeded");
  equal(settled.pspReference, world.harness.emulator.payments()[0].pspReference);
  equal(world.harness.emulator.chargeCount(input.reference), 1);
  equal(world.sent[1].request.headers?.["Idempotency-Key"], ctx.idempotencyKey);
  ok(!JSON.stringify(world.sent[1].request.json).includes(CARDS.timeout), "a query carries no card data");
});

pluginTest("query() settles the 500 card as failed processing_error", async (world) => {
  const input = payInput(CARDS.error500);
  const ctx = world.context();
  const first = expectKind(await plugin.pay(input, ctx), "unknown");
  match(first.detail, /HTTP 500/);
  const outcome = await plugin.query(
    { operation: "pay", reference: input.reference, amount: input.amount },
    ctx,
  );
  const failed = expectKind(outcome, "failed");
  equal(failed.code, "processing_error");
  equal(failed.message, "Acquirer Error");
  equal(world.harness.emulator.chargeCount(input.reference), 1);
});

pluginTest(
  "query() says Adyen never received a key it has no record of, and charges nothing",
  async (world) => {
    const outcome = await plugin.query(
      { operation: "pay", reference: "pay_never_sent", amount: EUR_10, captureMode: "authorize" },
      world.context(),
    );
    match(expectKind(outcome, "not_received").detail, /no record of this call/);
    equal(world.harness.emulator.payments().length, 0);
  },
);

pluginTest("query() replays a completed 3DS continue call", async (world) => {
  const input = payInput(CARDS.challenge);
  const action = expectKind(await plugin.pay(input, world.context()), "requires_action");
  const returnParams = await buyerAnswers(action.redirect.url, "approve");
  const ctx = world.context();
  const continueInput = {
    reference: input.reference,
    amount: input.amount,
    pspReference: action.pspReference,
    resume: action.resume,
    returnParams,
  };
  expectKind(await plugin.continueAfterRedirect(continueInput, ctx), "succeeded");
  const outcome = await plugin.query({ operation: "continue", ...continueInput }, ctx);
  equal(expectKind(outcome, "succeeded").pspReference, action.pspReference);
});

pluginTest(
  "pay() shortens an idempotency key longer than Adyen's 64 characters, the same way every time",
  async (w) => {
    const input = payInput(CARDS.error500);
    const ctx = w.context({ idempotencyKey: `shop-demo:pay:${"x".repeat(80)}:attempt-1` });
    expectKind(await plugin.pay(input, ctx), "unknown");
    const outcome = await plugin.query(
      { operation: "pay", reference: input.reference, amount: input.amount },
      ctx,
    );
    equal(expectKind(outcome, "failed").code, "processing_error");
    equal(w.sent[0].request.headers?.["Idempotency-Key"], w.sent[1].request.headers?.["Idempotency-Key"]);
  },
);

async function notificationFor(world: World, pspReference: string): Promise<RawNotification> {
  const webhook = await world.harness.waitForWebhook((item) => item.pspReference === pspReference);
  return { headers: { "content-type": "application/json" }, body: webhook.body };
}

pluginTest("capture(), void() and refund() are pending until their notification succeeds", async (world) => {
  const credentials = world.context().credentials;
  const rows = [
    ["capture", 400],
    ["refund", 150],
    ["capture", 600],
  ] as const;
  const pay = expectKind(
    await plugin.pay(payInput(CARDS.approved, { captureMode: "authorize" }), world.context()),
    "succeeded",
  );
  const authorisation = await plugin.parseNotification(
    await notificationFor(world, pay.pspReference),
    world.context({ credentials }),
  );
  equal(authorisation.kind, "events");
  for (const [operation, amountMinor] of rows) {
    const reference = `${operation}_${crypto.randomUUID()}`;
    const input = {
      reference,
      paymentPspReference: pay.pspReference,
      amount: { amountMinor, currency: "EUR" },
      paymentAmount: EUR_10,
    };
    const pending = expectKind(await plugin[operation](input, world.context()), "pending");
    const raw = await notificationFor(world, pending.pspReference);
    assertEquals(plugin.notificationReferences(raw), [reference]);
    const parsed = await plugin.parseNotification(raw, world.context({ credentials }));
    if (parsed.kind !== "events") throw new Error(`rejected: ${parsed.reason}`);
    equal(parsed.acknowledgement, "[accepted]");
    equal(parsed.events.length, 1);
    const [event] = parsed.events;
    equal(event.operation, operation);
    equal(event.reference, reference);
    assertEquals(expectKind(event.outcome, "succeeded").amount, input.amount);
  }
  const authorised = expectKind(
    await plugin.pay(payInput(CARDS.approved, { captureMode: "authorize" }), world.context()),
    "succeeded",
  );
  const reference = `void_${crypto.randomUUID()}`;
  const voided = expectKind(
    await plugin.void(
      { reference, paymentPspReference: authorised.pspReference, paymentAmount: EUR_10 },
      world.context(),
    ),
    "pending",
  );
  const parsed = await plugin.parseNotification(
    await notificationFor(world, voided.pspReference),
    world.context({ credentials }),
  );
  if (parsed.kind !== "events") throw new Error(`rejected: ${parsed.reason}`);
  equal(parsed.events[0].operation, "void");
  expectKind(parsed.events[0].outcome, "succeeded");
});

pluginTest("a refused modification arrives as a failed notification", async (world) => {
  const credentials = world.context().credentials;
  const pay = expectKind(
    await plugin.pay(payInput(CARDS.approved, { captureMode: "authorize" }), world.context()),
    "succeeded",
  );
  const pending = expectKind(
    await plugin.refund(
      { reference: "refund_1", paymentPspReference: pay.pspReference, amount: EUR_10, paymentAmount: EUR_10 },
      world.context(),
    ),
    "pending",
  );
  const parsed = await plugin.parseNotification(
    await notificationFor(world, pending.pspReference),
    world.context({ credentials }),
  );
  if (parsed.kind !== "events") throw new Error(`rejected: ${parsed.reason}`);
  const failed = expectKind(parsed.events[0].outcome, "failed");
  equal(failed.code, "refund_failed");
  equal(failed.message, "Transaction hasn't been captured, refund not possible");
});

pluginTest("query() asks about a modification with its own key", async (world) => {
  const pay = expectKind(
    await plugin.pay(payInput(CARDS.approved, { captureMode: "authorize" }), world.context()),
    "succeeded",
  );
  const ctx = world.context();
  const input = {
    reference: "capture_1",
    paymentPspReference: pay.pspReference,
    amount: EUR_10,
    paymentAmount: EUR_10,
  };
  const pending = expectKind(await plugin.capture(input, ctx), "pending");
  const asked = await plugin.query(
    { operation: "capture", reference: "capture_1", paymentPspReference: pay.pspReference, amount: EUR_10 },
    ctx,
  );
  equal(expectKind(asked, "pending").pspReference, pending.pspReference);
  equal(world.harness.emulator.payments()[0].capturedValue, 1000);
  const without = await plugin.query({ operation: "refund", reference: "refund_1", amount: EUR_10 }, ctx);
  expectKind(without, "unknown");
});

pluginTest("parseNotification() rejects forged, unsigned and foreign notifications", async (world) => {
  const credentials = world.context().credentials;
  const pay = expectKind(await plugin.pay(payInput(CARDS.approved), world.context()), "succeeded");
  const genuine = await notificationFor(world, pay.pspReference);
  equal((await plugin.parseNotification(genuine, world.context({ credentials }))).kind, "events");
  const json = JSON.parse(genuine.body);
  const item = json.notificationItems[0].NotificationRequestItem;
  const variants: [string, unknown][] = [
    ["amount raised", { ...item, amount: { value: 999_999, currency: "EUR" } }],
    ["success flipped", { ...item, success: "false" }],
    ["unsigned", { ...item, additionalData: {} }],
    ["garbage signature", { ...item, additionalData: { hmacSignature: "not base64 !!" } }],
  ];
  for (const [label, forged] of variants) {
    const body = JSON.stringify({ ...json, notificationItems: [{ NotificationRequestItem: forged }] });
    const parsed = await plugin.parseNotification({ headers: {}, body }, world.context({ credentials }));
    equal(parsed.kind, "rejected", label);
  }
  const wrongKey = await plugin.parseNotification(
    genuine,
    world.context({ credentials: { ...credentials, hmacKeyHex: "00112233" } }),
  );
  equal(wrongKey.kind, "rejected");
  const otherAccount = await plugin.parseNotification(
    genuine,
    world.context({ credentials: { ...credentials, merchantAccount: "Other" } }),
  );
  equal(otherAccount.kind, "rejected");
  equal(
    (await plugin.parseNotification({ headers: {}, body: "[accepted]" }, world.context({ credentials })))
      .kind,
    "rejected",
  );
  assertEquals(plugin.notificationReferences({ headers: {}, body: "nonsense" }), []);
});

pluginTest("pay() maps bad credentials to psp_authentication_failed", async (world) => {
  const base = world.context();
  const wrongKey = await plugin.pay(
    payInput(CARDS.approved),
    world.context({ credentials: { ...base.credentials, apiKey: "wrong-key" } }),
  );
  equal(expectKind(wrongKey, "failed").code, "psp_authentication_failed");
  const foreign = await plugin.pay(
    payInput(CARDS.approved),
    world.context({ credentials: { ...base.credentials, merchantAccount: OTHER_MERCHANT_ACCOUNT } }),
  );
  equal(expectKind(foreign, "failed").code, "psp_authentication_failed");
  equal(world.harness.emulator.payments().length, 0);
});

pluginTest("pay() maps a validation error to invalid_request without echoing the card", async (world) => {
  const input = payInput(CARDS.approved, {
    card: { number: CARDS.approved, expiryMonth: "01", expiryYear: "2001", cvv: "737" },
  });
  const failed = expectKind(await plugin.pay(input, world.context()), "failed");
  equal(failed.code, "invalid_request");
  match(failed.message, /errorCode 129/);
  ok(!JSON.stringify(failed).includes(CARDS.approved));
});

pluginTest("pay() is unknown when Adyen cannot be reached", async (world) => {
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (closed.addr as Deno.NetAddr).port;
  closed.close();
  const base = world.context();
  const ctx = world.context({
    credentials: { ...base.credentials, baseUrl: `http://127.0.0.1:${port}/v71` },
  });
  // not_sent or no_answer, depending on how the transport reads the refusal: unknown either way.
  expectKind(await plugin.pay(payInput(CARDS.approved), ctx), "unknown");
});

Deno.test("pay() reports not_sent as unknown, saying it was not sent", async () => {
  const http: PspHttp = { send: () => Promise.resolve({ kind: "not_sent", detail: "connection refused" }) };
  const credentials = { apiKey: API_KEY, merchantAccount: MERCHANT_ACCOUNT, hmacKeyHex: HMAC_KEY_HEX };
  const ctx = { idempotencyKey: "k1", deadline: Date.now() + 1000, credentials, test: true, http };
  const outcome = expectKind(await plugin.pay(payInput(CARDS.approved), ctx), "unknown");
  match(outcome.detail, /^not sent to Adyen: connection refused$/);
});

pluginTest(
  "pay() fails without sending when credentials are unusable or the card is missing",
  async (world) => {
    const live = await plugin.pay(
      payInput(CARDS.approved),
      world.context({
        test: false,
        credentials: { apiKey: API_KEY, merchantAccount: MERCHANT_ACCOUNT, hmacKeyHex: HMAC_KEY_HEX },
      }),
    );
    equal(expectKind(live, "failed").code, "account_not_configured");
    const noCard = await plugin.pay(payInput(CARDS.approved, { card: undefined }), world.context());
    equal(expectKind(noCard, "failed").code, "invalid_request");
    equal(world.sent.length, 0);
  },
);

/** A PspHttp that answers one canned response, for answers the emulator never gives. */
function canned(status: number, body: string, headers: Record<string, string> = {}): PspHttp {
  return { send: () => Promise.resolve({ kind: "response", status, headers, body }) };
}

Deno.test("pay() treats answers it cannot trust as unknown, never as a result", async (t) => {
  const credentials = { apiKey: API_KEY, merchantAccount: MERCHANT_ACCOUNT, hmacKeyHex: HMAC_KEY_HEX };
  const input = payInput(CARDS.approved, { reference: "pay_1" });
  const rows: [string, PspHttp][] = [
    ["unparseable JSON", canned(200, "<html>oops</html>")],
    [
      "an unrecognised resultCode",
      canned(200, JSON.stringify({ pspReference: "ABCDEFGHIJKLMNOP", resultCode: "Approved" })),
    ],
    [
      "another amount",
      canned(
        200,
        JSON.stringify({
          pspReference: "ABCDEFGHIJKLMNOP",
          resultCode: "Authorised",
          amount: { value: 1, currency: "EUR" },
        }),
      ),
    ],
    [
      "another currency",
      canned(
        200,
        JSON.stringify({
          pspReference: "ABCDEFGHIJKLMNOP",
          resultCode: "Authorised",
          amount: { value: 1000, currency: "USD" },
        }),
      ),
    ],
    [
      "another merchant reference",
      canned(
        200,
        JSON.stringify({
          pspReference: "ABCDEFGHIJKLMNOP",
          resultCode: "Authorised",
          merchantReference: "pay_2",
        }),
      ),
    ],
    ["Authorised without pspReference", canned(200, JSON.stringify({ resultCode: "Authorised" }))],
    [
      "RedirectShopper without an action",
      canned(200, JSON.stringify({ pspReference: "ABCDEFGHIJKLMNOP", resultCode: "RedirectShopper" })),
    ],
    [
      "a native 3DS2 action",
      canned(
        200,
        JSON.stringify({
          pspReference: "ABCDEFGHIJKLMNOP",
          resultCode: "IdentifyShopper",
          action: { type: "threeDS2" },
        }),
      ),
    ],
    ["HTTP 503", canned(503, "")],
    [
      "a transient 409",
      canned(409, JSON.stringify({ status: 409, errorCode: "704" }), { "Transient-Error": "true" }),
    ],
    ["HTTP 429", canned(429, "")],
    ["no answer", { send: () => Promise.resolve({ kind: "no_answer", detail: "timed out" }) }],
  ];
  for (const [label, http] of rows) {
    await t.step(label, async () => {
      const ctx = { idempotencyKey: "k1", deadline: Date.now() + 1000, credentials, test: true, http };
      expectKind(await plugin.pay(input, ctx), "unknown");
    });
  }
});

Deno.test("query() never turns a non-settling answer into a failure", async (t) => {
  const credentials = { apiKey: API_KEY, merchantAccount: MERCHANT_ACCOUNT, hmacKeyHex: HMAC_KEY_HEX };
  // 422 with errorType validation is Adyen's "nothing stored under this key": not_received, never failed.
  for (const status of [400, 401, 403, 404, 409, 500]) {
    await t.step(`HTTP ${status}`, async () => {
      const http = canned(
        status,
        JSON.stringify({ status, errorCode: "000", message: "x", errorType: "validation" }),
      );
      const ctx = { idempotencyKey: "k1", deadline: Date.now() + 1000, credentials, test: true, http };
      expectKind(
        await plugin.query({ operation: "pay", reference: "pay_1", amount: EUR_10 }, ctx),
        "unknown",
      );
    });
  }
});

pluginTest("verifyCredentials() accepts working credentials and names why others fail", async (world) => {
  const credentials = world.context().credentials;
  assertEquals(await plugin.verifyCredentials(world.context()), { ok: true });
  assertEquals(
    await plugin.verifyCredentials(world.context({ credentials: { ...credentials, apiKey: "nope" } })),
    {
      ok: false,
      reason: "Adyen refused the API key",
    },
  );
  assertEquals(
    await plugin.verifyCredentials(
      world.context({ credentials: { ...credentials, merchantAccount: OTHER_MERCHANT_ACCOUNT } }),
    ),
    { ok: false, reason: "the API key may not use this merchant account" },
  );
});
