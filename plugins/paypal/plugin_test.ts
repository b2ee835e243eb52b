import { deepStrictEqual as assertEquals, match, ok, strictEqual as equal } from "node:assert/strict";
import { createPayPalPlugin } from "./mod.ts";
import {
  buyerActs,
  EUR_10,
  expectKind,
  payInput,
  pluginTest,
  RETURN_URL,
  type World,
} from "./plugin_world.ts";
import type { PayInput, PspOutcome } from "../../src/mod.ts";
import { paypalRequestId } from "./request_id.ts";

const plugin = createPayPalPlugin();

async function waiting(world: World, overrides: Partial<PayInput> = {}) {
  const input = payInput(overrides);
  const action = expectKind(await plugin.pay(input, world.context()), "requires_action");
  return { input, action };
}

async function returnAfter(
  world: World,
  decision: "approve" | "fail" | "cancel",
  overrides: Partial<PayInput> = {},
): Promise<
  { input: PayInput; action: Extract<PspOutcome, { kind: "requires_action" }>; outcome: PspOutcome }
> {
  const { input, action } = await waiting(world, overrides);
  const returnParams = await buyerActs(action.redirect.url, decision);
  const outcome = await plugin.continueAfterRedirect({
    reference: input.reference,
    amount: input.amount,
    pspReference: action.pspReference,
    resume: action.resume,
    returnParams,
  }, world.context());
  return { input, action, outcome };
}

pluginTest("pay() creates an order and sends the buyer to its payer-action page", async (world) => {
  const { input, action } = await waiting(world);
  equal(action.redirect.method, "GET");
  ok(action.redirect.url.startsWith(`${world.harness.url}/checkoutnow?token=`));
  match(action.pspReference ?? "", /^[A-Z0-9]{17}$/);
  assertEquals(action.resume, { orderId: action.pspReference, intent: "CAPTURE" });
  const body = world.sent.find((s) => s.request.operation === "paypal.orders.create")!.request.json as {
    purchase_units: Record<string, unknown>[];
    payment_source: { paypal: { experience_context: Record<string, unknown> } };
  };
  equal(body.purchase_units[0].custom_id, input.reference);
  equal(body.purchase_units[0].invoice_id, input.reference);
  assertEquals(body.purchase_units[0].amount, { currency_code: "EUR", value: "10.00" });
  const experience = body.payment_source.paypal.experience_context;
  equal(experience.return_url, RETURN_URL);
  equal(experience.cancel_url, RETURN_URL);
  equal(experience.locale, "nl-NL");
  const [order] = world.harness.emulator.charges(input.reference);
  equal(order.status, "PAYER_ACTION_REQUIRED");
  assertEquals(order.amount, EUR_10);
});

pluginTest(
  "pay() again with the same key returns the same page, and PayPal holds one order",
  async (world) => {
    const input = payInput();
    const ctx = world.context();
    const first = expectKind(await plugin.pay(input, ctx), "requires_action");
    const again = expectKind(await plugin.pay(input, ctx), "requires_action");
    equal(again.redirect.url, first.redirect.url);
    equal(again.pspReference, first.pspReference);
    equal(world.harness.emulator.charges(input.reference).length, 1);
  },
);

pluginTest("pay() sends amounts with the currency's digits (JPY none)", async (world) => {
  const { input } = await waiting(world, { amount: { amountMinor: 1234, currency: "JPY" } });
  const body = world.sent.at(-1)!.request.json as { purchase_units: { amount: unknown }[] };
  assertEquals(body.purchase_units[0].amount, { currency_code: "JPY", value: "1234" });
  assertEquals(world.harness.emulator.charges(input.reference)[0].amount, input.amount);
});

pluginTest(
  "pay() maps PayPal's refusal of a currency to a failure, and nothing is created",
  async (world) => {
    const input = payInput({ amount: { amountMinor: 1500, currency: "KWD" } });
    const failed = expectKind(await plugin.pay(input, world.context()), "failed");
    equal(failed.code, "currency_not_supported");
    match(failed.message, /INVALID_CURRENCY_CODE/);
    equal(world.harness.emulator.charges(input.reference).length, 0);
  },
);

