import { deepStrictEqual as assertEquals, ok, strictEqual as equal } from "node:assert/strict";
import type { RawNotification } from "../../src/mod.ts";
import type { ReceivedNotification } from "../kit/emulator/mod.ts";
import { createPayPalPlugin } from "./mod.ts";
import {
  buyerActs,
  EUR_10,
  expectKind,
  paidOrder,
  payInput,
  pluginTest,
  randomToken,
  type World,
} from "./plugin_world.ts";
import { assertValid, OTHER_APP, WEBHOOKS_SPEC } from "./test_support.ts";

const plugin = createPayPalPlugin();

async function received(world: World, eventType: string, reference: string): Promise<RawNotification> {
  const delivery: ReceivedNotification = await world.harness.receiver.waitFor((n) =>
    n.body.includes(`"event_type":"${eventType}"`) && n.body.includes(`"${reference}"`)
  );
  equal(delivery.path, "/v1/notifications/paypal");
  assertValid(WEBHOOKS_SPEC.schema("event", JSON.parse(delivery.body)), eventType);
  return { headers: delivery.headers, body: delivery.body };
}

async function parse(world: World, raw: RawNotification) {
  return await plugin.parseNotification(raw, { ...world.context(), idempotencyKey: "" });
}

pluginTest(
  "a sale's PAYMENT.CAPTURE.COMPLETED parses, once verified, to the payment's success",
  async (world) => {
    const { input, orderId } = await paidOrder(world);
    const raw = await received(world, "PAYMENT.CAPTURE.COMPLETED", input.reference);
    assertEquals(plugin.notificationReferences(raw), [input.reference]);
    const parsed = await parse(world, raw);
    assertEquals(parsed, {
      kind: "events",
      events: [{
        operation: "pay",
        reference: input.reference,
        outcome: { kind: "succeeded", pspReference: orderId, amount: EUR_10 },
      }],
      acknowledgement: "",
    });
    const verify = world.sent.find((s) => s.request.operation === "paypal.webhooks.verify-signature")!;
    const asked = verify.request.json as Record<string, unknown>;
    equal(asked.webhook_id, world.context().credentials.webhookId);
    assertEquals(asked.webhook_event, JSON.parse(raw.body));
    equal(asked.auth_algo, "SHA256withRSA");
    assertEquals(await parse(world, raw), parsed);
  },
);

pluginTest(
  "the buyer's approval (CHECKOUT.ORDER.APPROVED) is acknowledged without an event",
  async (world) => {
    const input = payInput();
    const action = expectKind(await plugin.pay(input, world.context()), "requires_action");
    await buyerActs(action.redirect.url, "approve");
    const raw = await received(world, "CHECKOUT.ORDER.APPROVED", input.reference);
    assertEquals(plugin.notificationReferences(raw), [input.reference]);
    assertEquals(await parse(world, raw), { kind: "events", events: [], acknowledgement: "" });
  },
);

pluginTest("a declined capture and a voided order parse to the payment's failure", async (world) => {
  const declined = payInput();
  const action = expectKind(await plugin.pay(declined, world.context()), "requires_action");
  const returnParams = await buyerActs(action.redirect.url, "fail");
  await plugin.continueAfterRedirect(
    { reference: declined.reference, amount: declined.amount, resume: action.resume, returnParams },
    world.context(),
  );
  const raw = await received(world, "PAYMENT.CAPTURE.DECLINED", declined.reference);
  const parsedDecline = await parse(world, raw);
  const outcome = parsedDecline.kind === "events" ? parsedDecline.events[0]?.outcome : undefined;
  equal(outcome?.kind === "failed" && outcome.code, "payment_declined");
  const cancelled = payInput();
  const other = expectKind(await plugin.pay(cancelled, world.context()), "requires_action");
  await buyerActs(other.redirect.url, "cancel");
  const voided = await parse(world, await received(world, "CHECKOUT.ORDER.VOIDED", cancelled.reference));
  assertEquals(voided.kind === "events" && voided.events, [{
    operation: "pay",
    reference: cancelled.reference,
    outcome: {
      kind: "failed",
      code: "payment_canceled",
      message: "PayPal CHECKOUT.ORDER.VOIDED",
      pspReference: other.pspReference,
    },
  }]);
});

