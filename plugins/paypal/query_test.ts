import { deepStrictEqual as assertEquals, ok, strictEqual as equal } from "node:assert/strict";
import type { QueryInput } from "../../src/mod.ts";
import { createPayPalPlugin } from "./mod.ts";
import {
  buyerActs,
  EUR_10,
  expectKind,
  LOSE_ANSWER,
  paidOrder,
  payInput,
  pluginTest,
  randomToken,
  RETURN_URL,
} from "./plugin_world.ts";

const plugin = createPayPalPlugin();

function payQuery(input: ReturnType<typeof payInput>): QueryInput {
  return {
    operation: "pay",
    reference: input.reference,
    amount: input.amount,
    captureMode: input.captureMode,
    returnUrl: RETURN_URL,
  };
}

pluginTest(
  "query() of a payment whose answer was lost finds the same order and page, creating nothing",
  async (world) => {
    const input = payInput();
    const ctx = world.context();
    world.fault("paypal.orders.create", LOSE_ANSWER);
    expectKind(await plugin.pay(input, ctx), "unknown");
    const found = expectKind(await plugin.query(payQuery(input), ctx), "requires_action");
    const [order] = world.harness.emulator.charges(input.reference);
    equal(found.pspReference, order.id);
    equal(world.harness.emulator.charges(input.reference).length, 1);
    const again = expectKind(await plugin.query(payQuery(input), ctx), "requires_action");
    equal(again.redirect.url, found.redirect.url);
    // The query's body asks for nothing: a zero amount, which PayPal would refuse if it had no stored order.
    const body = world.sent.at(-1)!.request.json as { purchase_units: { amount: { value: string } }[] };
    equal(body.purchase_units[0].amount.value, "0.00");
  },
);

pluginTest(
  "query() of a payment PayPal never received is not_received, and creates no order",
  async (world) => {
    // The pay call under this key never reached PayPal (the gateway's transport gave up before sending).
    const input = payInput();
    expectKind(await plugin.query(payQuery(input), world.context()), "not_received");
    equal(world.harness.emulator.charges(input.reference).length, 0);
  },
);

pluginTest(
  "query() of a continue whose answer was lost reads the capture and never captures twice",
  async (world) => {
    const input = payInput();
    const action = expectKind(await plugin.pay(input, world.context()), "requires_action");
    const returnParams = await buyerActs(action.redirect.url, "approve");
    const ctx = world.context();
    world.fault("paypal.orders.capture", LOSE_ANSWER);
    const continueInput = {
      reference: input.reference,
      amount: input.amount,
      resume: action.resume,
      returnParams,
    };
    expectKind(await plugin.continueAfterRedirect(continueInput, ctx), "unknown");
    const query: QueryInput = {
      operation: "continue",
      reference: input.reference,
      pspReference: action.pspReference,
      amount: input.amount,
      captureMode: "sale",
      resume: action.resume,
      returnParams,
    };
    const first = expectKind(await plugin.query(query, ctx), "succeeded");
    equal(first.pspReference, action.pspReference);
    assertEquals(first.amount, EUR_10);
    equal(expectKind(await plugin.query(query, ctx), "succeeded").pspReference, first.pspReference);
    equal(world.harness.emulator.charges(input.reference)[0].captures, 1);
    equal(world.sent.filter((s) => s.request.operation === "paypal.orders.capture").length, 1);
  },
);

pluginTest(
  "query() of a continue that never reached PayPal captures the approved order once",
  async (world) => {
    const input = payInput({ captureMode: "authorize" });
    const action = expectKind(await plugin.pay(input, world.context()), "requires_action");
    await buyerActs(action.redirect.url, "approve");
    const query: QueryInput = {
      operation: "continue",
      reference: input.reference,
      pspReference: action.pspReference,
      amount: input.amount,
      captureMode: "authorize",
      resume: action.resume,
      returnParams: {},
    };
    const ctx = world.context();
    expectKind(await plugin.query(query, ctx), "succeeded");
    expectKind(await plugin.query(query, ctx), "succeeded");
    equal(world.sent.filter((s) => s.request.operation === "paypal.orders.authorize").length, 1);
  },
);

pluginTest(
  "query() of a continue on an order the buyer never approved: it waits for the buyer again",
  async (world) => {
    const input = payInput();
    const action = expectKind(await plugin.pay(input, world.context()), "requires_action");
    const outcome = await plugin.query({
      operation: "continue",
      reference: input.reference,
      pspReference: action.pspReference,
      amount: input.amount,
      captureMode: "sale",
      resume: action.resume,
      returnParams: {},
    }, world.context());
    expectKind(outcome, "return_refused");
    ok(!world.sent.some((s) => s.request.operation === "paypal.orders.capture"));
  },
);

pluginTest(
  "query() of a modification looks without acting: found when done, not_received when not",
  async (world) => {
    const authorized = await paidOrder(world, { captureMode: "authorize" });
    const sale = await paidOrder(world);
    const ask = (operation: "capture" | "void" | "refund", reference: string, paymentPspReference: string) =>
      plugin.query({ operation, reference, paymentPspReference, amount: EUR_10 }, world.context());
    const captureRef = `demo.${randomToken()}`;
    expectKind(await ask("capture", captureRef, authorized.orderId), "not_received");
    expectKind(await ask("void", `demo.${randomToken()}`, authorized.orderId), "not_received");
    const refundRef = `demo.${randomToken()}`;
    expectKind(await ask("refund", refundRef, sale.orderId), "not_received");
    equal(
      world.sent.filter((s) => s.request.method === "POST" && s.request.url.includes("/v2/payments/")).length,
      0,
    );

    world.fault("paypal.authorizations.capture", LOSE_ANSWER);
    const captureInput = {
      reference: captureRef,
      paymentPspReference: authorized.orderId,
      amount: EUR_10,
      paymentAmount: EUR_10,
    };
    expectKind(await plugin.capture(captureInput, world.context()), "unknown");
    const captured = expectKind(await ask("capture", captureRef, authorized.orderId), "succeeded");
    assertEquals(captured.amount, EUR_10);
    world.fault("paypal.captures.refund", LOSE_ANSWER);
    expectKind(
      await plugin.refund(
        { ...captureInput, reference: refundRef, paymentPspReference: sale.orderId },
        world.context(),
      ),
      "unknown",
    );
    expectKind(await ask("refund", refundRef, sale.orderId), "succeeded");
    const voidable = await paidOrder(world, { captureMode: "authorize" });
    world.fault("paypal.authorizations.void", LOSE_ANSWER);
    const voidRef = `demo.${randomToken()}`;
    expectKind(
      await plugin.void(
        { reference: voidRef, paymentPspReference: voidable.orderId, paymentAmount: EUR_10 },
        world.context(),
      ),
      "unknown",
    );
    expectKind(await ask("void", voidRef, voidable.orderId), "succeeded");
  },
);

pluginTest("query() with credentials PayPal refuses is unknown, never failed", async (world) => {
  const input = payInput();
  const ctx = world.context({ credentials: { ...world.context().credentials, clientSecret: "wrong" } });
  expectKind(await plugin.query(payQuery(input), ctx), "unknown");
});