pluginTest(
  "continueAfterRedirect() captures an approved sale; the PSP reference stays the order id",
  async (world) => {
    const { input, action, outcome } = await returnAfter(world, "approve");
    const succeeded = expectKind(outcome, "succeeded");
    equal(succeeded.pspReference, action.pspReference);
    assertEquals(succeeded.amount, input.amount);
    const [order] = world.harness.emulator.charges(input.reference);
    equal(order.status, "COMPLETED");
    equal(order.captures, 1);
    const continued = world.sent.find((s) => s.request.operation === "paypal.orders.capture")!;
    ok(continued.request.url.endsWith(`/v2/checkout/orders/${action.pspReference}/capture`));
  },
);

pluginTest("continueAfterRedirect() authorizes an approved order with manual capture", async (world) => {
  const { action, outcome } = await returnAfter(world, "approve", { captureMode: "authorize" });
  equal(action.resume.intent, "AUTHORIZE");
  equal(expectKind(outcome, "succeeded").pspReference, action.pspReference);
  ok(world.sent.some((s) => s.request.operation === "paypal.orders.authorize"));
});

pluginTest("continueAfterRedirect() fails a payment whose funding source declines", async (world) => {
  const failed = expectKind((await returnAfter(world, "fail")).outcome, "failed");
  equal(failed.code, "payment_declined");
  match(failed.message, /DECLINED/);
  const denied = expectKind(
    (await returnAfter(world, "fail", { captureMode: "authorize" })).outcome,
    "failed",
  );
  equal(denied.code, "payment_declined");
});

pluginTest(
  "continueAfterRedirect() fails a payment whose order the buyer cancelled (voided)",
  async (world) => {
    const { outcome, action } = await returnAfter(world, "cancel");
    const failed = expectKind(outcome, "failed");
    equal(failed.code, "payment_canceled");
    equal(failed.pspReference, action.pspReference);
  },
);

pluginTest(
  "continueAfterRedirect() before the buyer approved is return_refused, whatever the browser brings; approval then succeeds",
  async (world) => {
    const { input, action } = await waiting(world);
    const returns: Record<string, string>[] = [
      {},
      { token: action.pspReference!, PayerID: "FORGEDPAYER01" },
      { token: "NOPE" },
    ];
    for (const returnParams of returns) {
      const refused = await plugin.continueAfterRedirect(
        { reference: input.reference, amount: input.amount, resume: action.resume, returnParams },
        world.context(),
      );
      expectKind(refused, "return_refused");
    }
    equal(world.harness.emulator.charges(input.reference)[0].status, "PAYER_ACTION_REQUIRED");
    const returnParams = await buyerActs(action.redirect.url, "approve");
    equal(returnParams.token, action.pspReference);
    match(returnParams.PayerID, /^[A-Z0-9]{13}$/);
    const outcome = await plugin.continueAfterRedirect(
      { reference: input.reference, amount: input.amount, resume: action.resume, returnParams },
      world.context(),
    );
    expectKind(outcome, "succeeded");
  },
);

pluginTest(
  "continueAfterRedirect() after a return already captured reads the capture, never captures twice",
  async (world) => {
    const { input, action, outcome } = await returnAfter(world, "approve");
    expectKind(outcome, "succeeded");
    const again = await plugin.continueAfterRedirect(
      { reference: input.reference, amount: input.amount, resume: action.resume, returnParams: {} },
      world.context(),
    );
    equal(expectKind(again, "succeeded").pspReference, action.pspReference);
    equal(world.harness.emulator.charges(input.reference)[0].captures, 1);
  },
);

pluginTest(
  "continueAfterRedirect() without the order in resume sends nothing and is unknown",
  async (world) => {
    const outcome = await plugin.continueAfterRedirect(
      {
        reference: "demo.abcdefghijklmnop",
        amount: EUR_10,
        resume: {},
        returnParams: { token: "5O190127TN364715T" },
      },
      world.context(),
    );
    expectKind(outcome, "unknown");
    equal(world.sent.length, 0);
  },
);

pluginTest("calls reuse one access token, and renew it once after PayPal refuses it", async (world) => {
  await waiting(world);
  await waiting(world);
  equal(world.harness.emulator.tokensIssued(), 1);
  world.harness.emulator.expireTokens();
  const { input } = await waiting(world);
  equal(world.harness.emulator.tokensIssued(), 2);
  equal(world.harness.emulator.charges(input.reference).length, 1);
  const creates = world.sent.filter((s) => s.request.operation === "paypal.orders.create");
  const refused = creates.at(-2)!.result;
  equal(refused.kind === "response" ? refused.status : 0, 401);
  equal(
    creates.at(-2)!.request.headers?.["PayPal-Request-Id"],
    creates.at(-1)!.request.headers?.["PayPal-Request-Id"],
  );
});