pluginTest("authorization, capture and refund events name their own operations", async (world) => {
  const { input, orderId } = await paidOrder(world, { captureMode: "authorize" });
  const authorized = await parse(
    world,
    await received(world, "PAYMENT.AUTHORIZATION.CREATED", input.reference),
  );
  assertEquals(authorized.kind === "events" && authorized.events[0], {
    operation: "pay",
    reference: input.reference,
    outcome: { kind: "succeeded", pspReference: orderId, amount: EUR_10 },
  });
  const captureRef = `demo.${randomToken()}`;
  const capture = {
    reference: captureRef,
    paymentPspReference: orderId,
    amount: EUR_10,
    paymentAmount: EUR_10,
  };
  const captured = expectKind(await plugin.capture(capture, world.context()), "succeeded");
  const refundRef = `demo.${randomToken()}`;
  const refund = expectKind(
    await plugin.refund(
      { ...capture, reference: refundRef, amount: { amountMinor: 250, currency: "EUR" } },
      world.context(),
    ),
    "succeeded",
  );
  // Parsed refund first: each stands on its own.
  const refunded = await parse(world, await received(world, "PAYMENT.CAPTURE.REFUNDED", refundRef));
  assertEquals(refunded.kind === "events" && refunded.events[0], {
    operation: "refund",
    reference: refundRef,
    outcome: {
      kind: "succeeded",
      pspReference: refund.pspReference,
      amount: { amountMinor: 250, currency: "EUR" },
    },
  });
  const raw = await received(world, "PAYMENT.CAPTURE.COMPLETED", captureRef);
  assertEquals(plugin.notificationReferences(raw), [captureRef, input.reference]);
  const capturedEvent = await parse(world, raw);
  assertEquals(capturedEvent.kind === "events" && capturedEvent.events[0], {
    operation: "capture",
    reference: captureRef,
    outcome: { kind: "succeeded", pspReference: captured.pspReference, amount: EUR_10 },
  });
});

pluginTest(
  "an event signed for another app, changed after signing, or unsigned is rejected",
  async (world) => {
    const { input } = await paidOrder(world);
    const raw = await received(world, "PAYMENT.CAPTURE.COMPLETED", input.reference);
    const foreign = {
      body: raw.body,
      headers: await world.harness.emulator.signWebhook(raw.body, OTHER_APP.webhookId),
    };
    equal((await parse(world, foreign)).kind, "rejected");
    const tampered = { ...raw, body: raw.body.replace('"value":"10.00"', '"value":"11.00"') };
    ok(tampered.body !== raw.body);
    equal((await parse(world, tampered)).kind, "rejected");
    const unsigned = { ...raw, headers: { "content-type": "application/json" } };
    const rejected = await parse(world, unsigned);
    equal(rejected.kind, "rejected");
    equal(world.sent.filter((s) => s.request.operation === "paypal.webhooks.verify-signature").length, 2);
    // Another app's credentials do not verify this app's event either.
    const otherCtx = {
      ...world.context({ credentials: { ...OTHER_APP, baseUrl: world.harness.url } }),
      idempotencyKey: "",
    };
    equal((await plugin.parseNotification(raw, otherCtx)).kind, "rejected");
  },
);

pluginTest("an event PayPal cannot be asked about is rejected, so PayPal sends it again", async (world) => {
  const { input } = await paidOrder(world);
  const raw = await received(world, "PAYMENT.CAPTURE.COMPLETED", input.reference);
  world.fault(
    "paypal.webhooks.verify-signature",
    () => ({ kind: "response", status: 503, headers: {}, body: "" }),
  );
  equal((await parse(world, raw)).kind, "rejected");
  equal((await parse(world, raw)).kind, "events");
});

pluginTest("garbage is rejected without asking PayPal, and names no reference", async (world) => {
  const headers = { "paypal-transmission-id": "x", "paypal-transmission-sig": "y" };
  const deep = "[".repeat(5000) + "]".repeat(5000);
  for (
    const body of ["", "not json", "null", "[]", "{}", '{"id":"WH-1","event_type":"X"}', "id=WH-1", deep]
  ) {
    equal((await parse(world, { headers, body })).kind, "rejected", body.slice(0, 20));
    assertEquals(plugin.notificationReferences({ headers, body }), []);
  }
  equal(world.sent.length, 0);
});
