import { deepStrictEqual as assertEquals, ok, strictEqual as equal } from "node:assert/strict";
import type { PspHttpRequest } from "../../src/mod.ts";
import { createMolliePlugin } from "./mod.ts";
import {
  buyerChooses,
  eventually,
  expectKind,
  newReference,
  payInput,
  pluginTest,
  type World,
} from "./test_support.ts";

const plugin = createMolliePlugin();

const isCreate = (request: PspHttpRequest) => request.method === "POST" && /\/payments$/.test(request.url);
const isRefundCreate = (request: PspHttpRequest) =>
  request.method === "POST" && /\/refunds$/.test(request.url);

/** Mollie acted, but its answer never arrived. */
async function answerLost(_request: PspHttpRequest, send: () => Promise<unknown>) {
  await send();
  return { kind: "no_answer" as const, detail: "timed out after sending" };
}

function queryOfPay(input: ReturnType<typeof payInput>, pspReference?: string) {
  return {
    operation: "pay" as const,
    reference: input.reference,
    pspReference,
    amount: input.amount,
    captureMode: "sale" as const,
    returnUrl: input.returnUrl,
    description: input.description,
    notificationUrl: input.notificationUrl,
  };
}

async function paidPayment(world: World) {
  const input = payInput(world);
  const outcome = expectKind(await plugin.pay(input, world.context()), "requires_action");
  await buyerChooses(outcome.redirect.url, "approve");
  return { input, paymentId: outcome.pspReference! };
}

pluginTest(
  "query() after a lost create answer replays it under the same key and finds the one payment",
  async (world) => {
    const input = payInput(world);
    const ctx = world.context();
    world.fault(isCreate, answerLost);
    expectKind(await plugin.pay(input, ctx), "unknown");
    const open = expectKind(await plugin.query(queryOfPay(input), ctx), "requires_action");
    const [stored] = world.harness.emulator.payments();
    equal(world.harness.emulator.payments().length, 1, "the replay created no second payment");
    equal(open.pspReference, stored.id);
    const [create, replay] = world.sent.filter(({ request }) => isCreate(request));
    equal(replay.request.headers?.["Idempotency-Key"], ctx.idempotencyKey);
    assertEquals(
      replay.request.json,
      create.request.json,
      "the replay sends the create's body, webhookUrl included",
    );
    await buyerChooses(open.redirect.url, "approve");
    const paid = expectKind(await plugin.query(queryOfPay(input), ctx), "succeeded");
    assertEquals(paid.amount, input.amount);
    equal(world.harness.emulator.payments().length, 1);
  },
);

pluginTest("query() of a payment by its id never posts anything", async (world) => {
  const { input, paymentId } = await paidPayment(world);
  const before = world.sent.length;
  expectKind(await plugin.query(queryOfPay(input, paymentId), world.context()), "succeeded");
  const asked = world.sent.slice(before);
  equal(asked.length, 1);
  equal(asked[0].request.method, "GET");
});

pluginTest("query() of a payment that expired, failed or was canceled fails it", async (world) => {
  for (const action of ["expire", "fail", "cancel"] as const) {
    const input = payInput(world);
    const outcome = expectKind(await plugin.pay(input, world.context()), "requires_action");
    if (action === "expire") await world.harness.emulator.expire(outcome.pspReference!);
    else await buyerChooses(outcome.redirect.url, action);
    const asked = expectKind(
      await plugin.query(queryOfPay(input, outcome.pspReference), world.context()),
      "failed",
    );
    equal(
      asked.code,
      { expire: "payment_expired", fail: "payment_failed", cancel: "payment_canceled" }[action],
    );
  }
});

pluginTest("query() of a continue asks the payment again, and only with its id", async (world) => {
  const { input, paymentId } = await paidPayment(world);
  const asked = await plugin.query(
    { ...queryOfPay(input), operation: "continue", resume: { paymentId }, returnParams: {} },
    world.context(),
  );
  expectKind(asked, "succeeded");
  const before = world.sent.length;
  expectKind(await plugin.query({ ...queryOfPay(input), operation: "continue" }, world.context()), "unknown");
  equal(world.sent.length, before, "nothing is replayed under a continue's key");
});

