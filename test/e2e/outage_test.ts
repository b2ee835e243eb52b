/**
 * Genstore unavailable for a while (503, then connection refused), then back: every result is delivered, in
 * order per payment, with the backoff visible in the attempt times.
 */
import { ok, strictEqual as equal } from "node:assert/strict";
import { eventually, newId, startHarness } from "../support/harness.ts";

Deno.test({
  name: "a Genstore outage: every result delivered once it is back, in order per payment, with backoff",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const h = await startHarness();
    const { client, genstore } = h;
    try {
      genstore.respondWith(() => 503);
      const payments = Array.from({ length: 4 }, () => newId("PI"));
      for (const id of payments) {
        equal((await client.pay({ paymentId: id, amount: "10.00", manualCapture: true })).status, 200);
      }
      // Captures are accepted while the authorizations' results are still undelivered.
      const captures = payments.map(() => newId("CA"));
      for (const [i, id] of payments.entries()) await client.capture(captures[i], id, "10.00");
      await eventually(() => payments.every((id) => genstore.attempts.some((a) => a.id === id)) || undefined);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await genstore.down(); // connection refused
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      genstore.respondWith(() => 200);
      genstore.up();

      for (const [i, id] of payments.entries()) {
        const authorized = await genstore.waitForCallback("pre_authorize", id, 30_000);
        const captured = await genstore.waitForCallback("capture", captures[i], 30_000);
        ok(authorized.at <= captured.at, `${id}: its own result before its capture's`);
        const tries = genstore.attempts.filter((a) => a.id === id);
        ok(tries.length >= 2, `${id} was retried`);
        // Between the last 503 and the first success lies the refused stretch: the gap only grows.
        const gaps = tries.slice(1).map((a, j) => a.at - tries[j].at);
        ok(gaps.every((gap) => gap >= 400), `${id} backs off: ${JSON.stringify(gaps)}`);
      }
      for (const id of [...payments, ...captures]) {
        equal(genstore.delivered().filter((a) => a.id === id).length, 1, `${id} delivered once`);
      }
      const rows = await h.gateway.db.query<{ n: unknown }>(
        "SELECT count(*) AS n FROM callback_attempts WHERE error IS NOT NULL",
      );
      ok(Number(rows[0].n) >= 1, "refused connections are recorded as attempts");
    } finally {
      await h.stop();
    }
  },
});
