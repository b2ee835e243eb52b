/**
 * The outbox claim reads its batch in order from the index outbox_due and stops there: with thousands of
 * callbacks pending (a backlog under load, or a shop whose Genstore is down) a pass costs what it costs with
 * a few, where a claim that read and sorted every pending entry made each pass slower as the backlog grew.
 */
import { deepStrictEqual as deepEqual, ok } from "node:assert/strict";
import { DUE } from "../adapters/store/sql_outbox_store.ts";
import { openTestDatabase } from "./support/databases.ts";

interface PlanNode {
  readonly "Node Type": string;
  readonly "Relation Name"?: string;
  readonly "Alias"?: string;
  readonly "Index Name"?: string;
  readonly "Actual Rows": number;
  readonly "Actual Loops": number;
  readonly "Rows Removed by Filter"?: number;
  readonly Plans?: readonly PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

const BATCH = 50;
const IN_FLIGHT = 120;

Deno.test("the outbox claim reads one batch from outbox_due, however long the backlog", async () => {
  const db = await openTestDatabase();
  try {
    // 20,000 delivered, 5,000 pending over 40 shops, of which the oldest 120 are claimed by passes in flight.
    await db.client.exec(`
      INSERT INTO outbox (shop, kind, target_id, payment_id, message, status, delivered_at)
      SELECT 'shop-' || (n % 40), 'payment', 'd' || n, 'd' || n, '{}'::jsonb, 'delivered', now()
      FROM generate_series(1, 20000) n;
      INSERT INTO outbox (shop, kind, target_id, payment_id, message, next_attempt_at)
      SELECT 'shop-' || (n % 40), 'payment', 'p' || n, 'p' || n, '{}'::jsonb,
        now() - interval '1 hour' + n * interval '1 millisecond'
      FROM generate_series(1, 5000) n;
      UPDATE outbox SET claimed_until = now() + interval '1 hour', claim_token = 'in-flight'
      WHERE status = 'pending' AND target_id IN (SELECT 'p' || n FROM generate_series(1, ${IN_FLIGHT}) n);
      ANALYZE outbox;`);
    const text = DUE.replaceAll("$1::timestamptz", "now()").replace("$3", String(BATCH));
    const [row] = await db.client.query<{ "QUERY PLAN": unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`);
    const explained = typeof row["QUERY PLAN"] === "string"
      ? JSON.parse(row["QUERY PLAN"])
      : row["QUERY PLAN"];
    const plan = nodes((explained as { Plan: PlanNode }[])[0].Plan);
    const claimScan = plan.filter((node) => node["Alias"] === "o");
    deepEqual(claimScan.map((node) => [node["Node Type"], node["Index Name"]]), [[
      "Index Scan",
      "outbox_due",
    ]]);
    ok(!plan.some((node) => node["Node Type"] === "Sort"), "the index gives the order: nothing is sorted");
    const read = claimScan[0]["Actual Rows"] + (claimScan[0]["Rows Removed by Filter"] ?? 0);
    ok(
      read <= BATCH + IN_FLIGHT,
      `the claim read ${read} pending entries for a batch of ${BATCH} (${IN_FLIGHT} in flight, 5,000 pending)`,
    );
    const claimed = plan.find((node) => node["Node Type"] === "Limit")!["Actual Rows"];
    deepEqual(claimed, BATCH, "a full batch, past the entries in flight");
  } finally {
    await db.close();
  }
});
