/**
 * kill -9 at each durable step of a payment, restart, and let Genstore retry as it does when it got no
 * answer: every payment ends with exactly one final result, one PSP charge, and its callback delivered
 * (resent with the identical body if the crash came between sending and marking it). PostgreSQL only.
 */
import { match, ok, strictEqual as equal } from "node:assert/strict";
import { sealAudit, verifyAudit } from "../../adapters/store/sql_audit.ts";
import { type Cluster, type GatewayProcess, startCluster } from "../support/cluster.ts";
import { postgresOnly } from "../support/databases.ts";
import { newId } from "../support/harness.ts";
import { testCard } from "../../adapters/dev/genstore_client.ts";

const FAILPOINTS = [
  "after_request_stored",
  "after_psp_call",
  "after_result_stored",
  "after_callback_sent",
] as const;

Deno.test({
  ...postgresOnly("kill -9 at every step of a payment: one final result, one charge, a delivered callback"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const cluster = await startCluster();
    try {
      for (const failpoint of FAILPOINTS) {
        await t.step(failpoint, () => crashAndRecover(cluster, failpoint));
      }
      await t.step("the audit trail of every killed process seals and verifies", async () => {
        await sealAudit(cluster.database.client);
        for (const report of await verifyAudit(cluster.database.client)) {
          equal(report.unsealed, 0);
          equal(report.problems.length, 0, report.problems.join("; "));
        }
      });
    } finally {
      await cluster.close();
    }
  },
});

async function crashAndRecover(cluster: Cluster, failpoint: string): Promise<void> {
  const { genstore, emulator } = cluster;
  const crashing = await cluster.start(`crash-${failpoint}`, { GATEWAY_FAILPOINT: failpoint });
  const id = newId("PI");
  const body = crashing.client.paymentBody({ paymentId: id, amount: "21.00" });
  const first = await crashing.client.send("payments", body).catch(() => undefined);
  const died = await crashing.status;
  equal(died.signal, "SIGKILL", `the gateway died at ${failpoint}`);
  ok(crashing.logs.some((line) => line.includes(`"failpoint":"${failpoint}"`) && line.includes("reached")));

  const restarted = await cluster.start(`restart-${failpoint}`);
  const answer = await retryLikeGenstore(restarted, body);
  equal(answer.status, 200, answer.text);
  ok(typeof answer.body.channelPaymentId === "string", answer.text);
  if (first?.status === 200) equal(answer.text, first.text, "the retry gets the first answer");

  const callback = await genstore.waitForCallback("payment", id, 20_000);
  equal(callback.body.status, true);
  // A crash between sending and marking resends once the claim's lease ends; give it the time to happen.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  const deliveries = genstore.delivered().filter((attempt) =>
    attempt.kind === "payment" && attempt.id === id
  );
  ok(deliveries.length >= 1);
  for (const delivery of deliveries) {
    equal(delivery.text, callback.text, "every delivery carries the identical body");
  }
  if (failpoint === "after_callback_sent") equal(deliveries.length, 2, "sent before the crash, resent after");
  else equal(deliveries.length, 1);

  const rows = await cluster.database.client.query<{ reference: string; status: string }>(
    `SELECT o.reference, o.status FROM operations o WHERE o.shop = 'demo' AND o.kind = 'payment'
     AND o.operation_id = $1`,
    [id],
  );
  equal(rows[0].status, "succeeded");
  equal(emulator.chargeCount(rows[0].reference), 1, "charged exactly once at the PSP");
  equal((await restarted.client.query("payments", id)).body.status, "SUCCESS");
  restarted.kill("SIGTERM");
  equal((await restarted.status).code, 0);
}

/** Genstore retries a request that got no answer, honouring 409 request_in_progress with Retry-After. */
async function retryLikeGenstore(gateway: GatewayProcess, body: Record<string, unknown>) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const answer = await gateway.client.send("payments", body);
    if (answer.status !== 409 || answer.body.error !== "request_in_progress") return answer;
    await new Promise((resolve) =>
      setTimeout(resolve, Number(answer.headers.get("retry-after") ?? 1) * 1000)
    );
  }
  throw new Error("The payment stayed in progress");
}

