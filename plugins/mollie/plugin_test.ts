import { deepStrictEqual as assertEquals, ok, strictEqual as equal } from "node:assert/strict";
import { createMolliePlugin } from "./mod.ts";
import {
  API_KEY,
  buyerChooses,
  expectKind,
  newReference,
  payInput,
  pluginTest,
  UNKNOWN_API_KEY,
  type World,
} from "./test_support.ts";

const plugin = createMolliePlugin();

async function startPayment(world: World, overrides = {}) {
  const input = payInput(world, overrides);
  const outcome = expectKind(await plugin.pay(input, world.context()), "requires_action");
  return { input, outcome };
}

function continueInput(
  input: ReturnType<typeof payInput>,
  outcome: { pspReference?: string; resume: Readonly<Record<string, string>> },
) {
  return {
    reference: input.reference,
    amount: input.amount,
    pspReference: outcome.pspReference,
    resume: outcome.resume,
    returnParams: {},
  };
}

pluginTest("pay() creates the payment and sends the buyer to Mollie's checkout", async (world) => {
  const input = payInput(world);
  const ctx = world.context();
  const outcome = expectKind(await plugin.pay(input, ctx), "requires_action");
  equal(outcome.redirect.method, "GET");
  ok(outcome.pspReference?.startsWith("tr_"));
  assertEquals(outcome.resume, { paymentId: outcome.pspReference });
  const [create] = world.sent;
  equal(create.request.method, "POST");
  equal(create.request.headers?.["Idempotency-Key"], ctx.idempotencyKey);
  assertEquals(create.request.json, {
    amount: { currency: "EUR", value: "10.00" },
    description: "Order #1001",
    redirectUrl: input.returnUrl,
    webhookUrl: input.notificationUrl,
    metadata: { reference: input.reference },
  });
  const [stored] = world.harness.emulator.payments();
  equal(stored.id, outcome.pspReference);
  equal(outcome.redirect.url.startsWith(world.harness.apiUrl.replace(/\/v2$/, "")), true);
});

pluginTest("pay() replayed under the same key gets the same payment and checkout", async (world) => {
  const input = payInput(world);
  const ctx = world.context();
  const first = expectKind(await plugin.pay(input, ctx), "requires_action");
  const again = expectKind(await plugin.pay(input, ctx), "requires_action");
  assertEquals(again, first);
  equal(world.harness.emulator.payments().length, 1);
});

pluginTest("pay() sends the configured method and every currency's digits", async (world) => {
  const input = payInput(world, { amount: { amountMinor: 1234, currency: "JPY" }, description: undefined });
  const ctx = world.context({
    credentials: { apiKey: API_KEY, baseUrl: world.harness.apiUrl, method: "ideal" },
  });
  expectKind(await plugin.pay(input, ctx), "requires_action");
  assertEquals(world.sent[0].request.json?.valueOf(), {
    amount: { currency: "JPY", value: "1234" },
    description: input.reference,
    redirectUrl: input.returnUrl,
    webhookUrl: input.notificationUrl,
    metadata: { reference: input.reference },
    method: "ideal",
  });
});

pluginTest("pay() refuses authorizations and stored cards without sending anything", async (world) => {
  const authorize = await plugin.pay(payInput(world, { captureMode: "authorize" }), world.context());
  equal(expectKind(authorize, "failed").code, "capture_not_supported");
  const stored = await plugin.pay(
    payInput(world, { storeCard: { shopperReference: "shopper-1" } }),
    world.context(),
  );
  equal(expectKind(stored, "failed").code, "card_on_file_not_supported");
  equal(world.sent.length, 0);
});

pluginTest("pay() fails on Mollie's validation refusals and its refusal of the key", async (world) => {
  const kwd = await plugin.pay(
    payInput(world, { amount: { amountMinor: 1234, currency: "KWD" } }),
    world.context(),
  );
  const failed = expectKind(kwd, "failed");
  equal(failed.code, "invalid_amount");
  ok(failed.message.includes("amount.currency"));
  const refused = await plugin.pay(
    payInput(world),
    world.context({ credentials: { apiKey: UNKNOWN_API_KEY, baseUrl: world.harness.apiUrl } }),
  );
  equal(expectKind(refused, "failed").code, "psp_authentication_failed");
  equal(world.harness.emulator.payments().length, 0);
});

pluginTest("pay() with a live key in test mode sends nothing", async (world) => {
  const ctx = world.context({ credentials: { apiKey: "live_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM" } });
  equal(expectKind(await plugin.pay(payInput(world), ctx), "failed").code, "account_not_configured");
  equal(world.sent.length, 0);
});

pluginTest("pay() reads a 5xx, a timeout and an answer of another amount as unknown", async (world) => {
  const creates = (request: { method: string; url: string }) =>
    request.method === "POST" && request.url.endsWith("/payments");
  world.fault(creates, async (_request, send) => {
    await send();
    return { kind: "response", status: 503, headers: {}, body: "" };
  });
  expectKind(await plugin.pay(payInput(world), world.context()), "unknown");
  world.fault(creates, async (_request, send) => {
    await send();
    return { kind: "no_answer", detail: "timed out" };
  });
  expectKind(await plugin.pay(payInput(world), world.context()), "unknown");
  world.fault(creates, async (_request, send) => {
    const result = await send();
    if (result.kind !== "response") return result;
    const body = JSON.parse(result.body);
    return { ...result, body: JSON.stringify({ ...body, amount: { currency: "EUR", value: "10.01" } }) };
  });
  expectKind(await plugin.pay(payInput(world), world.context()), "unknown");
});

