/**
 * Every error answer of contract section 4, over HTTP: each one answers before anything is stored, so the
 * status query stays 404 and no callback is ever sent.
 */
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { signBody, signQuery } from "../../adapters/genstore/signature.ts";
import { CLIENT_SECRET, newId, startHarness } from "../support/harness.ts";

Deno.test({
  name: "request errors end to end",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const h = await startHarness();
    const { client, genstore } = h;
    const base = `${h.gateway.url}/v1/ext/card`;

    async function post(path: string, body: string, headers: Record<string, string>) {
      const response = await fetch(`${base}/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });
      return { status: response.status, body: await response.json(), headers: response.headers };
    }
    async function signed(body: string) {
      return await signBody(CLIENT_SECRET, new TextEncoder().encode(body));
    }
    async function assertNothingStored(paymentId: string) {
      equal((await client.query("payments", paymentId)).status, 404);
      equal(await count("operations"), operationsBefore);
      equal(await count("outbox"), outboxBefore);
    }
    async function count(table: string): Promise<number> {
      const rows = await h.gateway.db.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${table}`);
      return Number(rows[0].n);
    }
    const operationsBefore = await count("operations");
    const outboxBefore = await count("outbox");

    try {
      await t.step("a missing or wrong body signature is 401 and stores nothing", async () => {
        const id = newId("PI");
        const body = JSON.stringify(client.paymentBody({ paymentId: id, amount: "1.00" }));
        const shop = { "x-genstore-shop-domain": "demo.genmystore.com" };
        for (
          const signature of [
            undefined,
            "",
            await signBody("another-secret", new TextEncoder().encode(body)),
            (await signed(body)).slice(0, 20),
            await signed(`${body} `),
          ]
        ) {
          const answer = await post(
            "payments",
            body,
            signature === undefined ? shop : { ...shop, "x-genstore-hmac-sha256": signature },
          );
          equal(answer.status, 401);
          deepEqual(answer.body, { error: "invalid_signature" });
        }
        await assertNothingStored(id);
      });

      await t.step("a lower-case hex body signature is accepted", async () => {
        const id = newId("PI");
        const body = JSON.stringify(client.paymentBody({ paymentId: id, amount: "1.00" }));
        const raw = Uint8Array.from(atob(await signed(body)), (c) => c.charCodeAt(0));
        const hex = Array.from(raw, (b) => b.toString(16).padStart(2, "0")).join("");
        const answer = await post("payments", body, {
          "x-genstore-shop-domain": "demo.genmystore.com",
          "x-genstore-hmac-sha256": hex,
        });
        equal(answer.status, 200);
        await genstore.waitForCallback("payment", id);
      });

      // The counts move on with the accepted payment above.
      const operationsAfterHex = await count("operations");
      const outboxAfterHex = await count("outbox");

      await t.step("a query without a valid hmac or with a stale timestamp is 401", async () => {
        const url = `${base}/payments/whatever`;
        const headers = { "x-genstore-shop-domain": "demo.genmystore.com" };
        const now = Math.floor(Date.now() / 1000);
        // Ten seconds past the ±300 s window, not one: the gateway reads its clock a moment later, and a second
        // that ticks meanwhile put "now + 301" exactly 300 s ahead, inside the window (CI, once).
        const stale = await signQuery(CLIENT_SECRET, {
          shop: "demo.genmystore.com",
          timestamp: String(now - 310),
        });
        const future = await signQuery(CLIENT_SECRET, {
          shop: "demo.genmystore.com",
          timestamp: String(now + 310),
        });
        const wrong = await signQuery("nope", { shop: "demo.genmystore.com", timestamp: String(now) });
        for (const query of ["", `shop=demo.genmystore.com&timestamp=${now}`, stale, future, wrong]) {
          const response = await fetch(`${url}?${query}`, { headers });
          equal(response.status, 401, query);
          deepEqual(await response.json(), { error: "invalid_signature" });
        }
      });

      await t.step("an unknown shop is 403 shop_not_authorized and stores nothing", async () => {
        const id = newId("PI");
        const body = JSON.stringify(client.paymentBody({ paymentId: id, amount: "1.00" }));
        const answer = await post("payments", body, {
          "x-genstore-shop-domain": "nobody.genmystore.com",
          "x-genstore-hmac-sha256": await signed(body),
        });
        equal(answer.status, 403);
        deepEqual(answer.body, { error: "shop_not_authorized" });
        const query = await signQuery(CLIENT_SECRET, {
          shop: "nobody.genmystore.com",
          timestamp: String(Math.floor(Date.now() / 1000)),
        });
        const response = await fetch(`${base}/payments/${id}?${query}`, {
          headers: { "x-genstore-shop-domain": "nobody.genmystore.com" },
        });
        equal(response.status, 403);
        await response.body?.cancel();
      });

      const malformed: [string, string, string, (body: Record<string, unknown>) => unknown][] = [
        ["payments", "not JSON", "(body)", () => "{not json"],
        ["payments", "a JSON array", "(body)", () => [1, 2]],
        ["payments", "no paymentId", "paymentId", (b) => ({ ...b, paymentId: undefined })],
        ["payments", "a numeric paymentId", "paymentId", (b) => ({ ...b, paymentId: 12 })],
        ["payments", "an empty paymentId", "paymentId", (b) => ({ ...b, paymentId: "" })],
        ["payments", "no amount", "amount", (b) => ({ ...b, amount: undefined })],
        ["payments", "a numeric amount", "amount", (b) => ({ ...b, amount: 10 })],
        ["payments", "an amount that is not a decimal", "amount", (b) => ({ ...b, amount: "1e3" })],
        ["payments", "a negative amount", "amount", (b) => ({ ...b, amount: "-1.00" })],
        ["payments", "a zero amount", "amount", (b) => ({ ...b, amount: "0.00" })],
        ["payments", "too many decimal digits for USD", "amount", (b) => ({ ...b, amount: "1.001" })],
        ["payments", "decimals for JPY", "amount", (b) => ({ ...b, amount: "100.5", currency: "JPY" })],
        ["payments", "an unknown currency", "currency", (b) => ({ ...b, currency: "ABC" })],
        ["payments", "a lower-case currency", "currency", (b) => ({ ...b, currency: "usd" })],
        ["payments", "no paymentMethod", "paymentMethod", (b) => ({ ...b, paymentMethod: undefined })],
        ["payments", "no card package", "paymentMethod.data", (b) => ({ ...b, paymentMethod: { data: {} } })],
        [
          "payments",
          "a non-URL returnUrl",
          "paymentMethod.data.returnUrl",
          (b) => ({
            ...b,
            paymentMethod: {
              data: { ...(b.paymentMethod as { data: object }).data, returnUrl: "javascript:1" },
            },
          }),
        ],
        ["captures", "a capture without captureId", "captureId", () => ({ paymentId: "x", amount: "1.00" })],
        [
          "captures",
          "a capture with a bad amount",
          "amount",
          () => ({ captureId: "c", paymentId: "x", amount: "1,00" }),
        ],
        ["voids", "a void without paymentId", "paymentId", () => ({ voidId: "v" })],
        ["refunds", "a refund without amount", "amount", () => ({ refundId: "r", paymentId: "x" })],
      ];
      for (const [route, label, path, mutate] of malformed) {
        await t.step(`${label} is 400 invalid_request naming ${path}, and stores nothing`, async () => {
          const id = newId("PI");
          const mutated = mutate(client.paymentBody({ paymentId: id, amount: "1.00" }));
          const body = typeof mutated === "string" ? mutated : JSON.stringify(mutated);
          const answer = await post(route, body, {
            "x-genstore-shop-domain": "demo.genmystore.com",
            "x-genstore-hmac-sha256": await signed(body),
          });
          equal(answer.status, 400);
          equal(answer.body.error, "invalid_request");
          ok(
            answer.body.issues.some((issue: { path: string }) => issue.path === path),
            JSON.stringify(answer.body.issues),
          );
          for (const issue of answer.body.issues) equal(typeof issue.message, "string");
          equal(await count("operations"), operationsAfterHex);
          equal(await count("outbox"), outboxAfterHex);
        });
      }

      await t.step("an unknown extension is 400 and stores nothing", async () => {
        const body = JSON.stringify(client.paymentBody({ paymentId: newId("PI"), amount: "1.00" }));
        const answer = await post("../bitcoin/payments", body, {
          "x-genstore-shop-domain": "demo.genmystore.com",
          "x-genstore-hmac-sha256": await signed(body),
        });
        equal(answer.status, 400);
        deepEqual(answer.body.issues, [{ path: "extension", message: "Unknown extension" }]);
      });

      await t.step("a body over 1 MiB is 413 and stores nothing", async () => {
        const big = JSON.stringify({ paymentId: "big", padding: "x".repeat(1024 * 1024) });
        const answer = await post("payments", big, {
          "x-genstore-shop-domain": "demo.genmystore.com",
          "x-genstore-hmac-sha256": await signed(big),
        });
        equal(answer.status, 413);
        deepEqual(answer.body, { error: "payload_too_large" });
        equal(await count("operations"), operationsAfterHex);
      });

      await t.step("a capture amount with more digits than the payment's currency is 400", async () => {
        const id = newId("PI");
        await client.pay({ paymentId: id, amount: "100", currency: "JPY", manualCapture: true });
        await genstore.waitForCallback("pre_authorize", id);
        const captureId = newId("CA");
        const answer = await client.capture(captureId, id, "10.5");
        equal(answer.status, 400);
        deepEqual((answer.body.issues as { path: string }[]).map((i) => i.path), ["amount"]);
        equal((await client.query("captures", captureId)).status, 404);
      });

      await t.step("error answers and logs never echo the card number or the secret", () => {
        for (const line of h.logs) {
          ok(!line.includes("4242424242424242"), "PAN in a log line");
          ok(!line.includes(CLIENT_SECRET), "client secret in a log line");
        }
      });
    } finally {
      await h.stop();
    }
  },
});
