/**
 * Which index serves each payment search, measured: fills a scratch PostgreSQL database with generated
 * payments (50 shops, three methods, the states a live gateway has), then runs every console filter through
 * EXPLAIN ANALYZE with the gateway's own SQL and reports the indexes the plan used and its time. Used by
 * `deno task console-plans` (a million payments) and by test/search_plans_test.ts (fewer).
 * @module
 */
import { migrate } from "../adapters/store/migrate.ts";
import type { PaymentSearch } from "../adapters/operations/payment_story.ts";
import type { SqlClient } from "../adapters/store/sql_client.ts";
import { cursorAfter, searchQuery } from "../adapters/store/sql_payment_story.ts";

export interface SearchPlan {
  readonly filter: string;
  /** The indexes the plan scanned, on payments and operations. */
  readonly indexes: readonly string[];
  /** Whether the plan read a whole table. */
  readonly seqScan: boolean;
  readonly executionMs: number;
  readonly rows: number;
}

/**
 * Generated payments, without the audit triggers (a bulk load, not payments the gateway made): created over
 * the last 30 days, 50 shops of very different sizes (shop-0 a third of them, shop-40 one in 400), card 70 % / wallet 20 % / bank 10 %, about 1 in 1000 not final.
 */
export async function fillPayments(db: SqlClient, count: number): Promise<void> {
  await migrate(db);
  await db.exec(`
    SET session_replication_role = replica;
    INSERT INTO payments (shop, payment_id, extension, plugin, test, reference, currency, amount_minor,
      capture_mode, state, psp_reference, authorized_minor, captured_minor, created_at, updated_at)
    SELECT 'shop-' || floor(49 * power((n::bigint * 7919 % 10007) / 10007.0, 3))::int, 'PI' || n,
      CASE WHEN n % 10 < 7 THEN 'card' WHEN n % 10 < 9 THEN 'wallet' ELSE 'bank' END,
      CASE WHEN n % 10 < 7 THEN 'adyen' WHEN n % 10 < 9 THEN 'paypal' ELSE 'mollie' END,
      false, 'ref-' || n, 'EUR', 1000 + n % 9000, 'sale',
      CASE WHEN n % 1000 = 7 THEN 'unknown' WHEN n % 1000 = 8 THEN 'processing'
        WHEN n % 20 = 3 THEN 'failed' ELSE 'succeeded' END,
      CASE WHEN n % 20 = 3 THEN NULL ELSE 'PSP' || n END,
      CASE WHEN n % 20 = 3 OR n % 1000 IN (7, 8) THEN 0 ELSE 1000 + n % 9000 END,
      CASE WHEN n % 20 = 3 OR n % 1000 IN (7, 8) THEN 0 ELSE 1000 + n % 9000 END,
      now() - (n * (interval '30 days' / ${count})), now()
    FROM generate_series(1, ${count}) AS n;
    INSERT INTO operations (shop, kind, operation_id, payment_id, extension, test, reference, fingerprint,
      status, currency, amount_minor, psp_reference, error_code, psp_idempotency_key, created_at, finalized_at)
    SELECT shop, 'payment', payment_id, payment_id, extension, false, reference, 'f', 
      CASE WHEN state IN ('unknown', 'processing') THEN state WHEN state = 'failed' THEN 'failed' ELSE 'succeeded' END,
      currency, amount_minor, psp_reference, CASE WHEN state = 'failed' THEN 'card_declined' END, 'k', created_at,
      CASE WHEN state IN ('unknown', 'processing') THEN NULL ELSE created_at END
    FROM payments;
    SET session_replication_role = DEFAULT;
    ANALYZE payments;
    ANALYZE operations;`);
}

/** Every console filter, with values that exist in the generated data. */
function searches(count: number, deepCursor: string): readonly [string, PaymentSearch][] {
  const middle = Math.floor(count / 2);
  const day = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
  const nextDay = new Date(Date.now() - 9 * 86_400_000).toISOString().slice(0, 10);
  return [
    ["newest, no filter", {}],
    ["page 100 (keyset cursor)", { after: deepCursor }],
    ["shop", { shop: "shop-40" }],
    ["shop, page 100", { shop: "shop-40", after: deepCursor }],
    ["Genstore payment id", { paymentId: `PI${middle}` }],
    ["PSP reference", { pspReference: `PSP${middle}` }],
    ["status unknown (not final)", { state: "unknown" }],
    ["status failed", { state: "failed" }],
    ["shop + status failed", { shop: "shop-0", state: "failed" }],
    ["method bank", { method: "bank" }],
    ["one day", { from: `${day}T00:00:00Z`, to: `${nextDay}T00:00:00Z` }],
    ["shop + one day", { shop: "shop-40", from: `${day}T00:00:00Z`, to: `${nextDay}T00:00:00Z` }],
  ];
}

interface PlanNode {
  readonly "Node Type": string;
  readonly "Index Name"?: string;
  readonly "Relation Name"?: string;
  readonly Plans?: readonly PlanNode[];
}

function walk(node: PlanNode, visit: (node: PlanNode) => void): void {
  visit(node);
  for (const child of node.Plans ?? []) walk(child, visit);
}

export async function planSearches(db: SqlClient, count: number): Promise<SearchPlan[]> {
  // A cursor 100 pages of 50 down the newest-first list (and as deep within a shop: the cursor is the same
  // instant; the shop's comparison starts there).
  const [deep] = await db.query<{ shop: string; payment_id: string; created_at: Date | string }>(
    "SELECT shop, payment_id, created_at FROM payments ORDER BY created_at DESC, shop DESC, payment_id DESC OFFSET 4999 LIMIT 1",
  );
  const deepCursor = cursorAfter({
    createdAt: new Date(deep.created_at).toISOString(),
    shop: deep.shop,
    paymentId: deep.payment_id,
  });
  const plans: SearchPlan[] = [];
  for (const [filter, search] of searches(count, deepCursor)) {
    const query = searchQuery(search);
    const [row] = await db.query<{ "QUERY PLAN": unknown }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${query.text}`,
      query.params,
    );
    const raw = row["QUERY PLAN"];
    const [explained] = (typeof raw === "string" ? JSON.parse(raw) : raw) as {
      Plan: PlanNode & { "Actual Rows": number };
      "Execution Time": number;
    }[];
    const indexes = new Set<string>();
    let seqScan = false;
    walk(explained.Plan, (node) => {
      if (node["Index Name"] !== undefined) indexes.add(node["Index Name"]);
      if (node["Node Type"] === "Seq Scan") seqScan = true;
    });
    plans.push({
      filter,
      indexes: [...indexes],
      seqScan,
      executionMs: explained["Execution Time"],
      rows: explained.Plan["Actual Rows"],
    });
  }
  return plans;
}