pluginTest(
  "continueAfterRedirect() fetches the payment: the buyer's choice decides, never the browser",
  async (world) => {
    const rows = [
      ["approve", "succeeded"],
      ["fail", "failed:payment_failed"],
      ["cancel", "failed:payment_canceled"],
      ["pending", "pending"],
    ] as const;
    for (const [action, expected] of rows) {
      const { input, outcome } = await startPayment(world);
      const back = await buyerChooses(outcome.redirect.url, action);
      equal(back, input.returnUrl, "Mollie adds nothing to the redirect URL");
      const result = await plugin.continueAfterRedirect(continueInput(input, outcome), world.context());
      equal(result.kind === "failed" ? `failed:${result.code}` : result.kind, expected, action);
      if (result.kind === "succeeded") assertEquals(result.amount, input.amount);
    }
    const gets = world.sent.filter(({ request }) => request.method === "GET");
    equal(gets.length, 4);
    for (const { request } of gets) equal(request.headers?.["Idempotency-Key"], undefined);
  },
);

pluginTest(
  "continueAfterRedirect() refuses a return while the payment is still open, and fails it once expired",
  async (world) => {
    const { input, outcome } = await startPayment(world);
    const early = await plugin.continueAfterRedirect(continueInput(input, outcome), world.context());
    expectKind(early, "return_refused");
    ok(await world.harness.emulator.expire(outcome.pspReference!));
    const late = await plugin.continueAfterRedirect(continueInput(input, outcome), world.context());
    equal(expectKind(late, "failed").code, "payment_expired");
  },
);

pluginTest("continueAfterRedirect() reads a payment of another reference as unknown", async (world) => {
  const first = await startPayment(world);
  const second = await startPayment(world);
  await buyerChooses(second.outcome.redirect.url, "approve");
  const mixed = await plugin.continueAfterRedirect(
    { ...continueInput(first.input, first.outcome), pspReference: second.outcome.pspReference },
    world.context(),
  );
  expectKind(mixed, "unknown");
  const none = await plugin.continueAfterRedirect(
    { reference: newReference(), amount: first.input.amount, resume: {}, returnParams: {} },
    world.context(),
  );
  expectKind(none, "unknown");
});

pluginTest(
  "refund() is taken as pending, sends the refund's own reference, and fails on Mollie's refusal",
  async (world) => {
    const { input, outcome } = await startPayment(world);
    await buyerChooses(outcome.redirect.url, "approve");
    const reference = newReference();
    const ctx = world.context();
    const refund = await plugin.refund(
      {
        reference,
        paymentPspReference: outcome.pspReference!,
        amount: { amountMinor: 300, currency: "EUR" },
        paymentAmount: input.amount,
      },
      ctx,
    );
    ok(expectKind(refund, "pending").pspReference.startsWith("re_"));
    const post = world.sent.at(-1)!;
    equal(post.request.headers?.["Idempotency-Key"], ctx.idempotencyKey);
    assertEquals(post.request.json, { amount: { currency: "EUR", value: "3.00" }, metadata: { reference } });
    const tooMuch = await plugin.refund(
      {
        reference: newReference(),
        paymentPspReference: outcome.pspReference!,
        amount: { amountMinor: 800, currency: "EUR" },
        paymentAmount: input.amount,
      },
      world.context(),
    );
    equal(expectKind(tooMuch, "failed").code, "invalid_amount");
    const missing = await plugin.refund(
      {
        reference: newReference(),
        paymentPspReference: "tr_NoSuchPayment1",
        amount: { amountMinor: 100, currency: "EUR" },
        paymentAmount: input.amount,
      },
      world.context(),
    );
    equal(expectKind(missing, "failed").code, "payment_not_found");
  },
);

pluginTest("capture() and void() send nothing: Mollie bank payments are sales", async (world) => {
  const input = {
    reference: newReference(),
    paymentPspReference: "tr_x1",
    amount: { amountMinor: 1, currency: "EUR" },
    paymentAmount: { amountMinor: 1, currency: "EUR" },
  };
  equal(expectKind(await plugin.capture(input, world.context()), "failed").code, "capture_not_supported");
  equal(expectKind(await plugin.void(input, world.context()), "failed").code, "payment_not_voidable");
  equal(world.sent.length, 0);
});

pluginTest("verifyCredentials() accepts the account's key and explains Mollie's refusal", async (world) => {
  assertEquals(await plugin.verifyCredentials(world.context()), { ok: true });
  const refused = await plugin.verifyCredentials(
    world.context({ credentials: { apiKey: UNKNOWN_API_KEY, baseUrl: world.harness.apiUrl } }),
  );
  equal(refused.ok, false);
  ok(!refused.ok && refused.reason.includes("API key"));
  const unreachable = await plugin.verifyCredentials(
    world.context({ credentials: { apiKey: API_KEY, baseUrl: "http://127.0.0.1:9/v2" } }),
  );
  equal(unreachable.ok, false);
  equal(world.sent[0].request.method, "GET");
  ok(world.sent[0].request.url.endsWith("/v2/methods"));
});
