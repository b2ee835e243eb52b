/**
 * Callback delivery to Genstore (contract section 6), against a fake Genstore that fails on purpose.
 */
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { createSqlOutboxStore } from "../../adapters/store/sql_outbox_store.ts";
import { eventually, newId, startHarness } from "../support/harness.ts";

Deno.test({
  name: "callbacks are retried, ordered per payment and dead-lettered",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const h = await startHarness();
    const { client, genstore } = h;
    const failures = new Map<string, number[]>();
    // Per callback path: the statuses to answer before 200.
    genstore.respondWith((attempt) => failures.get(attempt.path)?.shift() ?? 200);
    try {
      await t.step(
        "a callback answered 503 twice is retried with backoff and delivered on the third attempt",
        async () => {
          const id = newId("PI");
          failures.set(`/demo/api/202412/app/payment/${id}`, [503, 503]);
          await client.pay({ paymentId: id, amount: "2.00" });
          const delivered = await genstore.waitForCallback("payment", id, 15_000);
          const tries = genstore.attempts.filter((a) => a.kind === "payment" && a.id === id);
          deepEqual(tries.map((a) => a.status), [503, 503, 200]);
          for (const attempt of tries) {
            equal(attempt.text, delivered.text, "every attempt sends the identical body");
          }
          const firstGap = tries[1].at - tries[0].at;
          const secondGap = tries[2].at - tries[1].at;
          // 1 s doubling with jitter: the first retry waits 0.5-1 s, the second 1-2 s.
          ok(firstGap >= 450 && firstGap < 1_500, `first gap ${firstGap} ms`);
          ok(secondGap >= 950 && secondGap < 2_500, `second gap ${secondGap} ms`);
          // The gateway records an attempt just after Genstore answered it.
          const rows = await eventually(async () => {
            const found = await h.gateway.db.query<{ attempt: number; http_status: number }>(
              `SELECT a.attempt, a.http_status FROM callback_attempts a
             JOIN outbox o ON o.shop = a.shop AND o.seq = a.seq WHERE o.target_id = $1 ORDER BY a.attempt`,
              [id],
            );
            return found.length === 3 ? found : undefined;
          });
          deepEqual(rows.map((r) => [Number(r.attempt), Number(r.http_status)]), [[1, 503], [2, 503], [
            3,
            200,
          ]]);
        },
      );

      await t.step("409 from Genstore counts as delivered", async () => {
        const id = newId("PI");
        failures.set(`/demo/api/202412/app/payment/${id}`, [409]);
        await client.pay({ paymentId: id, amount: "2.00" });
        await eventually(() => genstore.attempts.find((a) => a.id === id && a.status === 409));
        await new Promise((resolve) => setTimeout(resolve, 300));
        equal(genstore.attempts.filter((a) => a.id === id).length, 1);
      });

      await t.step(
        "a 400 from Genstore dead-letters the callback at once; it can be listed and re-driven",
        async () => {
          const id = newId("PI");
          failures.set(`/demo/api/202412/app/payment/${id}`, [400]);
          await client.pay({ paymentId: id, amount: "2.00" });
          const outbox = createSqlOutboxStore(h.gateway.db);
          const dead = await eventually(async () =>
            (await outbox.listDead(100)).find((d) => d.targetId === id)
          );
          equal(dead.lastStatus, 400);
          equal(dead.attempts, 1);
          ok(await outbox.redrive(dead.shop, dead.seq, Date.now()));
          await genstore.waitForCallback("payment", id);
          equal((await outbox.listDead(100)).some((d) => d.targetId === id), false);
        },
      );

      await t.step("a capture result waits for its payment's result to be delivered first", async () => {
        const id = newId("PI");
        failures.set(`/demo/api/202412/app/pre_authorize/${id}`, [503]);
        await client.pay({ paymentId: id, amount: "9.00", manualCapture: true });
        await eventually(() => genstore.attempts.find((a) => a.id === id && a.status === 503));
        const captureId = newId("CA");
        await client.capture(captureId, id, "9.00");
        const capture = await genstore.waitForCallback("capture", captureId, 15_000);
        const pre = await genstore.waitForCallback("pre_authorize", id);
        ok(pre.at <= capture.at, "pre_authorize delivered before capture");
        const order = genstore.attempts.filter((a) => a.id === id || a.id === captureId).map((a) => a.kind);
        deepEqual(order, ["pre_authorize", "pre_authorize", "capture"]);
      });
    } finally {
      await h.stop();
    }
  },
});

Deno.test({
  name: "callbacks respect the per-shop rate limit",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const h = await startHarness({ env: { CALLBACK_BURST: "3", CALLBACK_RATE_PER_SECOND: "4" } });
    try {
      const ids = Array.from({ length: 7 }, () => newId("PI"));
      const started = Date.now();
      await Promise.all(ids.map((id) => h.client.pay({ paymentId: id, amount: "1.00" })));
      for (const id of ids) await h.genstore.waitForCallback("payment", id, 10_000);
      const times = h.genstore.delivered().map((a) => a.at - started).sort((a, b) => a - b);
      equal(times.length, 7);
      // A burst of 3, then 4 per second: the 7th callback cannot go out before ~1 s.
      ok(times[6] >= 900, `7th callback after ${times[6]} ms`);
      // Token bucket: in any window of w seconds at most 3 + 4·w callbacks (one of slack for clock reads).
      for (let i = 0; i < times.length; i++) {
        for (let j = i; j < times.length; j++) {
          const allowed = 3 + 4 * (times[j] - times[i]) / 1000 + 1;
          ok(j - i + 1 <= allowed, `window ${i}..${j}: ${JSON.stringify(times)}`);
        }
      }
    } finally {
      await h.stop();
    }
  },
});
