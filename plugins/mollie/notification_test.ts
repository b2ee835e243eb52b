import { deepStrictEqual as assertEquals, ok, strictEqual as equal } from "node:assert/strict";
import type { RawNotification } from "../../src/mod.ts";
import type { ReceivedNotification } from "../kit/emulator/mod.ts";
import { NOTIFICATION_ACKNOWLEDGEMENT } from "./notification.ts";
import { createMolliePlugin } from "./mod.ts";
import {
  API_KEY,
  buyerChooses,
  eventually,
  expectKind,
  newReference,
  OTHER_API_KEY,
  payInput,
  pluginTest,
  type World,
} from "./test_support.ts";

const plugin = createMolliePlugin();

function raw(received: ReceivedNotification): RawNotification {
  return { headers: received.headers, body: received.body, params: received.params };
}

async function webhookFor(world: World, paymentId: string, count = 1): Promise<RawNotification> {
  await eventually(() =>
    world.harness.receiver.received.filter((entry) => entry.body === `id=${paymentId}`).length >= count
  );
  return raw(world.harness.receiver.received.filter((entry) => entry.body === `id=${paymentId}`)[count - 1]);
}

/** A notification context as the core builds it: the shop's credentials, no idempotency key. */
function notificationContext(world: World, apiKey = API_KEY) {
  return world.context({ idempotencyKey: "", credentials: { apiKey, baseUrl: world.harness.apiUrl } });
}

async function payWith(world: World, action: "approve" | "fail" | "cancel", apiKey = API_KEY) {
  const input = payInput(world);
  const ctx = world.context({ credentials: { apiKey, baseUrl: world.harness.apiUrl } });
  const outcome = expectKind(await plugin.pay(input, ctx), "requires_action");
  await buyerChooses(outcome.redirect.url, action);
  return { input, paymentId: outcome.pspReference! };
}

pluginTest(
  "parseNotification() fetches the payment the webhook names and reports its status",
  async (world) => {
    const rows = [["approve", "succeeded"], ["fail", "failed:payment_failed"], [
      "cancel",
      "failed:payment_canceled",
    ]] as const;
    for (const [action, expected] of rows) {
      const { input, paymentId } = await payWith(world, action);
      const notification = await webhookFor(world, paymentId);
      assertEquals(plugin.notificationReferences(notification), [input.reference]);
      const parsed = await plugin.parseNotification(notification, notificationContext(world));
      equal(parsed.kind, "events", JSON.stringify(parsed));
      if (parsed.kind !== "events") continue;
      equal(parsed.acknowledgement, NOTIFICATION_ACKNOWLEDGEMENT);
      equal(parsed.events.length, 1);
      const [event] = parsed.events;
      equal(event.operation, "pay");
      equal(event.reference, input.reference);
      const outcome = event.outcome;
      equal(outcome.kind === "failed" ? `failed:${outcome.code}` : outcome.kind, expected);
      if (outcome.kind === "succeeded") {
        equal(outcome.pspReference, paymentId);
        assertEquals(outcome.amount, input.amount);
      }
      // The same webhook again says the same.
      assertEquals(await plugin.parseNotification(notification, notificationContext(world)), parsed);
    }
  },
);

pluginTest(
  "parseNotification() reports the payment's final refunds under their own references",
  async (world) => {
    const { input, paymentId } = await payWith(world, "approve");
    const refunded = newReference();
    const failed = newReference();
    const amount = { amountMinor: 300, currency: "EUR" };
    const modification = { paymentPspReference: paymentId, amount, paymentAmount: input.amount };
    expectKind(await plugin.refund({ ...modification, reference: refunded }, world.context()), "pending");
    await eventually(() => world.harness.emulator.refunds().every((refund) => refund.status === "refunded"));
    world.harness.emulator.failRefunds(true);
    expectKind(await plugin.refund({ ...modification, reference: failed }, world.context()), "pending");
    // Payment paid, then the first refund settled, then the second: three webhooks, each naming the payment.
    const notification = await webhookFor(world, paymentId, 3);
    const parsed = await plugin.parseNotification(notification, notificationContext(world));
    ok(parsed.kind === "events");
    const summary = parsed.events.map((event) => [
      event.operation,
      event.reference,
      event.outcome.kind === "failed" ? `failed:${event.outcome.code}` : event.outcome.kind,
    ]);
    assertEquals(summary, [
      ["pay", input.reference, "succeeded"],
      ["refund", failed, "failed:refund_failed"],
      ["refund", refunded, "succeeded"],
    ]);
  },
);

let clock = Date.now();

