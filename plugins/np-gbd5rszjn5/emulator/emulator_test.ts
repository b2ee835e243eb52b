/**
 * The emulator's API as the template API documents it, over loopback HTTP: authentication, idempotency keys
 * (replayed answers, replay-only, keys required on every POST), the accounting of modifications, and its state
 * surviving a restart when it lives in a file.
 */
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { serveOnLoopback } from "../../kit/emulator/mod.ts";
import { rawApprovedPayment, rawPaymentBody } from "../test_support_payments.ts";
import { createNpGbd5rszjn5Emulator } from "./emulator.ts";

const ACCOUNT = { apiKey: "test_emulator_key_0001", webhookSecret: "whsec_emulator_secret_0001" };

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${ACCOUNT.apiKey}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

async function withEmulator(test: (base: string) => Promise<void>, statePath?: string) {
  const server = serveOnLoopback((publicUrl) =>
    createNpGbd5rszjn5Emulator({ publicUrl, accounts: [ACCOUNT], statePath })
  );
  try {
    await test(`${server.url}/v1`);
  } finally {
    await server.close();
  }
}

Deno.test("an unknown key is 401; a POST without an Idempotency-Key is 400", async () => {
  await withEmulator(async (base) => {
    const unknown = await fetch(`${base}/account`, {
      headers: { authorization: "Bearer test_someone_else_1" },
    });
    strictEqual(unknown.status, 401);
    await unknown.body?.cancel();
    const keyless = await post(`${base}/payments`, rawPaymentBody("shop.a"));
    strictEqual(keyless.status, 400);
    await keyless.body?.cancel();
  });
});

Deno.test("the first answer to a key is replayed whatever the body; replay-only never processes", async () => {
  await withEmulator(async (base) => {
    const first = await post(`${base}/payments`, rawPaymentBody("shop.a"), { "idempotency-key": "k1" });
    const again = await post(`${base}/payments`, rawPaymentBody("shop.b"), { "idempotency-key": "k1" });
    strictEqual(again.headers.get("idempotent-replayed"), "true");
    deepStrictEqual(await again.json(), await first.json());
    const onlyReplay = await post(`${base}/payments`, rawPaymentBody("shop.c"), {
      "idempotency-key": "k2",
      "idempotency-replay-only": "true",
    });
    strictEqual(onlyReplay.status, 404);
    strictEqual((await onlyReplay.json()).error.code, "idempotency_key_not_found");
    const later = await post(`${base}/payments`, rawPaymentBody("shop.c"), { "idempotency-key": "k2" });
    strictEqual(later.status, 201, "a replay-only miss must leave the key unused");
    await later.body?.cancel();
  });
});

Deno.test("a refund beyond what was captured is a failed modification, stored like any answer", async () => {
  await withEmulator(async (base) => {
    const payment = await rawApprovedPayment(base, ACCOUNT.apiKey, "p", "shop.a");
    const refund = await post(`${base}/payments/${payment.id}/refunds`, {
      reference: "shop.r",
      amount: { value: 2000, currency: "EUR" },
    }, { "idempotency-key": "r" });
    const body = await refund.json();
    strictEqual(body.status, "failed");
    strictEqual(body.failureCode, "exceeds_captured");
  });
});

Deno.test("a payment in a state file is still there after a restart", async () => {
  const dir = await Deno.makeTempDir();
  const statePath = join(dir, "np-gbd5rszjn5.jsonl");
  try {
    let id = "";
    await withEmulator(async (base) => {
      id =
        (await (await post(`${base}/payments`, rawPaymentBody("shop.a"), { "idempotency-key": "p" })).json())
          .id;
    }, statePath);
    await withEmulator(async (base) => {
      const found = await fetch(`${base}/payments/${id}`, {
        headers: { authorization: `Bearer ${ACCOUNT.apiKey}` },
      });
      strictEqual(found.status, 200);
      strictEqual((await found.json()).reference, "shop.a");
    }, statePath);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
