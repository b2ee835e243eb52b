import { deepStrictEqual as assertEquals, ok, strictEqual as equal } from "node:assert/strict";
import { createSkeletonPayEmulator, type SkeletonPayEmulator } from "./mod.ts";

const KEY_A = "test_emulator_key_aaaa";
const KEY_B = "test_emulator_key_bbbb";
const SECRET = "whsec_emulator_tests_0001";
const YEAR = String(new Date().getUTCFullYear() + 2);

function emulator(): SkeletonPayEmulator {
  return createSkeletonPayEmulator({
    accounts: [{ apiKey: KEY_A, webhookSecret: SECRET }, { apiKey: KEY_B, webhookSecret: SECRET }],
    webhookDelayMs: 1,
  });
}

async function post(
  target: SkeletonPayEmulator,
  path: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; replayed: boolean; body: Record<string, unknown> }> {
  const response = await target.fetch(
    new Request(`http://emulator.test/v1${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY_A}`, "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    }),
  );
  return {
    status: response.status,
    replayed: response.headers.get("idempotent-replayed") === "true",
    body: await response.json(),
  };
}

function paymentBody(reference: string, capture: boolean, number = "4242424242424242") {
  return {
    reference,
    amount: { value: 1000, currency: "EUR" },
    capture,
    card: { number, expiryMonth: "03", expiryYear: YEAR, cvc: "123" },
  };
}

async function withEmulator(run: (target: SkeletonPayEmulator) => Promise<void>): Promise<void> {
  const target = emulator();
  try {
    await run(target);
  } finally {
    await target.close();
  }
}

Deno.test("emulator replays the first answer for a key, whatever the body, and books once", async () => {
  await withEmulator(async (target) => {
    const first = await post(target, "/payments", paymentBody("shop.one", true), { "idempotency-key": "k1" });
    const again = await post(target, "/payments", paymentBody("shop.two", false), {
      "idempotency-key": "k1",
    });
    equal(first.status, 200);
    assertEquals(again.body, first.body);
    ok(again.replayed && !first.replayed);
    equal(target.chargeCount("shop.one"), 1);
    equal(target.chargeCount("shop.two"), 0);
  });
});

Deno.test("emulator scopes keys per API key", async () => {
  await withEmulator(async (target) => {
    await post(target, "/payments", paymentBody("shop.one", true), { "idempotency-key": "k1" });
    const other = await post(target, "/payments", paymentBody("shop.one", true), {
      "idempotency-key": "k1",
      authorization: `Bearer ${KEY_B}`,
    });
    equal(other.replayed, false);
    equal(target.chargeCount("shop.one"), 2);
  });
});

Deno.test("emulator answers a replay-only request from the store, or 404 without processing it", async () => {
  await withEmulator(async (target) => {
    const replayOnly = { "idempotency-key": "k2", "idempotency-replay-only": "true" };
    const missing = await post(target, "/payments", paymentBody("shop.one", true), replayOnly);
    equal(missing.status, 404);
    equal(target.chargeCount("shop.one"), 0);
    const first = await post(target, "/payments", paymentBody("shop.one", true), { "idempotency-key": "k2" });
    assertEquals((await post(target, "/payments", {}, replayOnly)).body, first.body);
  });
});

Deno.test("emulator stores no answer for a rejected request, so its key stays usable", async () => {
  await withEmulator(async (target) => {
    const invalid = await post(target, "/payments", { reference: "shop.one" }, { "idempotency-key": "k3" });
    equal(invalid.status, 400);
    const valid = await post(target, "/payments", paymentBody("shop.one", true), { "idempotency-key": "k3" });
    equal(valid.body.status, "captured");
    equal((await post(target, "/payments", paymentBody("x", true), {})).status, 400);
    const unknownKey = await post(target, "/payments", paymentBody("x", true), {
      "idempotency-key": "k4",
      authorization: "Bearer test_nobody",
    });
    equal(unknownKey.status, 401);
  });
});

Deno.test("emulator applies the accounting rules to captures, voids and refunds (table)", async (t) => {
  await withEmulator(async (target) => {
    let keys = 0;
    const call = async (path: string, body: unknown) =>
      (await post(target, path, body, { "idempotency-key": `m${++keys}` })).body;
    const auth = (await call("/payments", paymentBody("shop.auth", false))).id as string;
    const sale = (await call("/payments", paymentBody("shop.sale", true))).id as string;
    const amount = (value: number) => ({ value, currency: "EUR" });
    const rows = [
      ["refund before any capture", `/payments/${auth}/refunds`, { amount: amount(100) }, "not_refundable"],
      ["capture of a sale", `/payments/${sale}/captures`, { amount: amount(100) }, "not_capturable"],
      ["capture of 600", `/payments/${auth}/captures`, { amount: amount(600) }, undefined],
      [
        "capture above the remainder",
        `/payments/${auth}/captures`,
        { amount: amount(500) },
        "exceeds_authorized",
      ],
      [
        "capture in another currency",
        `/payments/${auth}/captures`,
        { amount: { value: 1, currency: "USD" } },
        "currency_mismatch",
      ],
      ["void after a capture", `/payments/${auth}/voids`, {}, "already_captured"],
      ["refund of 600", `/payments/${auth}/refunds`, { amount: amount(600) }, undefined],
      ["refund above what is left", `/payments/${auth}/refunds`, { amount: amount(1) }, "exceeds_captured"],
    ] as const;
    for (const [label, path, body, failureCode] of rows) {
      await t.step(`${label} -> ${failureCode ?? "succeeded"}`, async () => {
        const answer = await call(path, { reference: `shop.${keys}`, ...body });
        equal(answer.status, failureCode === undefined ? "succeeded" : "failed");
        equal(answer.failureCode, failureCode);
      });
    }
    await t.step("a payment of another account is not found", async () => {
      const response = await post(target, `/payments/${auth}/voids`, { reference: "shop.v" }, {
        "idempotency-key": "other",
        authorization: `Bearer ${KEY_B}`,
      });
      equal(response.status, 404);
    });
  });
});

Deno.test("emulator signs each notification with the account's secret", async () => {
  await withEmulator(async (target) => {
    await post(target, "/payments", paymentBody("shop.note", true, "4000000000000002"), {
      "idempotency-key": "n1",
    });
    await target.close();
    const [sent] = target.notifications();
    equal(sent.type, "payment.updated");
    equal(sent.reference, "shop.note");
    const key = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(SECRET),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(sent.body)));
    equal(
      sent.headers["x-signature"],
      `sha256=${Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("")}`,
    );
    const event = JSON.parse(sent.body);
    assertEquals([event.data.status, event.data.declineCode], ["declined", "card_declined"]);
  });
});

Deno.test("emulator decides a processing payment later and tells it in a notification", async () => {
  await withEmulator(async (target) => {
    const answer = await post(target, "/payments", paymentBody("shop.later", false, "4000000000000077"), {
      "idempotency-key": "p1",
    });
    equal(answer.body.status, "processing");
    for (let waited = 0; target.notifications().length === 0 && waited < 2_000; waited += 5) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    equal(JSON.parse(target.notifications()[0].body).data.status, "authorized");
  });
});