clusterTest(
  "a payment the PSP never received (crash before the call, no retry) fails by itself, once",
  async (cluster) => {
    const crashing = await cluster.start("never-sent", { GATEWAY_FAILPOINT: "after_request_stored" });
    const id = newId("PI");
    await crashing.client.pay({ paymentId: id, amount: "12.00" }).catch(() => undefined);
    equal((await crashing.status).signal, "SIGKILL");
    // Nobody retries: reconciliation alone must settle it, on the PSP's own word that it has no record.
    const restarted = await cluster.start("reconciles");
    const callback = await cluster.genstore.waitForCallback("payment", id, 30_000);
    equal(callback.body.status, false);
    match(String(callback.body.error), /^processing_error: not received by the PSP/);
    const rows = await cluster.database.client.query<{ reference: string; status: string }>(
      "SELECT reference, status FROM operations WHERE shop = 'demo' AND kind = 'payment' AND operation_id = $1",
      [id],
    );
    equal(rows[0].status, "failed");
    equal(cluster.emulator.chargeCount(rows[0].reference), 0, "nothing was charged");
    const audited = await cluster.database.client.query<{ payload: string }>(
      "SELECT payload FROM audit_log WHERE shop = 'demo' AND subject = $1 AND kind = 'operation.update'",
      [`payment/${id}`],
    );
    ok(
      audited.some((row) => JSON.parse(row.payload).to === "failed"),
      "the settlement is in the audit trail",
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    equal(
      cluster.genstore.delivered().filter((attempt) => attempt.kind === "payment" && attempt.id === id)
        .length,
      1,
      "exactly one final callback",
    );
    restarted.kill("SIGTERM");
    await restarted.status;
  },
);

Deno.test({
  ...postgresOnly(
    "after a kill -9, Genstore's retry with the card wins over reconciliation, with both CPUs busy",
  ),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const cluster = await startCluster();
    const burners = [0, 1].map(() =>
      new Deno.Command(Deno.execPath(), { args: ["eval", "while (true) {}"], stdout: "null", stderr: "null" })
        .spawn()
    );
    try {
      const crashing = await cluster.start("crash-busy", { GATEWAY_FAILPOINT: "after_request_stored" });
      const id = newId("PI");
      const body = crashing.client.paymentBody({ paymentId: id, amount: "33.00" });
      await crashing.client.send("payments", body).catch(() => undefined);
      await crashing.status;
      // The cluster's 1.5 s answer budget is for tests that want the budget to run out; with both CPUs burned,
      // a cold process's first payment can take longer, and the retry is then answered "still processing" (no
      // channelPaymentId, the callback follows). This test is about who wins, so the budget is generous.
      const restarted = await cluster.start("retried-busy", {
        PAYMENT_ANSWER_BUDGET_MS: "15000",
        PSP_TIMEOUT_MS: "15000",
      });
      const answer = await retryLikeGenstore(restarted, body);
      equal(answer.status, 200, answer.text);
      equal(typeof answer.body.channelPaymentId, "string", answer.text);
      const callback = await cluster.genstore.waitForCallback("payment", id, 30_000);
      equal(callback.body.status, true);
      const [row] = await cluster.database.client.query<{ reference: string }>(
        "SELECT reference FROM operations WHERE shop = 'demo' AND kind = 'payment' AND operation_id = $1",
        [id],
      );
      equal(cluster.emulator.chargeCount(row.reference), 1, "charged exactly once");
      restarted.kill("SIGTERM");
      await restarted.status;
    } finally {
      for (const burner of burners) {
        burner.kill("SIGKILL");
        await burner.status;
      }
      await cluster.close();
    }
  },
});

clusterTest(
  "a 3-D Secure payment whose process died after the PSP call: the retry gets the challenge reconciliation found",
  async (cluster) => {
    const crashing = await cluster.start("crash-3ds", { GATEWAY_FAILPOINT: "after_psp_call" });
    const id = newId("PI");
    const body = crashing.client.paymentBody({
      paymentId: id,
      amount: "44.00",
      card: testCard("4000000000003220"),
      returnUrl: "https://demo.genmystore.com/checkout/return",
    });
    await crashing.client.send("payments", body).catch(() => undefined);
    equal((await crashing.status).signal, "SIGKILL");
    // Nobody retries at first: reconciliation asks the PSP and finds the buyer must act.
    const restarted = await cluster.start("reconciles-3ds");
    let status = "";
    for (let i = 0; i < 100 && status !== "requires_action"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const [row] = await cluster.database.client.query<{ status: string }>(
        "SELECT status FROM operations WHERE shop = 'demo' AND kind = 'payment' AND operation_id = $1",
        [id],
      );
      status = row?.status ?? "";
    }
    equal(status, "requires_action", "reconciliation recorded the challenge");
    // Then Genstore's retry arrives: it gets the redirect the first request would have answered, not a
    // request_in_progress that lasts until the buyer's time runs out.
    const answer = await restarted.client.send("payments", body);
    equal(answer.status, 200, answer.text);
    equal(typeof answer.body.redirectUrl, "string", answer.text);
    equal((await restarted.client.send("payments", body)).text, answer.text, "and every retry after it");
    restarted.kill("SIGTERM");
    await restarted.status;
  },
);

/** A PostgreSQL-only test on a fresh cluster, closed whatever happens. */
function clusterTest(name: string, fn: (cluster: Cluster) => Promise<void>): void {
  Deno.test({
    ...postgresOnly(name),
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const cluster = await startCluster();
      try {
        await fn(cluster);
      } finally {
        await cluster.close();
      }
    },
  });
}
