/**
 * The GDPR webhooks on the store under test: a data request records which payments hold which buyer data
 * (never the data); a customer redaction removes the named payments' buyer data (return URL, browser
 * return, card summary, card token, the card in sent callbacks) and keeps amounts, references and statuses;
 * a shop redaction does it for every payment of the shop. Each is recorded in the audit trail.
 */
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { eventually, newId, startHarness } from "../support/harness.ts";
import { sendWebhook } from "./onboarding_support.ts";

interface PaymentRow {
  payment_id: string;
  state: string;
  amount_minor: unknown;
  reference: string;
  psp_reference: string | null;
  genstore_return_url: string | null;
  card: unknown;
  store_card: unknown;
}

Deno.test({
  name:
    "GDPR webhooks: data request recorded, customer and shop redaction remove buyer data and keep the money",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const h = await startHarness();
    const db = h.gateway.db;
    const payment = async (id: string) =>
      (await db.query<PaymentRow & Record<string, unknown>>(
        `SELECT payment_id, state, amount_minor, reference, psp_reference, genstore_return_url, card, store_card
         FROM payments WHERE shop = 'demo' AND payment_id = $1`,
        [id],
      ))[0];
    const audit = async (kind: string) =>
      (await db.query<{ payload: string }>(
        "SELECT payload FROM audit_log WHERE shop = 'demo' AND kind = $1 ORDER BY at",
        [kind],
      )).map((row) => JSON.parse(row.payload));
    try {
      const stored = newId("PI");
      const other = newId("PI");
      for (const id of [stored, other]) {
        const body = h.client.paymentBody({ paymentId: id, amount: "12.00" });
        (body.paymentMethod as { data: Record<string, unknown> }).data.storeCard = true;
        equal((await h.client.send("payments", body)).status, 200);
        await h.genstore.waitForCallback("payment", id);
      }
      const before = await payment(stored);
      ok(before.genstore_return_url !== null && before.card !== null, "the payment holds buyer data");

      await t.step("customers/data_request records what is held, and no value of it", async () => {
        const answer = await sendWebhook(h.gateway.url, "customers/data_request", "demo", {
          customer: { id: 77, email: "buyer@example.com" },
          ordersRequested: [stored],
          dataRequest: { id: 9 },
        });
        equal(answer.status, 200);
        const [entry] = await audit("gdpr.data_request");
        equal(entry.customer, "77");
        deepEqual(entry.payments, [{
          paymentId: stored,
          holds: ["genstore_return_url", "card", "store_card", "card_token"],
        }]);
        ok(!JSON.stringify(entry).includes("buyer@example.com") && !JSON.stringify(entry).includes("ct_"));
      });

      await t.step("customers/redact removes the named payment's buyer data, keeps its money", async () => {
        const answer = await sendWebhook(h.gateway.url, "customers/redact", "demo", {
          customer: { id: "77" },
          ordersToRedact: [stored],
        });
        equal(answer.status, 200);
        const after = await payment(stored);
        equal(after.genstore_return_url, null);
        equal(after.card, null);
        equal(after.store_card, null);
        equal(after.state, before.state);
        equal(Number(after.amount_minor), 1200);
        equal(after.reference, before.reference);
        equal(after.psp_reference, before.psp_reference);
        const tokens = await db.query(
          "SELECT token FROM card_tokens WHERE shop = 'demo' AND payment_id = $1",
          [stored],
        );
        equal(tokens.length, 0);
        const [callback] = await db.query<{ message: unknown }>(
          "SELECT message FROM outbox WHERE shop = 'demo' AND payment_id = $1",
          [stored],
        );
        const message = typeof callback.message === "string"
          ? JSON.parse(callback.message)
          : callback.message;
        equal((message as Record<string, unknown>).card, undefined);
        equal((message as Record<string, unknown>).amount, "12.00");
        ok((await payment(other)).card !== null, "another customer's payment is untouched");
        const [entry] = await audit("gdpr.customer_redacted");
        equal(entry.payments, 1);
        equal(entry.cardTokens, 1);
        equal(entry.callbacks, 1);
      });

      await t.step("a pending callback keeps its card until it is sent", async () => {
        const pending = newId("PI");
        h.genstore.respondWith(() => 503);
        const body = h.client.paymentBody({ paymentId: pending, amount: "3.00" });
        (body.paymentMethod as { data: Record<string, unknown> }).data.storeCard = true;
        await h.client.send("payments", body);
        await sendWebhook(h.gateway.url, "customers/redact", "demo", { ordersToRedact: [pending] });
        const [row] = await db.query<{ message: unknown; status: string }>(
          "SELECT message, status FROM outbox WHERE shop = 'demo' AND payment_id = $1",
          [pending],
        );
        equal(row.status, "pending");
        const message = typeof row.message === "string" ? JSON.parse(row.message) : row.message;
        ok((message as Record<string, unknown>).card !== undefined);
        h.genstore.respondWith(() => 200);
        const sent = await h.genstore.waitForCallback("payment", pending);
        ok(typeof sent.body.cardToken === "string", "sent as it was stored");
        await eventually(async () =>
          (await db.query(
            "SELECT 1 FROM outbox WHERE shop = 'demo' AND payment_id = $1 AND status = 'delivered'",
            [
              pending,
            ],
          )).length === 1
        );
      });

      await t.step(
        "shop/redact removes every payment's buyer data and the database refuses other edits",
        async () => {
          const answer = await sendWebhook(h.gateway.url, "shop/redact", "demo", { shopId: "1" });
          equal(answer.status, 200);
          const left = await db.query(
            `SELECT payment_id FROM payments WHERE shop = 'demo' AND (card IS NOT NULL OR genstore_return_url IS NOT NULL
             OR store_card IS NOT NULL OR return_params IS NOT NULL)`,
          );
          equal(left.length, 0);
          equal((await db.query("SELECT token FROM card_tokens WHERE shop = 'demo'")).length, 0);
          const [entry] = await audit("gdpr.shop_redacted");
          // The other customer's payment; the sent callbacks of it and of the one redacted while pending.
          equal(entry.payments, 1, JSON.stringify(entry));
          equal(entry.callbacks, 2, JSON.stringify(entry));
          // Redaction may only drop the card of a sent callback: any other change of a message is refused.
          await assertRejects(() =>
            db.query(`UPDATE outbox SET message = message || '{"amount":"0.01"}'::jsonb WHERE shop = 'demo'`)
          );
        },
      );
    } finally {
      await h.stop();
    }
  },
});

async function assertRejects(work: () => Promise<unknown>): Promise<void> {
  let failed = false;
  try {
    await work();
  } catch {
    failed = true;
  }
  ok(failed, "the database accepted the change");
}
