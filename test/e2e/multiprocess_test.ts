/**
 * Several real gateway processes on one PostgreSQL: racing duplicates, sharing the outbox, and shutting down
 * gracefully. PostgreSQL only (the embedded store belongs to one process).
 */
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { testCard } from "../../adapters/dev/genstore_client.ts";
import { startCluster } from "../support/cluster.ts";
import { postgresOnly } from "../support/databases.ts";
import { eventually, newId } from "../support/harness.ts";

Deno.test({
  ...postgresOnly(
    "50 identical requests across two processes: one PSP call, one callback body, 50 identical answers",
  ),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const cluster = await startCluster();
    try {
      const a = await cluster.start("a");
      const b = await cluster.start("b");
      const gateways = [a, b];
      const { genstore, emulator } = cluster;

      const race = async (route: string, body: unknown) => {
        const answers = await Promise.all(
          Array.from({ length: 50 }, (_, i) => gateways[i % 2].client.send(route, body)),
        );
        const errors = [...a.logs, ...b.logs].filter((line) => line.includes('"level":"error"'));
        deepEqual(errors, [], "no errors logged");
        for (const answer of answers) equal(answer.status, 200, answer.text);
        deepEqual(new Set(answers.map((answer) => answer.text)).size, 1, "50 identical answers");
        equal(answers.filter((answer) => answer.headers.get("idempotent-replayed") !== "true").length, 1);
        return answers[0];
      };
      const referenceOf = async (paymentId: string): Promise<string> => {
        const rows = await cluster.database.client.query<{ reference: string }>(
          "SELECT reference FROM payments WHERE shop = 'demo' AND payment_id = $1",
          [paymentId],
        );
        return rows[0].reference;
      };
      const callbacksFor = (kind: string, id: string) =>
        genstore.delivered().filter((attempt) => attempt.kind === kind && attempt.id === id);

      const id = newId("PI");
      await t.step("payments", async () => {
        const body = a.client.paymentBody({ paymentId: id, amount: "90.00", manualCapture: true });
        const answer = await race("payments", body);
        ok(answer.body.channelPaymentId);
        await genstore.waitForCallback("pre_authorize", id);
        await new Promise((resolve) => setTimeout(resolve, 500));
        equal(emulator.chargeCount(await referenceOf(id)), 1, "one PSP charge");
        equal(callbacksFor("pre_authorize", id).length, 1, "one callback");
      });

      await t.step("captures", async () => {
        const captureId = newId("CA");
        await race("captures", { captureId, paymentId: id, amount: "60.00", test: true });
        await genstore.waitForCallback("capture", captureId);
        await new Promise((resolve) => setTimeout(resolve, 500));
        const reference = await referenceOf(id);
        const payment = emulator.payments().find((p) => p.merchantReference === reference);
        equal(payment?.capturedValue, 6000, "captured once at the PSP");
        equal(callbacksFor("capture", captureId).length, 1);
      });

      await t.step("refunds", async () => {
        const refundId = newId("RF");
        await race("refunds", { refundId, paymentId: id, amount: "25.00", test: true });
        await genstore.waitForCallback("refund", refundId);
        await new Promise((resolve) => setTimeout(resolve, 500));
        const reference = await referenceOf(id);
        const payment = emulator.payments().find((p) => p.merchantReference === reference);
        equal(payment?.refundedValue, 2500, "refunded once at the PSP");
        equal(callbacksFor("refund", refundId).length, 1);
      });
    } finally {
      await cluster.close();
    }
  },
});

Deno.test({
  ...postgresOnly("two processes draining one outbox never send a callback twice at once"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const cluster = await startCluster();
    try {
      const { genstore } = cluster;
      // Genstore is down while 30 results pile up, then comes back slow, so overlapping sends would show.
      let healthy = false;
      genstore.respondWith(() => healthy ? 200 : 503);
      const a = await cluster.start("a");
      const b = await cluster.start("b");
      const ids = Array.from({ length: 30 }, () => newId("PI"));
      await Promise.all(ids.map((id, i) => [a, b][i % 2].client.pay({ paymentId: id, amount: "3.00" })));
      await eventually(
        () => ids.every((id) => genstore.attempts.some((x) => x.id === id)) || undefined,
        15_000,
      );
      genstore.delayAnswers(150);
      healthy = true;
      for (const id of ids) await genstore.waitForCallback("payment", id, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      deepEqual(genstore.overlaps, [], "a callback was being sent twice at the same time");
      for (const id of ids) {
        equal(genstore.delivered().filter((x) => x.id === id).length, 1, `${id} delivered once`);
      }
      const workers = new Set(
        [a, b].filter((g) => g.logs.some((line) => line.includes('"event":"callback.delivered"'))).map((g) =>
          g.name
        ),
      );
      equal(workers.size, 2, "both processes delivered some of the callbacks");
    } finally {
      await cluster.close();
    }
  },
});

Deno.test({
  ...postgresOnly("SIGTERM: the gateway stops accepting, finishes the request in flight, and exits 0"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const cluster = await startCluster();
    try {
      const a = await cluster.start("a");
      const id = newId("PI");
      // The timeout card keeps the PSP call in flight past the answer budget.
      const inFlight = a.client.pay({ paymentId: id, amount: "4.00", card: testCard("4000000000006975") });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const stopAsked = Date.now();
      a.kill("SIGTERM");
      const answer = await inFlight;
      equal(answer.status, 200);
      deepEqual(answer.body, {});
      const refused = await a.client.pay({ paymentId: newId("PI"), amount: "1.00" }).then(
        () => "accepted",
        () => "refused",
      );
      equal(refused, "refused", "a new request after SIGTERM is not accepted");
      const status = await a.status;
      equal(status.code, 0);
      ok(Date.now() - stopAsked < 10_000, "shutdown is bounded");
      // What was left unsettled is settled by the next process by asking the PSP.
      await cluster.start("b");
      const callback = await cluster.genstore.waitForCallback("payment", id, 15_000);
      equal(callback.body.status, true);
    } finally {
      await cluster.close();
    }
  },
});
