/**
 * End to end over HTTP: a fake Genstore drives the real gateway, which calls the card emulator and calls
 * back. Every step asserts the synchronous answer, the callback body and the status query.
 */
import { deepStrictEqual as deepEqual, match, ok, strictEqual as equal } from "node:assert/strict";
import { actOnBuyerPage, testCard } from "../../adapters/dev/genstore_client.ts";
import { eventually, newId, startHarness } from "../support/harness.ts";
import { jsonbHeldAsStrings } from "../support/databases.ts";

const RETURN_URL = "https://demo.genmystore.com/checkout/return?order=1";

Deno.test({
  name: "card payments end to end",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const h = await startHarness();
    const { client, genstore } = h;
    try {
      await t.step("an approved sale answers the PSP reference and calls back true", async () => {
        const id = newId("PI");
        const answer = await client.pay({ paymentId: id, amount: "12.34", currency: "USD" });
        equal(answer.status, 200);
        match(String(answer.body.channelPaymentId), /^[A-Z0-9]{16}$/);
        equal(answer.body.error, undefined);
        const callback = await genstore.waitForCallback("payment", id);
        deepEqual(callback.body, {
          status: true,
          channelPaymentId: answer.body.channelPaymentId,
          amount: "12.34",
          currency: "USD",
          test: true,
        });
        equal(callback.accessToken, "dev-token");
        deepEqual((await client.query("payments", id)).body, {
          channelPaymentId: answer.body.channelPaymentId,
          status: "SUCCESS",
        });
        equal(h.adyen.chargeCount(await referenceOf(h, id)), 1);
      });

      for (
        const [card, code] of [["4000000000000002", "card_declined"], [
          "4000000000009995",
          "insufficient_funds",
        ]]
      ) {
        await t.step(`a ${code} sale answers the error and calls back false`, async () => {
          const id = newId("PI");
          const answer = await client.pay({ paymentId: id, amount: "5.00", card: testCard(card) });
          equal(answer.status, 200);
          match(String(answer.body.error), new RegExp(`^${code}: `));
          const callback = await genstore.waitForCallback("payment", id);
          equal(callback.body.status, false);
          match(String(callback.body.error), new RegExp(`^${code}: `));
          equal(callback.body.channelPaymentId, answer.body.channelPaymentId);
          equal((await client.query("payments", id)).body.status, "FAILURE");
        });
      }

      await t.step(
        "3DS approved: redirect, buyer approves, back at Genstore's returnUrl, callback true",
        async () => {
          const id = newId("PI");
          const answer = await client.pay({
            paymentId: id,
            amount: "30.00",
            card: testCard("4000000000003220"),
            returnUrl: RETURN_URL,
          });
          equal(answer.status, 200);
          ok(typeof answer.body.redirectUrl === "string");
          equal((await client.query("payments", id)).body.status, "PROCESSING");
          const landed = await actOnBuyerPage(String(answer.body.redirectUrl), "approve", RETURN_URL);
          equal(landed, RETURN_URL);
          const callback = await genstore.waitForCallback("payment", id);
          equal(callback.body.status, true);
          equal(callback.body.amount, "30.00");
          equal((await client.query("payments", id)).body.status, "SUCCESS");
        },
      );

      await t.step("3DS failed: the buyer still lands on returnUrl and the callback is false", async () => {
        const id = newId("PI");
        const answer = await client.pay({
          paymentId: id,
          amount: "30.00",
          card: testCard("4000000000003220"),
          returnUrl: RETURN_URL,
        });
        const landed = await actOnBuyerPage(String(answer.body.redirectUrl), "fail", RETURN_URL);
        equal(landed, RETURN_URL);
        const callback = await genstore.waitForCallback("payment", id);
        equal(callback.body.status, false);
        match(String(callback.body.error), /^authentication_failed: /);
      });

      await t.step("authorize, partial capture, partial refunds, over-refund refused", async () => {
        const id = newId("PI");
        const auth = await client.pay({ paymentId: id, amount: "100.00", manualCapture: true });
        equal(auth.status, 200);
        const pre = await genstore.waitForCallback("pre_authorize", id);
        equal(pre.body.status, true);
        equal((await client.query("payments", id)).body.status, "AUTHORIZED");
        equal(genstore.delivered().some((a) => a.kind === "payment" && a.id === id), false);

        const captureId = newId("CA");
        const capture = await client.capture(captureId, id, "60.00");
        equal(capture.status, 200);
        equal(capture.body.error, undefined);
        const captured = await genstore.waitForCallback("capture", captureId);
        deepEqual(captured.body, {
          status: true,
          channelCaptureId: capture.body.channelCaptureId,
          amount: "60.00",
          currency: "USD",
          test: true,
        });
        equal((await client.query("captures", captureId)).body.status, "SUCCESS");
        equal((await client.query("payments", id)).body.status, "SUCCESS");

        const refund1 = newId("RF");
        equal((await client.refund(refund1, id, "20.00")).status, 200);
        equal((await genstore.waitForCallback("refund", refund1)).body.status, true);
        const refund2 = newId("RF");
        equal((await client.refund(refund2, id, "15.50")).status, 200);
        equal((await genstore.waitForCallback("refund", refund2)).body.amount, "15.50");

        const over = newId("RF");
        const refused = await client.refund(over, id, "24.51");
        equal(refused.status, 200);
        match(String(refused.body.error), /^amount_exceeds_captured: At most 24\.50 USD/);
        const overCallback = await genstore.waitForCallback("refund", over);
        equal(overCallback.body.status, false);
        equal(overCallback.body.amount, "24.51");
        equal((await client.query("refunds", over)).body.status, "FAILURE");

        const exact = newId("RF");
        await client.refund(exact, id, "24.50");
        equal((await genstore.waitForCallback("refund", exact)).body.status, true);
      });

      await t.step("capture above the remaining authorization is refused", async () => {
        const id = newId("PI");
        await client.pay({ paymentId: id, amount: "10.00", manualCapture: "true" });
        await genstore.waitForCallback("pre_authorize", id);
        const first = newId("CA");
        await client.capture(first, id, "4.00");
        await genstore.waitForCallback("capture", first);
        const second = newId("CA");
        const refused = await client.capture(second, id, "6.01");
        match(String(refused.body.error), /^amount_exceeds_authorized: /);
        equal((await genstore.waitForCallback("capture", second)).body.status, false);
      });

      await t.step("void an authorization, then a capture after the void is refused", async () => {
        const id = newId("PI");
        await client.pay({ paymentId: id, amount: "50.00", manualCapture: true });
        await genstore.waitForCallback("pre_authorize", id);
        const voidId = newId("VO");
        const voided = await client.void(voidId, id);
        equal(voided.status, 200);
        equal(voided.body.error, undefined);
        const callback = await genstore.waitForCallback("void", voidId);
        deepEqual(callback.body, { status: true, channelVoidId: voided.body.channelVoidId, test: true });
        equal((await client.query("voids", voidId)).body.status, "SUCCESS");
        equal((await client.query("payments", id)).body.status, "FAILURE");

        const captureId = newId("CA");
        const refused = await client.capture(captureId, id, "10.00");
        match(String(refused.body.error), /^payment_not_capturable: /);
        equal((await genstore.waitForCallback("capture", captureId)).body.status, false);
      });

      await t.step("void after a capture is refused", async () => {
        const id = newId("PI");
        await client.pay({ paymentId: id, amount: "50.00", manualCapture: true });
        await genstore.waitForCallback("pre_authorize", id);
        const captureId = newId("CA");
        await client.capture(captureId, id, "50.00");
        await genstore.waitForCallback("capture", captureId);
        const voidId = newId("VO");
        const refused = await client.void(voidId, id);
        match(String(refused.body.error), /^void_after_capture: /);
        const callback = await genstore.waitForCallback("void", voidId);
        equal(callback.body.status, false);
        match(String(callback.body.error), /^void_after_capture: /);
      });

      await t.step("a void of a sale is refused as captured", async () => {
        const id = newId("PI");
        await client.pay({ paymentId: id, amount: "5.00" });
        await genstore.waitForCallback("payment", id);
        const voidId = newId("VO");
        match(String((await client.void(voidId, id)).body.error), /^void_after_capture: /);
      });

      await t.step("zero- and three-decimal currencies are formatted exactly", async () => {
        const yen = newId("PI");
        await client.pay({ paymentId: yen, amount: "1000", currency: "JPY" });
        const yenCallback = await genstore.waitForCallback("payment", yen);
        equal(yenCallback.body.amount, "1000");
        equal(yenCallback.body.currency, "JPY");
        const dinar = newId("PI");
        await client.pay({ paymentId: dinar, amount: "1.5", currency: "KWD" });
        equal((await genstore.waitForCallback("payment", dinar)).body.amount, "1.500");
        const refund = newId("RF");
        await client.refund(refund, dinar, "0.25");
        equal((await genstore.waitForCallback("refund", refund)).body.amount, "0.250");
      });

      await t.step(
        "the same request again replays the first answer byte for byte, without a second charge",
        async () => {
          const id = newId("PI");
          const body = client.paymentBody({ paymentId: id, amount: "7.00" });
          const first = await client.send("payments", body);
          const second = await client.send("payments", body);
          equal(first.status, 200);
          equal(second.status, 200);
          equal(second.text, first.text);
          equal(second.headers.get("idempotent-replayed"), "true");
          equal(first.headers.get("idempotent-replayed"), null);
          await genstore.waitForCallback("payment", id);
          equal(h.adyen.chargeCount(await referenceOf(h, id)), 1);

          const refundId = newId("RF");
          const refund = { refundId, paymentId: id, amount: "1.00", test: true };
          const r1 = await client.send("refunds", refund);
          const r2 = await client.send("refunds", refund);
          equal(r2.text, r1.text);
          equal(r2.headers.get("idempotent-replayed"), "true");
        },
      );

      await t.step("the same id with a different body is a conflict and changes nothing", async () => {
        const id = newId("PI");
        const first = await client.pay({ paymentId: id, amount: "8.00" });
        await genstore.waitForCallback("payment", id);
        const conflictingBody = client.paymentBody({ paymentId: id, amount: "9.00" });
        const conflict = await client.send("payments", conflictingBody);
        equal(conflict.status, 409);
        deepEqual(conflict.body, { error: "idempotency_conflict" });
        equal((await client.query("payments", id)).body.channelPaymentId, first.body.channelPaymentId);
        equal(genstore.delivered().filter((a) => a.kind === "payment" && a.id === id).length, 1);
        // Not even the conflicting request's card package was recorded as used: it still pays once.
        const fresh = await client.send("payments", { ...conflictingBody, paymentId: newId("PI") });
        equal(fresh.status, 200);
        equal(typeof fresh.body.channelPaymentId, "string", JSON.stringify(fresh.body));

        const captureId = newId("CA");
        await client.capture(captureId, id, "1.00");
        const conflicting = await client.capture(captureId, id, "2.00");
        equal(conflicting.status, 409);
      });

      await t.step("a live request on a test-only shop is refused as account_not_configured", async () => {
        const id = newId("PI");
        const answer = await client.pay({ paymentId: id, amount: "3.00", test: false });
        equal(answer.status, 200);
        match(String(answer.body.error), /^account_not_configured: /);
        const callback = await genstore.waitForCallback("payment", id);
        equal(callback.body.status, false);
        equal(callback.body.test, false);
      });

      await t.step("a tampered ciphertext is refused as card_unreadable, never a crash", async () => {
        const id = newId("PI");
        const body = client.paymentBody({ paymentId: id, amount: "3.00" });
        const data = (body.paymentMethod as { data: Record<string, string> }).data;
        const bytes = Uint8Array.from(atob(data.cipherText), (c) => c.charCodeAt(0));
        bytes[0] ^= 1;
        data.cipherText = btoa(String.fromCharCode(...bytes));
        const answer = await client.send("payments", body);
        equal(answer.status, 200);
        match(String(answer.body.error), /^card_unreadable: /);
        equal((await genstore.waitForCallback("payment", id)).body.status, false);
      });

      await t.step("operations on an unknown payment are refused and called back false", async () => {
        const captureId = newId("CA");
        const answer = await client.capture(captureId, "PI-does-not-exist", "1.00");
        equal(answer.status, 200);
        match(String(answer.body.error), /^payment_not_found: /);
        const callback = await genstore.waitForCallback("capture", captureId);
        equal(callback.body.status, false);
        equal(callback.body.amount, "1.00");
      });

      await t.step("status queries of unknown ids answer 404", async () => {
        for (const route of ["payments", "captures", "voids", "refunds"]) {
          const answer = await client.query(route, "nope");
          equal(answer.status, 404, route);
          deepEqual(answer.body, { error: "not_found" });
        }
      });

      await t.step(
        "the timeout card answers {} past the budget and settles true by asking the PSP",
        async () => {
          const id = newId("PI");
          const answer = await client.pay({
            paymentId: id,
            amount: "11.00",
            card: testCard("4000000000006975"),
          });
          equal(answer.status, 200);
          deepEqual(answer.body, {});
          equal((await client.query("payments", id)).body.status, "PROCESSING");
          const callback = await genstore.waitForCallback("payment", id, 15_000);
          equal(callback.body.status, true);
          equal(h.adyen.chargeCount(await referenceOf(h, id)), 1);
        },
      );

      await t.step(
        "the 500 card is never failed on a guess: it settles false after asking the PSP",
        async () => {
          const id = newId("PI");
          const answer = await client.pay({
            paymentId: id,
            amount: "11.00",
            card: testCard("4000000000000119"),
          });
          equal(answer.status, 200);
          equal(answer.body.error, undefined);
          const callback = await genstore.waitForCallback("payment", id, 15_000);
          equal(callback.body.status, false);
          match(String(callback.body.error), /^processing_error: /);
          ok(h.logs.some((line) => line.includes('"event":"reconcile.asked"')));
        },
      );

      await t.step("every accepted operation got exactly one delivered callback", async () => {
        await eventually(() => h.adyen.notifications().every((n) => n.delivered) || undefined);
        const seen = new Map<string, number>();
        for (const attempt of genstore.delivered()) {
          const key = `${attempt.kind}/${attempt.id}`;
          seen.set(key, (seen.get(key) ?? 0) + 1);
        }
        for (const [key, count] of seen) equal(count, 1, key);
      });

      await t.step("every jsonb value is stored as JSON, not as a string of JSON", async () => {
        deepEqual(await jsonbHeldAsStrings(h.gateway.db), []);
      });
    } finally {
      await h.stop();
    }
  },
});

async function referenceOf(h: Awaited<ReturnType<typeof startHarness>>, paymentId: string): Promise<string> {
  const rows = await h.gateway.db.query<{ reference: string }>(
    "SELECT reference FROM payments WHERE shop = 'demo' AND payment_id = $1",
    [paymentId],
  );
  return rows[0].reference;
}
