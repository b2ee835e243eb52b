/**
 * What operators rely on: incidents for contradicting PSP news, the review queue for outcomes that stay
 * unknown, dead letters, metrics, and the operator token in front of them.
 */
import { deepStrictEqual as deepEqual, match, strictEqual as equal } from "node:assert/strict";
import { createHmac } from "node:crypto";
import { Buffer } from "node:buffer";
import { testCard } from "../../adapters/dev/genstore_client.ts";
import { postgresOnly } from "../support/databases.ts";
import { addUnreachableShop, eventually, newId, SANDBOX_CARD, startHarness } from "../support/harness.ts";

const TOKEN = "operator-token-for-tests";

/** A standard Adyen notification, signed the way Adyen signs it (HMAC-SHA256 of the item's fields). */
function adyenNotification(item: Record<string, string>, value: number, currency: string, keyHex: string) {
  const signed = [
    item.pspReference,
    item.originalReference ?? "",
    item.merchantAccountCode,
    item.merchantReference,
    value,
    currency,
    item.eventCode,
    item.success,
  ].join(":");
  const signature = createHmac("sha256", Buffer.from(keyHex, "hex")).update(signed).digest("base64");
  return JSON.stringify({
    live: "false",
    notificationItems: [{
      NotificationRequestItem: {
        ...item,
        amount: { value, currency },
        eventDate: new Date().toISOString(),
        reason: "",
        additionalData: { hmacSignature: signature },
      },
    }],
  });
}

