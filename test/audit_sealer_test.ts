/**
 * The audit sealer: entries are appended without a shared head and chained in batches. The chain is intact
 * whatever order transactions commit in, whoever seals, and after a sealer dies mid-batch.
 */
import { ok, strictEqual as equal } from "node:assert/strict";
import postgres from "postgres";
import { appendAudit, sealAudit, verifyAudit } from "../adapters/store/sql_audit.ts";
import { openTestDatabase, postgresOnly } from "./support/databases.ts";

Deno.test("the sealer chains appended entries in order, and a rolled-back batch seals nothing", async () => {
  const db = await openTestDatabase();
  try {
    for (let i = 0; i < 5; i++) {
      await appendAudit(db.client, { shop: "s1", kind: "k", subject: `x${i}`, payload: {} });
    }
    await appendAudit(db.client, { shop: "s2", kind: "k", subject: "y", payload: { n: 1 } });
    let report = await verifyAudit(db.client);
    equal(report.find((r) => r.shop === "s1")?.unsealed, 5);
    // A sealer that dies mid-batch: its transaction rolls back, nothing of the batch is kept.
    await db.client.transaction(async (tx) => {
      await tx.query("SELECT audit_seal(3)");
      throw new Error("the sealer died");
    }).catch(() => {});
    equal((await verifyAudit(db.client)).find((r) => r.shop === "s1")?.unsealed, 5);
    equal(await sealAudit(db.client, 3), 3);
    equal(await sealAudit(db.client), 3);
    report = await verifyAudit(db.client);
    for (const shop of report) {
      equal(shop.unsealed, 0);
      equal(shop.problems.length, 0, shop.problems.join("; "));
    }
    const subjects = await db.client.query<{ subject: string; seq: unknown }>(
      "SELECT subject, seq FROM audit_log WHERE shop = 's1' ORDER BY seq",
    );
    equal(subjects.map((row) => row.subject).join(","), "x0,x1,x2,x3,x4");
    // Sealed entries are immutable, and so is their place on the chain.
    const refused = await db.client.query("UPDATE audit_log SET seq = 99 WHERE shop = 's1' AND seq = 1").then(
      () => "changed",
      (error) => String(error.message),
    );
    ok(refused.includes("append-only"), refused);

    // One batch with two shops' entries interleaved, and a shop new to the chain: each shop's entries go on
    // its own chain, in the order they were appended, after what that chain already holds.
    for (let i = 0; i < 4; i++) {
      await appendAudit(db.client, {
        shop: i % 2 === 0 ? "s1" : "s3",
        kind: "k",
        subject: `z${i}`,
        payload: {},
      });
    }
    equal(await sealAudit(db.client), 4);
    for (const shop of await verifyAudit(db.client)) {
      equal(shop.unsealed, 0);
      equal(shop.problems.length, 0, `${shop.shop}: ${shop.problems.join("; ")}`);
    }
    const chains = await db.client.query<{ shop: string; subject: string; seq: unknown }>(
      "SELECT shop, subject, seq FROM audit_log WHERE shop IN ('s1', 's3') AND subject LIKE 'z%' ORDER BY shop, seq",
    );
    equal(
      chains.map((row) => `${row.shop}:${row.subject}:${row.seq}`).join(","),
      "s1:z0:6,s1:z2:7,s3:z1:1,s3:z3:2",
    );
  } finally {
    await db.close();
  }
});

Deno.test({
  ...postgresOnly(
    "an entry committed after later ones were sealed joins the end of its chain; two sealers never overlap",
  ),
  async fn() {
    const db = await openTestDatabase();
    const slow = postgres(db.url!, { max: 1, onnotice: () => {} });
    try {
      const late = slow.begin(async (tx) => {
        await tx`SELECT audit_append('s1', 'k', 'late', '{}')`;
        await new Promise((resolve) => setTimeout(resolve, 500));
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await appendAudit(db.client, { shop: "s1", kind: "k", subject: "early", payload: {} });
      equal(await sealAudit(db.client), 1, "only the committed entry is sealed");
      await late;
      equal(await sealAudit(db.client), 1);
      const chain = await db.client.query<{ subject: string }>(
        "SELECT subject FROM audit_log WHERE shop = 's1' ORDER BY seq",
      );
      equal(chain.map((row) => row.subject).join(","), "early,late");
      const report = (await verifyAudit(db.client)).find((r) => r.shop === "s1")!;
      equal(report.problems.length, 0, report.problems.join("; "));

      for (let i = 0; i < 200; i++) {
        await appendAudit(db.client, { shop: "s1", kind: "k", subject: `n${i}`, payload: {} });
      }
      const [a, b] = await Promise.all([sealAudit(db.client, 1_000), sealAudit(db.client, 1_000)]);
      equal(a + b, 200, "each entry sealed once");
      equal((await verifyAudit(db.client)).find((r) => r.shop === "s1")!.problems.length, 0);
    } finally {
      await slow.end();
      await db.close();
    }
  },
});
