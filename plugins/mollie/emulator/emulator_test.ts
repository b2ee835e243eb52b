import { deepStrictEqual as assertEquals, ok, strictEqual as equal } from "node:assert/strict";
import { fileState, serveOnLoopback, startNotificationReceiver } from "../../kit/emulator/mod.ts";
import { answerSchema, errorObject, issuesOf, webhookBody } from "../api_schemas_test_support.ts";
import { API_KEY, eventually, OTHER_API_KEY, startHarness, UNKNOWN_API_KEY } from "../test_support.ts";
import { createMollieEmulator, createMollieProgram } from "./mod.ts";

type Harness = ReturnType<typeof startHarness>;

async function call(
  harness: Harness,
  method: string,
  path: string,
  options: { body?: unknown; key?: string | null; idempotencyKey?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (options.key !== null) headers.authorization = `Bearer ${options.key ?? API_KEY}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.idempotencyKey !== undefined) headers["idempotency-key"] = options.idempotencyKey;
  const response = await fetch(`${harness.apiUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const body = await response.json();
  const schema = answerSchema(method, path.replace(/\?.*$/, ""), response.status);
  ok(schema !== undefined, `no schema for ${response.status} to ${method} ${path}`);
  equal(issuesOf(schema, body).join("\n"), "", `${method} ${path} answer ${response.status}`);
  ok(response.headers.get("content-type")?.startsWith("application/hal+json"));
  return { status: response.status, body, headers: response.headers };
}

function paymentRequest(harness: Harness, overrides: Record<string, unknown> = {}) {
  return {
    amount: { currency: "EUR", value: "10.00" },
    description: "Order #1001",
    redirectUrl: "https://shop.example/return/1001",
    webhookUrl: `${harness.receiver.url}/webhook?reference=ref-1001`,
    metadata: { reference: "ref-1001" },
    ...overrides,
  };
}

async function buyer(url: string, action: string): Promise<string> {
  const response = await fetch(url, {
    method: "POST",
    body: new URLSearchParams({ action }),
    redirect: "manual",
  });
  await response.body?.cancel();
  equal(response.status, 303);
  return response.headers.get("location") ?? "";
}

function emulatorTest(name: string, fn: (harness: Harness) => Promise<void>, options = {}) {
  Deno.test(name, async () => {
    const harness = startHarness(options);
    try {
      await fn(harness);
    } finally {
      await harness.close();
    }
  });
}

emulatorTest("the emulator refuses requests without a known test key, as Mollie does", async (harness) => {
  for (const key of [null, UNKNOWN_API_KEY, "live_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM", "Basic x"]) {
    const answer = await call(harness, "GET", "/methods", { key });
    equal(answer.status, 401, String(key));
    equal(answer.body.title, "Unauthorized Request");
  }
  const methods = await call(harness, "GET", "/methods");
  equal(methods.status, 200);
  ok(methods.body._embedded.methods.some((method: { id: string }) => method.id === "ideal"));
});

Deno.test("the emulator holds test keys only", () => {
  const start = () =>
    createMollieEmulator({ publicUrl: "http://127.0.0.1:1", accounts: [{ apiKey: "live_abcdefghijkl" }] });
  let thrown: unknown;
  try {
    start();
  } catch (error) {
    thrown = error;
  }
  ok(thrown instanceof Error && thrown.message.includes("test key"));
});

emulatorTest(
  "POST /v2/payments refuses invalid bodies with 422 naming the field, storing nothing",
  async (harness) => {
    const rows: readonly [Record<string, unknown>, string][] = [
      [{ amount: undefined }, "amount"],
      [{ amount: { currency: "EUR", value: "10" } }, "amount.value"],
      [{ amount: { currency: "EUR", value: "10.001" } }, "amount.value"],
      [{ amount: { currency: "KWD", value: "1.000" } }, "amount.currency"],
      [{ amount: { currency: "EUR", value: "0.00" } }, "amount"],
      [{ description: "" }, "description"],
      [{ redirectUrl: "not a url" }, "redirectUrl"],
      [{ webhookUrl: "ftp://x" }, "webhookUrl"],
      [{ method: "creditcard" }, "method"],
      [{ captureMode: "manual" }, "captureMode"],
      [{ metadata: { big: "x".repeat(2000) } }, "metadata"],
    ];
    for (const [overrides, field] of rows) {
      const key = crypto.randomUUID();
      const refused = await call(harness, "POST", "/payments", {
        body: paymentRequest(harness, overrides),
        idempotencyKey: key,
      });
      equal(refused.status, 422, JSON.stringify(overrides));
      equal(refused.body.field, field);
      // Nothing was stored under the key: the corrected request is processed afresh.
      const corrected = await call(harness, "POST", "/payments", {
        body: paymentRequest(harness),
        idempotencyKey: key,
      });
      equal(corrected.status, 201);
    }
    const garbage = await fetch(`${harness.apiUrl}/payments`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}` },
      body: "amount=10",
    });
    equal(garbage.status, 400);
    equal(issuesOf(errorObject, await garbage.json()).length, 0);
  },
);

emulatorTest(
  "POST /v2/payments replays the first answer under a key, and shows payments to their key only",
  async (harness) => {
    const created = await call(harness, "POST", "/payments", {
      body: paymentRequest(harness),
      idempotencyKey: "key-1",
    });
    equal(created.status, 201);
    equal(created.body.status, "open");
    ok(created.body._links.checkout.href.startsWith(harness.apiUrl.replace(/\/v2$/, "")));
    const replay = await call(harness, "POST", "/payments", {
      body: paymentRequest(harness, { description: "another body" }),
      idempotencyKey: "key-1",
    });
    assertEquals(replay.body, created.body);
    equal(replay.headers.get("idempotent-replayed"), "true");
    // The same key of another account is another key.
    const other = await call(harness, "POST", "/payments", {
      body: paymentRequest(harness),
      idempotencyKey: "key-1",
      key: OTHER_API_KEY,
    });
    ok(other.body.id !== created.body.id);
    equal((await call(harness, "GET", `/payments/${created.body.id}`, { key: OTHER_API_KEY })).status, 404);
    const fetched = await call(harness, "GET", `/payments/${created.body.id}`);
    equal(fetched.body.id, created.body.id);
    equal(harness.emulator.payments().length, 2);
    // Without a key, every request is a new payment.
    await call(harness, "POST", "/payments", { body: paymentRequest(harness) });
    await call(harness, "POST", "/payments", { body: paymentRequest(harness) });
    equal(harness.emulator.payments().length, 4);
  },
);

emulatorTest(
  "the checkout is a plain form; each action sets the status and sends the buyer back",
  async (harness) => {
    const rows = [["approve", "paid"], ["fail", "failed"], ["cancel", "canceled"], [
      "pending",
      "pending",
    ]] as const;
    for (const [action, status] of rows) {
      const created = await call(harness, "POST", "/payments", { body: paymentRequest(harness) });
      const page = await fetch(created.body._links.checkout.href);
      const html = await page.text();
      equal(page.status, 200);
      ok(html.includes('<form method="post">') && html.includes(`value="${action}"`));
      ok(!html.includes("<script"));
      equal(await buyer(created.body._links.checkout.href, action), "https://shop.example/return/1001");
      const fetched = await call(harness, "GET", `/payments/${created.body.id}`);
      equal(fetched.body.status, status);
      equal(fetched.body._links.checkout, undefined);
      // Acting again changes nothing; the page of a payment no longer open sends the buyer back.
      await buyer(created.body._links.checkout.href, "approve");
      equal((await call(harness, "GET", `/payments/${created.body.id}`)).body.status, status);
      const again = await fetch(created.body._links.checkout.href, { redirect: "manual" });
      await again.body?.cancel();
      equal(again.status, 303);
    }
    const bad = await fetch(`${harness.apiUrl.replace(/\/v2$/, "")}/checkout/select-method/nope`, {
      method: "POST",
      body: "action=approve",
    });
    await bad.body?.cancel();
    equal(bad.status, 404);
  },
);

emulatorTest("a cancel goes to the cancelUrl when the payment has one", async (harness) => {
  const created = await call(harness, "POST", "/payments", {
    body: paymentRequest(harness, { cancelUrl: "https://shop.example/cancelled" }),
  });
  equal(await buyer(created.body._links.checkout.href, "cancel"), "https://shop.example/cancelled");
});

emulatorTest("webhooks are a form id=tr_… to the webhookUrl, retried until answered", async (harness) => {
  const created = await call(harness, "POST", "/payments", { body: paymentRequest(harness) });
  harness.receiver.failNext(2, 503);
  await buyer(created.body._links.checkout.href, "approve");
  const webhook = await harness.receiver.waitFor((received) => received.body === `id=${created.body.id}`);
  equal(webhook.method, "POST");
  assertEquals(webhook.params, { reference: "ref-1001" });
  equal(webhook.headers["content-type"], "application/x-www-form-urlencoded");
  equal(issuesOf(webhookBody, webhook.body).length, 0);
  await harness.emulator.webhooksIdle();
  const [delivery] = harness.emulator.webhooks();
  equal(delivery.attempts, 3);
  equal(delivery.delivered, true);
});

emulatorTest("an open payment expires after the delay and its webhook says so", async (harness) => {
  const created = await call(harness, "POST", "/payments", { body: paymentRequest(harness) });
  await harness.receiver.waitFor((received) => received.body === `id=${created.body.id}`);
  const fetched = await call(harness, "GET", `/payments/${created.body.id}`);
  equal(fetched.body.status, "expired");
  ok(fetched.body.expiredAt !== undefined);
}, { expireAfterMs: 30 });

emulatorTest("a pending payment becomes paid a moment later, with a webhook", async (harness) => {
  const created = await call(harness, "POST", "/payments", { body: paymentRequest(harness) });
  await buyer(created.body._links.checkout.href, "pending");
  await harness.receiver.waitFor((received) => received.body === `id=${created.body.id}`);
  equal((await call(harness, "GET", `/payments/${created.body.id}`)).body.status, "paid");
});

emulatorTest(
  "refunds are queued, then refunded (or failed) with a webhook, within what is left",
  async (harness) => {
    const created = await call(harness, "POST", "/payments", { body: paymentRequest(harness) });
    const path = `/payments/${created.body.id}/refunds`;
    const early = await call(harness, "POST", path, { body: { amount: { currency: "EUR", value: "1.00" } } });
    equal(early.status, 422);
    await buyer(created.body._links.checkout.href, "approve");
    const refund = await call(harness, "POST", path, {
      body: { amount: { currency: "EUR", value: "6.00" }, metadata: { reference: "refund-1" } },
      idempotencyKey: "refund-key-1",
    });
    equal(refund.status, 201);
    equal(refund.body.status, "queued");
    const replay = await call(harness, "POST", path, {
      body: { amount: { currency: "EUR", value: "6.00" } },
      idempotencyKey: "refund-key-1",
    });
    equal(replay.body.id, refund.body.id);
    const tooMuch = await call(harness, "POST", path, {
      body: { amount: { currency: "EUR", value: "4.01" } },
    });
    equal(tooMuch.body.field, "amount");
    harness.emulator.failRefunds(true);
    const failing = await call(harness, "POST", path, {
      body: { amount: { currency: "EUR", value: "4.00" }, metadata: { reference: "refund-2" } },
    });
    await eventually(() => harness.emulator.refunds().every((stored) => stored.status !== "queued"));
    equal((await call(harness, "GET", `${path}/${refund.body.id}`)).body.status, "refunded");
    equal((await call(harness, "GET", `${path}/${failing.body.id}`)).body.status, "failed");
    const payment = await call(harness, "GET", `/payments/${created.body.id}`);
    assertEquals(payment.body.amountRemaining, { currency: "EUR", value: "4.00" });
    ok(payment.body._links.refunds.href.endsWith("/refunds"));
    await eventually(() =>
      harness.emulator.webhooks().filter((entry) => entry.meta.reason.startsWith("refund:")).length === 2
    );
    equal((await call(harness, "GET", `${path}/re_NoSuchRefund1`)).status, 404);
  },
);

emulatorTest("GET /v2/payments/{id}/refunds lists newest first, a page at a time", async (harness) => {
  const created = await call(harness, "POST", "/payments", { body: paymentRequest(harness) });
  await buyer(created.body._links.checkout.href, "approve");
  const path = `/payments/${created.body.id}/refunds`;
  const ids: string[] = [];
  for (let index = 0; index < 3; index++) {
    ids.push(
      (await call(harness, "POST", path, { body: { amount: { currency: "EUR", value: "1.00" } } })).body.id,
    );
  }
  const first = await call(harness, "GET", `${path}?limit=2`);
  assertEquals(first.body._embedded.refunds.map((refund: { id: string }) => refund.id), [ids[2], ids[1]]);
  equal(first.body._links.previous, null);
  const next = new URL(first.body._links.next.href);
  const second = await call(harness, "GET", `${path}${next.search}`);
  assertEquals(second.body._embedded.refunds.map((refund: { id: string }) => refund.id), [ids[0]]);
  equal(second.body._links.next, null);
  equal((await call(harness, "GET", `${path}?from=re_Unknown1`)).status, 400);
});

Deno.test("the emulator's state survives a restart from its file, expiries included", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/mollie.journal`;
  const receiver = startNotificationReceiver();
  const start = (expireAfterMs: number) =>
    serveOnLoopback((publicUrl) =>
      createMollieEmulator({
        publicUrl,
        accounts: [{ apiKey: API_KEY }],
        state: fileState(path),
        expireAfterMs,
        tickMs: 5,
      })
    );
  try {
    const first = start(60_000);
    const response = await fetch(`${first.url}/v2/payments`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}`, "idempotency-key": "k1" },
      body: JSON.stringify({
        amount: { currency: "EUR", value: "5.00" },
        description: "restart",
        redirectUrl: "https://shop.example/r",
        webhookUrl: `${receiver.url}/hook`,
      }),
    });
    const created = await response.json();
    await first.close();
    const second = start(60_000);
    const replay = await fetch(`${second.url}/v2/payments`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}`, "idempotency-key": "k1" },
      body: "{}",
    });
    equal((await replay.json()).id, created.id);
    assertEquals(second.app.payments().map((payment) => payment.id), [created.id]);
    ok(await second.app.expire(created.id));
    await receiver.waitFor((received) => received.body === `id=${created.id}`);
    await second.close();
    const third = createMollieProgram({
      publicUrl: "http://127.0.0.1:1/mollie",
      accounts: [{ extension: "bank", credentials: { apiKey: API_KEY } }],
      statePath: path,
    });
    const fetched = await third.fetch(
      new Request(`http://127.0.0.1:1/v2/payments/${created.id}`, {
        headers: { authorization: `Bearer ${API_KEY}` },
      }),
    );
    equal((await fetched.json()).status, "expired");
    await third.close();
  } finally {
    await receiver.close();
    await Deno.remove(dir, { recursive: true });
  }
});
