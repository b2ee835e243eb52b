import { deepStrictEqual as assertEquals, ok, strictEqual as equal } from "node:assert/strict";
import type { PspHttpResult } from "../../src/plugin_api.ts";
import { createSkeletonPayEmulator } from "./emulator/mod.ts";
import { createSkeletonPayPlugin } from "./mod.ts";
import {
  answer,
  API_KEY,
  CARDS,
  context,
  emulatorHttp,
  EUR_10,
  expectKind,
  payInput,
  stubHttp,
  summary,
  WEBHOOK_SECRET,
} from "./test_support.ts";

const plugin = createSkeletonPayPlugin();
const REFERENCE = "shop.aaaaaaaaaaaaaaaa";

function payment(fields: Record<string, unknown>): Record<string, unknown> {
  return { id: "pay_1", reference: REFERENCE, amount: { value: 1000, currency: "EUR" }, ...fields };
}

async function withEmulator(run: (emulator: ReturnType<typeof createSkeletonPayEmulator>) => Promise<void>) {
  const emulator = createSkeletonPayEmulator({
    accounts: [{ apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET }],
    webhookDelayMs: 1,
  });
  try {
    await run(emulator);
  } finally {
    await emulator.close();
  }
}

Deno.test("pay() maps every answer of the API to one outcome (table)", async (t) => {
  const rows: readonly [string, PspHttpResult, { kind: string; code?: string }][] = [
    ["a captured sale", answer(200, payment({ status: "captured" })), { kind: "succeeded" }],
    ["an authorization where a sale was asked", answer(200, payment({ status: "authorized" })), {
      kind: "unknown",
    }],
    [
      "a decline with a listed code",
      answer(200, payment({ status: "declined", declineCode: "insufficient_funds" })),
      { kind: "failed", code: "insufficient_funds" },
    ],
    [
      "a decline with an unlisted code",
      answer(200, payment({ status: "declined", declineCode: "velocity_exceeded" })),
      { kind: "failed", code: "card_declined" },
    ],
    ["a decline without a code", answer(200, payment({ status: "declined" })), {
      kind: "failed",
      code: "card_declined",
    }],
    ["a failed payment", answer(200, payment({ status: "failed" })), {
      kind: "failed",
      code: "processing_error",
    }],
    ["a payment still processing", answer(200, payment({ status: "processing" })), { kind: "pending" }],
    ["an unlisted status", answer(200, payment({ status: "settled" })), { kind: "unknown" }],
    ["a missing status", answer(200, payment({})), { kind: "unknown" }],
    ["another reference", answer(200, payment({ status: "captured", reference: "shop.other" })), {
      kind: "unknown",
    }],
    [
      "another amount",
      answer(200, payment({ status: "captured", amount: { value: 1001, currency: "EUR" } })),
      { kind: "unknown" },
    ],
    ["no id", answer(200, payment({ status: "captured", id: "" })), { kind: "unknown" }],
    ["HTTP 500", answer(500, { error: { code: "internal_error", message: "boom" } }), { kind: "unknown" }],
    ["HTTP 502 with HTML", answer(502, "<html>Bad Gateway</html>"), { kind: "unknown" }],
    [
      "HTTP 400",
      answer(400, { error: { code: "invalid_request", message: "card.cvc must be 3 or 4 digits" } }),
      { kind: "failed", code: "invalid_request" },
    ],
    [
      "HTTP 401",
      answer(401, { error: { code: "unauthorized", message: "Unknown API key" } }),
      { kind: "failed", code: "psp_authentication_failed" },
    ],
    ["HTTP 409 (key in use)", answer(409, { error: { code: "idempotency_key_in_use" } }), {
      kind: "unknown",
    }],
    ["HTTP 429", answer(429, { error: { code: "rate_limited" } }), { kind: "unknown" }],
    ["a truncated body", answer(200, '{"id":"pay_1","status":"capt'), { kind: "unknown" }],
    ["JSON null", answer(200, "null"), { kind: "unknown" }],
    ["not sent", { kind: "not_sent", detail: "connection refused" }, { kind: "unknown" }],
    ["no answer", { kind: "no_answer", detail: "timed out" }, { kind: "unknown" }],
  ];
  for (const [label, result, expected] of rows) {
    await t.step(`${label} -> ${expected.code ?? expected.kind}`, async () => {
      const input = payInput(CARDS.approved, { reference: REFERENCE });
      assertEquals(summary(await plugin.pay(input, context(stubHttp(result)))), expected);
    });
  }
});

