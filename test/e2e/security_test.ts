/**
 * What an adversarial probe of a running gateway found, each as a case that fails without its defence:
 * a captured payment replayed to another shop, a buyer's return forged to fail or freeze a 3-D Secure
 * challenge, unsigned notification floods, a batch half signed by another shop's key, the unsigned shop
 * header of a signed query, and malformed ids and oversized bodies on the admin and Genstore routes.
 */
import { deepStrictEqual as same, match, ok, strictEqual as equal } from "node:assert/strict";
import { actOnBuyerPage, testCard } from "../../adapters/dev/genstore_client.ts";
import { signQuery } from "../../adapters/genstore/signature.ts";
import { hmacSha256, toBase64 } from "../../plugins/kit/mod.ts";
import { notificationSigningString } from "../../plugins/adyen/notification.ts";
import {
  CLIENT_SECRET,
  eventually,
  type Harness,
  newId,
  SANDBOX_CARD,
  startHarness,
} from "../support/harness.ts";

const RETURN_URL = "https://demo.genmystore.com/checkout/return";
const OTHER_KEY_HEX = "ab".repeat(32);

async function bindShop(
  h: Harness,
  shop: string,
  hmacKeyHex: string = SANDBOX_CARD.hmacKeyHex,
): Promise<void> {
  const demo = await h.gateway.shops.findBinding("demo", "card");
  await h.gateway.shops.upsertShop(shop);
  await h.gateway.shops.setAccessToken(shop, "dev-token");
  await h.gateway.shops.bind({ ...demo!, shop, test: { ...demo!.test, hmacKeyHex } });
}

async function operationOf(h: Harness, shop: string, kind: string, id: string) {
  const rows = await h.gateway.db.query<{ reference: string; status: string; error_code: string | null }>(
    "SELECT reference, status, error_code FROM operations WHERE shop = $1 AND kind = $2 AND operation_id = $3",
    [shop, kind, id],
  );
  return rows[0];
}

/** A standard Adyen notification item for a gateway reference, signed with `hmacKeyHex`. */
async function signedItem(reference: string, hmacKeyHex: string, success = "true") {
  const item = {
    pspReference: `99${Math.floor(Math.random() * 1e14)}`.padEnd(16, "0").slice(0, 16),
    merchantAccountCode: SANDBOX_CARD.merchantAccount,
    merchantReference: reference,
    amount: { value: 1000, currency: "USD" },
    eventCode: "AUTHORISATION",
    success,
    eventDate: new Date().toISOString(),
  };
  const key = Uint8Array.from(hmacKeyHex.match(/../g)!.map((byte) => parseInt(byte, 16)));
  const signature = toBase64(await hmacSha256(key, notificationSigningString(item as never)));
  return { ...item, additionalData: { hmacSignature: signature } };
}

function batch(...items: unknown[]): string {
  return JSON.stringify({
    live: "false",
    notificationItems: items.map((item) => ({ NotificationRequestItem: item })),
  });
}