Deno.test({
  name: "operations: incidents, review queue, dead letters, metrics and the operator token",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const h = await startHarness({
      env: { OPERATOR_TOKEN: TOKEN, RECONCILE_DEADLINE_MS: "1500" },
      genstoreTokens: { demo: "dev-token", broken: "broken-token" },
    });
    const { client, genstore, gateway } = h;
    const admin = (path: string, body?: unknown, token = TOKEN) =>
      fetch(`${gateway.url}/admin${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "x-operator": "ada",
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const json = async (response: Response) => ({ status: response.status, body: await response.json() });
    try {
      await t.step("admin routes refuse a missing or wrong operator token", async () => {
        equal((await admin("/review", undefined, "nope")).status, 401);
        const anonymous = await fetch(`${gateway.url}/admin/metrics`);
        equal(anonymous.status, 401);
        await anonymous.body?.cancel();
      });

      await t.step(
        "a late success after a reported failure raises an incident, never a second callback",
        async () => {
          const id = newId("PI");
          const declined = await client.pay({
            paymentId: id,
            amount: "15.00",
            card: testCard("4000000000000002"),
          });
          equal((await genstore.waitForCallback("payment", id)).body.status, false);
          const [{ reference }] = await gateway.db.query<{ reference: string }>(
            "SELECT reference FROM payments WHERE shop = 'demo' AND payment_id = $1",
            [id],
          );
          const notification = adyenNotification(
            {
              eventCode: "AUTHORISATION",
              success: "true",
              pspReference: String(declined.body.channelPaymentId),
              merchantAccountCode: SANDBOX_CARD.merchantAccount,
              merchantReference: reference,
            },
            1500,
            "USD",
            SANDBOX_CARD.hmacKeyHex,
          );

          const forged = await fetch(`${gateway.url}/v1/notifications/adyen`, {
            method: "POST",
            body: notification.replace(/"hmacSignature":"[^"]+"/, '"hmacSignature":"AAAA"'),
          });
          equal(forged.status, 401);
          await forged.body?.cancel();
          deepEqual((await json(await admin("/incidents"))).body, []);

          const accepted = await fetch(`${gateway.url}/v1/notifications/adyen`, {
            method: "POST",
            body: notification,
          });
          equal(accepted.status, 200);
          equal(await accepted.text(), "[accepted]");
          const incidents = (await json(await admin("/incidents"))).body;
          equal(incidents.length, 1);
          equal(incidents[0].kind, "psp_succeeded_after_failure");
          equal(incidents[0].operationId, id);
          match(incidents[0].recommendedAction, /refund/);
          // The same news again does not pile up incidents.
          await (await fetch(`${gateway.url}/v1/notifications/adyen`, { method: "POST", body: notification }))
            .text();
          equal((await json(await admin("/incidents"))).body.length, 1);
          await new Promise((resolve) => setTimeout(resolve, 300));
          equal(genstore.delivered().filter((a) => a.id === id).length, 1, "still exactly one callback");
          equal(
            (await client.query("payments", id)).body.status,
            "FAILURE",
            "the final result did not change",
          );

          equal((await admin(`/incidents/demo/${incidents[0].id}/resolve`, { reason: " " })).status, 400);
          equal(
            (await admin(`/incidents/demo/${incidents[0].id}/resolve`, { reason: "Refunded at Adyen" }))
              .status,
            200,
          );
          deepEqual((await json(await admin("/incidents"))).body, []);
          equal((await json(await admin("/incidents?all"))).body[0].resolution, "Refunded at Adyen");
        },
      );

      const id = newId("PI");
      await t.step("an outcome that stays unknown past its deadline enters the review queue", async () => {
        // A shop whose PSP cannot be reached: every question stays unknown.
        await addUnreachableShop(gateway, "broken", "broken-token");
        const answer = await h.clientFor("broken.genmystore.com").pay({ paymentId: id, amount: "5.00" });
        equal(answer.status, 200);
        deepEqual(answer.body, {});
        const queue = await eventually(async () => {
          const listed = (await json(await admin("/review"))).body;
          return listed.length > 0 ? listed : undefined;
        });
        equal(queue[0].operationId, id);
        equal(queue[0].status, "unknown");
        const metrics = await (await admin("/metrics")).text();
        match(metrics, /gateway_review_queue 1\n/);
        match(metrics, /gateway_operations_unknown 1\n/);
        equal(genstore.attempts.some((a) => a.id === id), false, "no callback while unknown");
      });

      await t.step(
        "a person settles it with a reason; Genstore is told once; the action is kept",
        async () => {
          equal((await admin(`/review/broken/payment/${id}/settle`, { verdict: "succeeded" })).status, 400);
          const settled = await json(
            await admin(`/review/broken/payment/${id}/settle`, {
              verdict: "succeeded",
              reason: "Authorised in the PSP dashboard",
              pspReference: "PSP-REF-BY-HAND",
            }),
          );
          deepEqual(settled, { status: 200, body: { status: "succeeded" } });
          const callback = await genstore.waitForCallback("payment", id);
          deepEqual(callback.body, {
            status: true,
            channelPaymentId: "PSP-REF-BY-HAND",
            amount: "5.00",
            currency: "USD",
            test: true,
          });
          const again = await admin(`/review/broken/payment/${id}/settle`, {
            verdict: "failed",
            reason: "oops",
          });
          equal(again.status, 409);
          await again.body?.cancel();
          deepEqual((await json(await admin("/review"))).body, []);
          const actions = await gateway.db.query<{ action: string; reason: string; operator: string }>(
            "SELECT action, reason, operator FROM operator_actions WHERE shop = 'broken'",
          );
          deepEqual(actions.map((a) => ({ ...a })), [{
            action: "settle_succeeded",
            reason: "Authorised in the PSP dashboard",
            operator: "ada",
          }]);
        },
      );

      await t.step("a dead letter is listed and re-driven with a reason", async () => {
        const dead = newId("PI");
        genstore.respondWith((attempt) => attempt.id === dead && !redriven ? 400 : 200);
        let redriven = false;
        await client.pay({ paymentId: dead, amount: "2.00" });
        const letters = await eventually(async () => {
          const listed = (await json(await admin("/dead-letters"))).body as {
            targetId: string;
            seq: number;
          }[];
          return listed.find((letter) => letter.targetId === dead);
        });
        equal((await admin(`/dead-letters/demo/${letters.seq}/redrive`, {})).status, 400);
        redriven = true;
        equal(
          (await admin(`/dead-letters/demo/${letters.seq}/redrive`, { reason: "Fixed on Genstore's side" }))
            .status,
          200,
        );
        await genstore.waitForCallback("payment", dead);
        match(await (await admin("/metrics")).text(), /gateway_callbacks_dead 0\n/);
      });

      await t.step({
        ...postgresOnly("the ops CLI lists the review queue and settles from the database"),
        fn: async () => {
          const stuck = newId("PI");
          await h.clientFor("broken.genmystore.com").pay({ paymentId: stuck, amount: "6.00" });
          await eventually(async () => {
            const listed = (await json(await admin("/review"))).body as { operationId: string }[];
            return listed.some((op) => op.operationId === stuck) || undefined;
          });
          const env = { DATABASE_URL: h.database!.url!, MASTER_KEY: gateway.config.masterKey, USER: "grace" };
          const ops = async (...args: string[]) => {
            const output = await new Deno.Command(Deno.execPath(), {
              args: ["run", "-A", "scripts/ops.ts", ...args],
              env,
            })
              .output();
            return {
              code: output.code,
              text: new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr),
            };
          };
          const review = await ops("review");
          match(review.text, new RegExp(`broken payment/${stuck}`));
          equal((await ops("settle", "broken", "payment", stuck, "failed")).code, 2, "a reason is required");
          const settled = await ops(
            "settle",
            "broken",
            "payment",
            stuck,
            "failed",
            "--reason",
            "Never reached the PSP",
          );
          equal(settled.code, 0, settled.text);
          const callback = await genstore.waitForCallback("payment", stuck);
          equal(callback.body.status, false);
          match(String(callback.body.error), /^settled_by_operator: Never reached the PSP/);
        },
      });
    } finally {
      await h.stop();
    }
  },
});