Deno.test("capture(), void() and refund() map every modification answer (table)", async (t) => {
  const capture = (fields: Record<string, unknown>) =>
    answer(200, {
      id: "cap_1",
      paymentId: "pay_1",
      reference: REFERENCE,
      type: "capture",
      amount: { value: 1000, currency: "EUR" },
      ...fields,
    });
  const rows: readonly [string, PspHttpResult, { kind: string; code?: string }][] = [
    ["succeeded", capture({ status: "succeeded" }), { kind: "succeeded" }],
    [
      "failed by an accounting rule",
      capture({ status: "failed", failureCode: "exceeds_authorized" }),
      { kind: "failed", code: "amount_exceeds_authorized" },
    ],
    ["failed without a code", capture({ status: "failed" }), { kind: "failed", code: "capture_failed" }],
    ["processing", capture({ status: "processing" }), { kind: "pending" }],
    ["an unlisted status", capture({ status: "reversed" }), { kind: "unknown" }],
    ["about another payment", capture({ status: "succeeded", paymentId: "pay_2" }), { kind: "unknown" }],
    ["about a refund", capture({ status: "succeeded", type: "refund" }), { kind: "unknown" }],
    [
      "HTTP 404",
      answer(404, { error: { code: "payment_not_found", message: "No such payment" } }),
      { kind: "failed", code: "payment_not_found" },
    ],
    ["HTTP 503", answer(503, ""), { kind: "unknown" }],
  ];
  const input = { reference: REFERENCE, paymentPspReference: "pay_1", amount: EUR_10, paymentAmount: EUR_10 };
  for (const [label, result, expected] of rows) {
    await t.step(`${label} -> ${expected.code ?? expected.kind}`, async () => {
      assertEquals(summary(await plugin.capture(input, context(stubHttp(result)))), expected);
    });
  }
});

Deno.test("query() replays the call's key in replay-only mode and settles nothing from a 4xx", async () => {
  const http = stubHttp(answer(404, { error: { code: "idempotency_key_not_found" } }));
  const ctx = context(http);
  const outcome = await plugin.query({ operation: "pay", reference: REFERENCE, amount: EUR_10 }, ctx);
  equal(outcome.kind, "unknown");
  const [request] = http.requests;
  equal(request.headers?.["Idempotency-Key"], ctx.idempotencyKey);
  equal(request.headers?.["Idempotency-Replay-Only"], "true");
  equal((request.json as Record<string, unknown>).card, undefined);
});

Deno.test("query() replays a payment's stored answer and never charges for a key the PSP never saw", async () => {
  await withEmulator(async (emulator) => {
    const input = payInput(CARDS.approved, { captureMode: "authorize" });
    const ctx = context(emulatorHttp(emulator));
    const paid = expectKind(await plugin.pay(input, ctx), "succeeded");
    const asked = {
      operation: "pay",
      reference: input.reference,
      amount: EUR_10,
      captureMode: "authorize",
    } as const;
    const found = expectKind(await plugin.query(asked, ctx), "succeeded");
    equal(found.pspReference, paid.pspReference);
    equal(emulator.chargeCount(input.reference), 1);
    const never = await plugin.query(
      { ...asked, reference: "shop.neverseen" },
      context(emulatorHttp(emulator)),
    );
    equal(never.kind, "unknown");
    equal(emulator.chargeCount("shop.neverseen"), 0);
  });
});

