import { deepStrictEqual as assertEquals, strictEqual as equal } from "node:assert/strict";
import type { RawNotification } from "../../src/plugin_api.ts";
import { signBody } from "./emulator/mod.ts";
import { createSkeletonPayPlugin } from "./mod.ts";
import { notificationContext, WEBHOOK_SECRET } from "./test_support.ts";

const plugin = createSkeletonPayPlugin();

const EVENT = {
  id: "evt_000001",
  type: "payment.updated",
  created: "2030-01-01T00:00:00.000Z",
  data: {
    id: "pay_1",
    reference: "shop.aaaaaaaaaaaaaaaa",
    amount: { value: 1000, currency: "EUR" },
    status: "captured",
  },
};

// Signed with the emulator's signer, an implementation independent of the plugin's verifier.
async function signed(event: unknown, secret = WEBHOOK_SECRET): Promise<RawNotification> {
  const body = JSON.stringify(event);
  return {
    headers: { "content-type": "application/json", "x-signature": await signBody(body, secret) },
    body,
  };
}

Deno.test("parseNotification() turns a genuine event into the core's event", async () => {
  const parsed = await plugin.parseNotification(await signed(EVENT), notificationContext());
  assertEquals(parsed, {
    kind: "events",
    events: [{
      operation: "pay",
      reference: "shop.aaaaaaaaaaaaaaaa",
      outcome: { kind: "succeeded", pspReference: "pay_1", amount: { amountMinor: 1000, currency: "EUR" } },
    }],
    acknowledgement: "ok",
  });
});

Deno.test("parseNotification() reads a refused modification with its code", async () => {
  const refund = {
    ...EVENT,
    type: "refund.updated",
    data: {
      id: "ref_1",
      paymentId: "pay_1",
      reference: "shop.r",
      status: "failed",
      failureCode: "exceeds_captured",
    },
  };
  const parsed = await plugin.parseNotification(await signed(refund), notificationContext());
  equal(parsed.kind, "events");
  if (parsed.kind !== "events") return;
  assertEquals(parsed.events[0].operation, "refund");
  assertEquals(
    parsed.events[0].outcome.kind === "failed" && parsed.events[0].outcome.code,
    "amount_exceeds_captured",
  );
});

Deno.test("parseNotification() rejects whatever the shop's secret did not sign (table)", async (t) => {
  const genuine = await signed(EVENT);
  const rows: readonly [string, RawNotification][] = [
    ["unsigned", { headers: { "content-type": "application/json" }, body: genuine.body }],
    ["signed with another secret", await signed(EVENT, "whsec_someone_else_secret_01")],
    ["changed after signing", { headers: genuine.headers, body: genuine.body.replace("1000", "100000") }],
    ["a signature without its scheme", { headers: { "x-signature": "0".repeat(64) }, body: genuine.body }],
    ["a signature that is not hex", {
      headers: { "x-signature": `sha256=${"z".repeat(64)}` },
      body: genuine.body,
    }],
    ["signed garbage", await signed("not an event")],
  ];
  for (const [label, raw] of rows) {
    await t.step(label, async () => {
      equal((await plugin.parseNotification(raw, notificationContext())).kind, "rejected");
    });
  }
  await t.step("credentials without a secret", async () => {
    equal(
      (await plugin.parseNotification(genuine, notificationContext({ apiKey: "test_key_00000001" }))).kind,
      "rejected",
    );
  });
});

Deno.test("parseNotification() acknowledges a genuine event type it does not act on, without events", async () => {
  const parsed = await plugin.parseNotification(
    await signed({ ...EVENT, type: "payout.paid" }),
    notificationContext(),
  );
  assertEquals(parsed, { kind: "events", events: [], acknowledgement: "ok" });
});

Deno.test("parseNotification() gives the same result for a duplicate", async () => {
  const raw = await signed(EVENT);
  assertEquals(
    await plugin.parseNotification(raw, notificationContext()),
    await plugin.parseNotification(raw, notificationContext()),
  );
});

Deno.test("notificationReferences() names the event's reference, unverified, and never throws", async () => {
  assertEquals(plugin.notificationReferences(await signed(EVENT)), ["shop.aaaaaaaaaaaaaaaa"]);
  assertEquals(plugin.notificationReferences({ headers: {}, body: "{" }), []);
  assertEquals(plugin.notificationReferences({ headers: {}, body: '{"data":{"reference":7}}' }), []);
});