pluginTest(
  "parseNotification() leaves out refunds not yet final and refunds made elsewhere",
  async (world) => {
    const { input, paymentId } = await payWith(world, "approve");
    // A refund made in Mollie's Dashboard carries no gateway reference.
    const dashboard = await fetch(`${world.harness.apiUrl}/payments/${paymentId}/refunds`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify({ amount: { currency: "EUR", value: "1.00" } }),
    });
    equal(dashboard.status, 201);
    await dashboard.body?.cancel();
    clock += 1_000;
    await world.harness.emulator.sweep();
    const ours = newReference();
    const refund = {
      reference: ours,
      paymentPspReference: paymentId,
      amount: { amountMinor: 200, currency: "EUR" },
    };
    expectKind(await plugin.refund({ ...refund, paymentAmount: input.amount }, world.context()), "pending");
    const notification = await webhookFor(world, paymentId);
    const before = await plugin.parseNotification(notification, notificationContext(world));
    ok(before.kind === "events");
    assertEquals(before.events.map((event) => [event.operation, event.reference]), [[
      "pay",
      input.reference,
    ]]);
    clock += 1_000;
    await world.harness.emulator.sweep();
    const after = await plugin.parseNotification(notification, notificationContext(world));
    ok(after.kind === "events");
    assertEquals(after.events.map((event) => [event.operation, event.reference, event.outcome.kind]), [
      ["pay", input.reference, "succeeded"],
      ["refund", ours, "succeeded"],
    ]);
  },
  { now: () => clock, refundAfterMs: 1_000, expireAfterMs: 3_600_000 },
);

pluginTest(
  "parseNotification() rejects a webhook whose payment is not this notification URL's",
  async (world) => {
    const mine = await payWith(world, "approve");
    const theirs = await payWith(world, "approve", OTHER_API_KEY);
    const genuine = await webhookFor(world, mine.paymentId);
    const rows: readonly [string, RawNotification][] = [
      ["another account's payment", { ...genuine, body: `id=${theirs.paymentId}` }],
      ["a payment that does not exist", { ...genuine, body: "id=tr_NoSuchPayment1" }],
      ["another reference in the URL", { ...genuine, params: { reference: newReference() } }],
      ["no reference in the URL", { ...genuine, params: {} }],
    ];
    for (const [name, forged] of rows) {
      const parsed = await plugin.parseNotification(forged, notificationContext(world));
      equal(parsed.kind, "rejected", name);
    }
    // The other shop's own key does verify its own webhook; this shop's key for it does not.
    const theirWebhook = await webhookFor(world, theirs.paymentId);
    equal(
      (await plugin.parseNotification(theirWebhook, notificationContext(world, OTHER_API_KEY))).kind,
      "events",
    );
    equal((await plugin.parseNotification(theirWebhook, notificationContext(world))).kind, "rejected");
  },
);

pluginTest(
  "parseNotification() rejects garbage without throwing, and asks Mollie nothing for it",
  async (world) => {
    const reference = newReference();
    const bodies = [
      "",
      "id=",
      "id=re_4qqhO89gsT",
      "id=tr_a&id=tr_b",
      '{"id":"tr_abc"}',
      "null",
      "[]",
      "id=tr_../methods",
      "x".repeat(5000),
    ];
    for (const body of bodies) {
      const notification = { headers: {}, body, params: { reference } };
      equal(
        (await plugin.parseNotification(notification, notificationContext(world))).kind,
        "rejected",
        body.slice(0, 20),
      );
      ok(Array.isArray(plugin.notificationReferences(notification)));
    }
    equal(world.sent.length, 0);
    const liveKey = {
      ...notificationContext(world),
      credentials: { apiKey: "live_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM" },
    };
    equal(
      (await plugin.parseNotification({ headers: {}, body: "id=tr_abc", params: { reference } }, liveKey))
        .kind,
      "rejected",
    );
    assertEquals(plugin.notificationReferences({ headers: {}, body: "id=tr_abc" }), []);
  },
);

pluginTest(
  "parseNotification() rejects when Mollie cannot be asked, so that Mollie delivers it again",
  async (world) => {
    const { paymentId } = await payWith(world, "approve");
    const notification = await webhookFor(world, paymentId);
    world.fault(
      (request) => request.method === "GET",
      () => Promise.resolve({ kind: "no_answer" as const, detail: "timed out" }),
    );
    equal((await plugin.parseNotification(notification, notificationContext(world))).kind, "rejected");
    world.fault(
      (request) => request.url.includes("/refunds"),
      () => Promise.resolve({ kind: "response" as const, status: 500, headers: {}, body: "" }),
    );
    equal((await plugin.parseNotification(notification, notificationContext(world))).kind, "rejected");
    equal((await plugin.parseNotification(notification, notificationContext(world))).kind, "events");
  },
);