Deno.test("pay(), capture(), refund() and void() follow the emulator's accounting", async () => {
  await withEmulator(async (emulator) => {
    const http = emulatorHttp(emulator);
    const input = payInput(CARDS.approved, { captureMode: "authorize" });
    const { pspReference } = expectKind(await plugin.pay(input, context(http)), "succeeded");
    const modification = (amountMinor?: number) => ({
      reference: `shop.${crypto.randomUUID().slice(0, 8)}`,
      paymentPspReference: pspReference,
      amount: amountMinor === undefined ? undefined : { amountMinor, currency: "EUR" },
      paymentAmount: EUR_10,
    });
    expectKind(await plugin.capture(modification(400), context(http)), "succeeded");
    const tooMuch = expectKind(await plugin.capture(modification(700), context(http)), "failed");
    equal(tooMuch.code, "amount_exceeds_authorized");
    expectKind(await plugin.refund(modification(400), context(http)), "succeeded");
    const voided = expectKind(await plugin.void(modification(), context(http)), "failed");
    equal(voided.code, "void_after_capture");
    const declined = expectKind(await plugin.pay(payInput(CARDS.declined), context(http)), "failed");
    equal(declined.code, "card_declined");
    expectKind(await plugin.pay(payInput(CARDS.processing), context(http)), "pending");
  });
});

Deno.test("every request carries ctx.idempotencyKey unchanged and the shop's API key", async () => {
  await withEmulator(async (emulator) => {
    const http = emulatorHttp(emulator);
    const keys = ["gw-aaaaaaaaaaaaaaaa-p1", "gw-bbbbbbbbbbbbbbbb-p1", "gw-cccccccccccccccc-p2"];
    await plugin.verifyCredentials(context(http, { idempotencyKey: keys[0] }));
    const { pspReference } = expectKind(
      await plugin.pay(payInput(CARDS.approved), context(http, { idempotencyKey: keys[1] })),
      "succeeded",
    );
    await plugin.refund(
      { reference: "shop.refund", paymentPspReference: pspReference, amount: EUR_10, paymentAmount: EUR_10 },
      context(http, { idempotencyKey: keys[2] }),
    );
    assertEquals(http.requests.map((request) => request.headers?.["Idempotency-Key"]), keys);
    ok(http.requests.every((request) => request.headers?.Authorization === `Bearer ${API_KEY}`));
  });
});

Deno.test("verifyCredentials() accepts a working key and refuses an unknown one or another mode's", async () => {
  const emulator = createSkeletonPayEmulator({
    accounts: [
      { apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET },
      { apiKey: "test_really_a_live_account", webhookSecret: WEBHOOK_SECRET, mode: "live" },
    ],
  });
  try {
    const http = emulatorHttp(emulator);
    assertEquals(await plugin.verifyCredentials(context(http)), { ok: true });
    const credentials = (apiKey: string) => ({ apiKey, webhookSecret: WEBHOOK_SECRET });
    equal(
      (await plugin.verifyCredentials(context(http, { credentials: credentials("test_unknown_key") }))).ok,
      false,
    );
    const live = await plugin.verifyCredentials(
      context(http, { credentials: credentials("test_really_a_live_account") }),
    );
    equal(live.ok, false);
    equal(
      (await plugin.verifyCredentials(context(http, { credentials: credentials("live_key_00000001") }))).ok,
      false,
    );
  } finally {
    await emulator.close();
  }
});

Deno.test("pay() refuses what it cannot do without sending anything", async () => {
  const http = stubHttp();
  const stored = { pspToken: "tok_1", shopperReference: "shopper-1", initiator: "customer" } as const;
  const cases = [
    [payInput(CARDS.approved, { storedCard: stored }), "not_supported"],
    [payInput(CARDS.approved, { storeCard: { shopperReference: "shopper-1" } }), "not_supported"],
    [payInput(CARDS.approved, { card: undefined }), "invalid_request"],
  ] as const;
  for (const [input, code] of cases) {
    equal(expectKind(await plugin.pay(input, context(http)), "failed").code, code);
  }
  const live = expectKind(
    await plugin.pay(payInput(CARDS.approved), context(http, { test: false })),
    "failed",
  );
  equal(live.code, "account_not_configured");
  equal(http.requests.length, 0);
});

Deno.test("pay() returns unknown, never a throw, when something inside the plugin fails", async () => {
  const outcome = await plugin.pay(payInput(CARDS.approved), context(stubHttp()));
  equal(outcome.kind, "unknown");
});