Deno.test({
  name: "security: what the adversarial probe found stays closed",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const h = await startHarness({ env: { REQUEST_BODY_TIMEOUT_MS: "500" } });
    const { client, genstore } = h;
    const base = h.gateway.url;
    try {
      await bindShop(h, "shopb");
      await bindShop(h, "shopc", OTHER_KEY_HEX);

      await t.step(
        "a signed payment replayed to another shop is refused, and the card is charged once",
        async () => {
          const id = newId("PI");
          const body = JSON.stringify(client.paymentBody({ paymentId: id, amount: "15.00" }));
          const first = await client.send("payments", body);
          equal(first.status, 200);
          ok(typeof first.body.channelPaymentId === "string");
          const replayed = await h.clientFor("shopb.genmystore.com").send("payments", body);
          equal(replayed.status, 200);
          match(String(replayed.body.error), /^card_unreadable: /);
          const callback = await genstore.waitForCallback("payment", id);
          equal(callback.body.status, true);
          // The same package under another payment id of the same shop is refused too.
          const renamed = JSON.parse(body);
          renamed.paymentId = newId("PI");
          match(String((await client.send("payments", renamed)).body.error), /^card_unreadable: /);
          // The genuine retry is a replay, as ever.
          const retry = await client.send("payments", body);
          equal(retry.text, first.text);
          equal(retry.headers.get("idempotent-replayed"), "true");
          const demo = await operationOf(h, "demo", "payment", id);
          equal(h.adyen.chargeCount(demo.reference), 1);
          equal((await operationOf(h, "shopb", "payment", id)).error_code, "card_unreadable");
        },
      );

      await t.step("a forged return neither fails nor freezes a 3-D Secure challenge", async () => {
        const id = newId("PI");
        const answer = await client.pay({
          paymentId: id,
          amount: "30.00",
          card: testCard("4000000000003220"),
          returnUrl: RETURN_URL,
        });
        const { reference } = await operationOf(h, "demo", "payment", id);
        const returnRoute = `${base}/v1/return/${encodeURIComponent(reference)}`;
        for (const forged of ["?redirectResult=AAAA", "", "?redirectResult="]) {
          const response = await fetch(returnRoute + forged, { redirect: "manual" });
          await response.body?.cancel();
          equal(response.status, 303, forged);
          equal(response.headers.get("location"), RETURN_URL);
        }
        const head = await fetch(returnRoute, { method: "HEAD", redirect: "manual" });
        await head.body?.cancel();
        equal((await operationOf(h, "demo", "payment", id)).status, "requires_action");
        equal((await client.query("payments", id)).body.status, "PROCESSING");
        const landed = await actOnBuyerPage(String(answer.body.redirectUrl), "approve", RETURN_URL);
        equal(landed, RETURN_URL);
        const callback = await genstore.waitForCallback("payment", id);
        equal(callback.body.status, true, "the buyer's real approval settles the payment");
      });

      await t.step(
        "an unsigned notification flood is refused at once, looked up nowhere, logged once",
        async () => {
          const items = Array.from({ length: 3_600 }, (_, i) => ({
            pspReference: String(i).padStart(16, "0"),
            merchantAccountCode: "Nobody",
            merchantReference: `demo.${"a".repeat(16)}`,
            amount: { value: 1, currency: "EUR" },
            eventCode: "AUTHORISATION",
            success: "true",
            eventDate: new Date().toISOString(),
          }));
          const logsBefore = h.logs.length;
          const response = await fetch(`${base}/v1/notifications/adyen`, {
            method: "POST",
            body: batch(...items),
          });
          equal(response.status, 401);
          same(await response.json(), { error: "invalid_notification" });
          const written = h.logs.slice(logsBefore).filter((line) => line.includes('"event":"notification.'));
          ok(written.length === 1, `${written.length} notification log lines:\n${written.join("\n")}`);
          ok(written.every((line) => line.length < 1_000), "a log line carries what the attacker sent");
        },
      );

      await t.step("a batch with one item signed by another shop's key changes nothing", async () => {
        const id = newId("PI");
        await client.pay({
          paymentId: id,
          amount: "10.00",
          card: testCard("4000000000003220"),
          returnUrl: RETURN_URL,
        });
        const { reference } = await operationOf(h, "demo", "payment", id);
        const genuine = await signedItem(reference, SANDBOX_CARD.hmacKeyHex);
        const foreign = await signedItem(`shopc.${"b".repeat(16)}`, OTHER_KEY_HEX);
        for (const body of [batch(genuine, foreign), batch(foreign, genuine)]) {
          const response = await fetch(`${base}/v1/notifications/adyen`, { method: "POST", body });
          await response.body?.cancel();
          equal(response.status, 401);
        }
        // Signed with shop C's key but naming shop demo's payment: refused as well.
        const misrouted = await signedItem(reference, OTHER_KEY_HEX);
        const response = await fetch(`${base}/v1/notifications/adyen`, {
          method: "POST",
          body: batch(misrouted),
        });
        await response.body?.cancel();
        equal(response.status, 401);
        equal((await operationOf(h, "demo", "payment", id)).status, "requires_action", "nothing was applied");
        // The genuine item alone is applied.
        const alone = await fetch(`${base}/v1/notifications/adyen`, { method: "POST", body: batch(genuine) });
        equal(await alone.text(), "[accepted]");
        await eventually(async () => (await operationOf(h, "demo", "payment", id)).status === "succeeded");
      });

      await t.step(
        "on a signed query the signed shop parameter wins, and only the shop domain names a shop",
        async () => {
          const id = newId("PI");
          await client.pay({ paymentId: id, amount: "5.00" });
          const signed = await signQuery(CLIENT_SECRET, {
            shop: "demo.genmystore.com",
            timestamp: String(Math.floor(Date.now() / 1000)),
          });
          const url = `${base}/v1/ext/card/payments/${id}?${signed}`;
          const forged = await fetch(url, { headers: { "x-genstore-shop-domain": "shopb.genmystore.com" } });
          await forged.body?.cancel();
          equal(forged.status, 401);
          equal((await fetch(url)).status, 200);
          for (const domain of ["demo.evil.example", "demo", "demo.genmystore.com.evil.example"]) {
            const answer = await h.clientFor(domain).pay({ paymentId: newId("PI"), amount: "5.00" });
            equal(answer.status, 400, domain);
            equal(answer.body.error, "invalid_request");
          }
        },
      );

      await t.step("malformed admin ids are 404, never 500", async () => {
        const token = h.gateway.config.operatorToken!;
        const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
        const body = JSON.stringify({ reason: "probe" });
        for (
          const path of [
            "/admin/incidents/demo/abc/resolve",
            "/admin/incidents/%00/1/resolve",
            "/admin/dead-letters/demo/1e3/redrive",
          ]
        ) {
          const response = await fetch(`${base}${path}`, { method: "POST", headers, body });
          await response.body?.cancel();
          equal(response.status, 404, path);
        }
      });

      await t.step("a body that trickles in is answered 408 and its handler freed", async () => {
        const { port } = new URL(base);
        const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
        try {
          await conn.write(new TextEncoder().encode(
            'POST /v1/ext/card/payments HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"pay',
          ));
          const buffer = new Uint8Array(4096);
          let text = "";
          let closed = false;
          for (let reads = 0; reads < 20 && !closed; reads++) {
            const read = await Promise.race([
              conn.read(buffer),
              new Promise<"waiting">((resolve) => setTimeout(() => resolve("waiting"), 5_000)),
            ]);
            if (read === "waiting") break;
            if (read === null) closed = true;
            else text += new TextDecoder().decode(buffer.subarray(0, read));
          }
          match(text, /^HTTP\/1\.1 408 /);
          // Deno's server keeps the socket until the client leaves (README: connection timeouts belong to the
          // reverse proxy); the gateway's handler is free at once.
          match(text, /"request_timeout"/);
        } finally {
          conn.close();
        }
      });

      await t.step("an oversized body is 413 and the connection is closed", async () => {
        const chunks = new ReadableStream<Uint8Array>({
          start(controller) {
            for (let i = 0; i < 40; i++) controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
            controller.close();
          },
        });
        const response = await fetch(`${base}/v1/ext/card/payments`, {
          method: "POST",
          headers: { "x-genstore-shop-domain": "demo.genmystore.com" },
          body: chunks,
        });
        await response.body?.cancel();
        equal(response.status, 413);
        match(response.headers.get("connection") ?? "", /close/);
      });
    } finally {
      await h.stop();
    }
  },
});