pluginTest("query() of a refund follows it from queued to refunded, by id", async (world) => {
  const { input, paymentId } = await paidPayment(world);
  const reference = newReference();
  const amount = { amountMinor: 400, currency: "EUR" };
  const refundInput = { reference, paymentPspReference: paymentId, amount, paymentAmount: input.amount };
  const ctx = world.context();
  const taken = expectKind(await plugin.refund(refundInput, ctx), "pending");
  const query = {
    operation: "refund" as const,
    reference,
    pspReference: taken.pspReference,
    paymentPspReference: paymentId,
    amount,
  };
  await eventually(() => world.harness.emulator.refunds()[0].status === "refunded");
  const done = expectKind(await plugin.query(query, ctx), "succeeded");
  assertEquals(done.amount, amount);
  equal(done.pspReference, taken.pspReference);
});

pluginTest(
  "query() of a refund whose answer was lost finds it by reference; a failed refund fails",
  async (world) => {
    const { input, paymentId } = await paidPayment(world);
    world.harness.emulator.failRefunds(true);
    const reference = newReference();
    const amount = { amountMinor: 250, currency: "EUR" };
    const ctx = world.context();
    world.fault(isRefundCreate, answerLost);
    expectKind(
      await plugin.refund(
        { reference, paymentPspReference: paymentId, amount, paymentAmount: input.amount },
        ctx,
      ),
      "unknown",
    );
    const query = { operation: "refund" as const, reference, paymentPspReference: paymentId, amount };
    const before = world.sent.length;
    const pending = await plugin.query(query, ctx);
    ok(pending.kind === "pending" || pending.kind === "failed", pending.kind);
    ok(
      world.sent.slice(before).every(({ request }) => request.method === "GET"),
      "a refund query posts nothing",
    );
    await eventually(() => world.harness.emulator.refunds()[0].status === "failed");
    equal(expectKind(await plugin.query(query, ctx), "failed").code, "refund_failed");
    equal(world.harness.emulator.refunds().length, 1);
  },
);

pluginTest(
  "query() of a refund Mollie never received is not_received, on Mollie's whole list",
  async (world) => {
    const { input, paymentId } = await paidPayment(world);
    const reference = newReference();
    const amount = { amountMinor: 100, currency: "EUR" };
    const ctx = world.context();
    world.fault(
      isRefundCreate,
      () => Promise.resolve({ kind: "not_sent" as const, detail: "connection refused" }),
    );
    expectKind(
      await plugin.refund(
        { reference, paymentPspReference: paymentId, amount, paymentAmount: input.amount },
        ctx,
      ),
      "unknown",
    );
    const query = { operation: "refund" as const, reference, paymentPspReference: paymentId, amount };
    expectKind(await plugin.query(query, ctx), "not_received");
    equal(world.harness.emulator.refunds().length, 0, "the query refunded nothing");
    // Without Mollie's answer (a 5xx), nothing is claimed.
    world.fault(
      (request) => request.method === "GET",
      () => Promise.resolve({ kind: "response" as const, status: 502, headers: {}, body: "" }),
    );
    expectKind(await plugin.query(query, ctx), "unknown");
  },
);

pluginTest("query() reads Mollie's refusals of a query as unknown, never failed", async (world) => {
  const input = payInput(world);
  const other = world.context({
    credentials: { apiKey: "test_NotAnAccountKey00000000000003", baseUrl: world.harness.apiUrl },
  });
  expectKind(await plugin.query(queryOfPay(input, "tr_NoSuchPayment1"), world.context()), "unknown");
  expectKind(await plugin.query(queryOfPay(input), other), "unknown");
  expectKind(
    await plugin.query({
      operation: "refund",
      reference: newReference(),
      paymentPspReference: "tr_NoSuchPayment1",
      amount: input.amount,
    }, world.context()),
    "unknown",
  );
});