pluginTest(
  "pay() with credentials PayPal refuses fails psp_authentication_failed without an order",
  async (world) => {
    const input = payInput();
    const ctx = world.context({
      credentials: { ...world.context().credentials, clientSecret: "wrong-secret" },
    });
    const failed = expectKind(await plugin.pay(input, ctx), "failed");
    equal(failed.code, "psp_authentication_failed");
    equal(world.harness.emulator.charges(input.reference).length, 0);
    equal(world.sent.length, 1);
  },
);

pluginTest("an HTTP 5xx or a broken answer to a payment is unknown, never failed", async (world) => {
  world.fault("paypal.orders.create", () => ({ kind: "response", status: 503, headers: {}, body: "" }));
  expectKind(await plugin.pay(payInput(), world.context()), "unknown");
  world.fault(
    "paypal.orders.create",
    (_request, result) =>
      result.kind === "response" ? { ...result, body: result.body.slice(0, 40) } : undefined,
  );
  expectKind(await plugin.pay(payInput(), world.context()), "unknown");
});

pluginTest(
  "verifyCredentials() accepts the app, refuses a wrong secret and a foreign webhook id",
  async (world) => {
    const good = world.context().credentials;
    assertEquals(await plugin.verifyCredentials(world.context()), { ok: true });
    const wrongSecret = await plugin.verifyCredentials(
      world.context({ credentials: { ...good, clientSecret: "nope" } }),
    );
    ok(!wrongSecret.ok && /client ID and secret/.test(wrongSecret.reason));
    const foreign = await plugin.verifyCredentials(
      world.context({ credentials: { ...good, webhookId: "2WH84320RV017454JOTHERAPP" } }),
    );
    ok(!foreign.ok && /webhook ID/.test(foreign.reason));
    const unreachable = await plugin.verifyCredentials(
      world.context({ credentials: { ...good, baseUrl: "http://127.0.0.1:9" } }),
    );
    ok(!unreachable.ok && /reached/.test(unreachable.reason));
  },
);

Deno.test("paypalRequestId() keeps keys PayPal accepts and hashes longer ones deterministically", async () => {
  equal(await paypalRequestId("gw-abc-p1"), "gw-abc-p1");
  const long = "k".repeat(200);
  const hashed = await paypalRequestId(long);
  match(hashed, /^[0-9a-f]{64}$/);
  equal(await paypalRequestId(long), hashed);
  equal((await paypalRequestId("x".repeat(108))).length, 108);
  match(await paypalRequestId("with space"), /^[0-9a-f]{64}$/);
});

Deno.test("the manifest declares the wallet capabilities and PayPal's hosts", () => {
  const { manifest } = plugin;
  equal(manifest.pluginApi, 2);
  assertEquals(manifest.paymentMethods, ["wallet"]);
  assertEquals(manifest.hosts, { live: ["api-m.paypal.com"], test: ["api-m.sandbox.paypal.com"] });
  assertEquals(manifest.capabilities, {
    manualCapture: true,
    multiplePartialCaptures: true,
    partialRefunds: true,
    void: true,
    threeDSecure: false,
    redirect: true,
    query: true,
    notifications: true,
    cardOnFile: false,
  });
});

Deno.test("the credential schemas describe their fields; live mode has no base URL", () => {
  const test = plugin.credentials.test;
  const live = plugin.credentials.live;
  const good = { clientId: "id", clientSecret: "secret", webhookId: "8PT597110X687430LKGECATA" };
  ok(test.safeParse({ ...good, baseUrl: "http://127.0.0.1:8090/paypal" }).success);
  ok(!test.safeParse({ ...good, baseUrl: "ftp://x" }).success);
  ok(!test.safeParse({ ...good, webhookId: "not a webhook" }).success);
  equal((live.parse({ ...good, baseUrl: "http://127.0.0.1" }) as Record<string, unknown>).baseUrl, undefined);
  const shape =
    (test as unknown as { shape: Record<string, { meta(): Record<string, unknown> | undefined }> }).shape;
  equal(shape.clientSecret.meta()?.secret, true);
  equal(shape.clientId.meta()?.label, "Client ID");
  equal(shape.webhookId.meta()?.secret, undefined);
});
