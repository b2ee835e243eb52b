/**
 * Notifications: a genuine event parses to its event; anything unsigned, signed with another secret, changed
 * after signing or unreadable is rejected as a whole. Bodies are signed by the emulator's own signer, not the
 * plugin's, so the two cannot share a mistake.
 */
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import type { PspCallContext, RawNotification } from "../../src/plugin_api.ts";
import { createLoopbackHttp } from "../kit/conformance/mod.ts";
import { signBody } from "./emulator/mod.ts";
import { notificationReferences, parseNotification } from "./notification.ts";

const SECRET = "whsec_notification_test_0001";
const ctx: PspCallContext = {
  idempotencyKey: "test-notification",
  deadline: Date.now() + 5_000,
  credentials: { apiKey: "test_notification_key", webhookSecret: SECRET },
  test: true,
  http: createLoopbackHttp(() => {}),
};

const EVENT = {
  id: "evt_1",
  type: "payment.updated",
  created: "2026-01-01T00:00:00Z",
  data: {
    id: "pay_1",
    reference: "shop.abc",
    amount: { value: 1000, currency: "EUR" },
    status: "captured",
    capture: true,
  },
};

async function signed(body: string, secret = SECRET): Promise<RawNotification> {
  return {
    headers: { "content-type": "application/json", "x-signature": await signBody(body, secret) },
    body,
  };
}

Deno.test("a genuine event parses to its operation, reference and outcome", async () => {
  const raw = await signed(JSON.stringify(EVENT));
  deepStrictEqual(await parseNotification(raw, ctx), {
    kind: "events",
    events: [{
      operation: "pay",
      reference: "shop.abc",
      outcome: { kind: "succeeded", pspReference: "pay_1", amount: { amountMinor: 1000, currency: "EUR" } },
    }],
    acknowledgement: "ok",
  });
  deepStrictEqual(notificationReferences(raw), ["shop.abc"]);
});

Deno.test("an unsigned, foreign, changed or unreadable notification is rejected", async (t) => {
  const body = JSON.stringify(EVENT);
  const genuine = await signed(body);
  const changed = { ...genuine, body: body.replace("1000", "1100") };
  const cases: [string, RawNotification][] = [
    ["unsigned", { headers: {}, body }],
    ["another secret", await signed(body, "whsec_someone_else_0000001")],
    ["changed after signing", changed],
    ["not JSON, signed", await signed("not json")],
    ["an event without data, signed", await signed('{"type":"payment.updated"}')],
  ];
  for (const [what, raw] of cases) {
    await t.step(what, async () => strictEqual((await parseNotification(raw, ctx)).kind, "rejected"));
  }
});

Deno.test("a genuine event of a type the plugin does not act on is acknowledged without events", async () => {
  const raw = await signed(JSON.stringify({ ...EVENT, type: "payout.updated" }));
  deepStrictEqual(await parseNotification(raw, ctx), { kind: "events", events: [], acknowledgement: "ok" });
});
