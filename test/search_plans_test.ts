/**
 * Each payment search of the console is served by an index, never a scan of the payments table, and a page
 * far down the list costs what the first does (the keyset cursor is an index condition). On 30,000 generated
 * payments; `deno task console-plans` shows the same plans and their times on a million.
 */
import { deepStrictEqual as deepEqual, ok } from "node:assert/strict";
import { fillPayments, planSearches } from "../scripts/_search_plans.ts";
import { openTestDatabase } from "./support/databases.ts";

/** The index that must serve each filter (migration 016; docs/console.md lists them). */
const EXPECTED: Readonly<Record<string, string>> = {
  "newest, no filter": "payments_recent",
  "page 100 (keyset cursor)": "payments_recent",
  "shop": "payments_of_shop_recent",
  "shop, page 100": "payments_of_shop_recent",
  "Genstore payment id": "payments_by_payment_id",
  "PSP reference": "payments_by_psp_reference",
  "status unknown (not final)": "payments_unsettled",
  "status failed": "payments_recent",
  "shop + status failed": "payments_of_shop_by_state",
  "method bank": "payments_recent",
  "one day": "payments_recent",
  "shop + one day": "payments_of_shop_recent",
};

Deno.test("every payment search is served by its index, and page 100 by the cursor", async () => {
  const db = await openTestDatabase({ migrated: false });
  try {
    await fillPayments(db.client, 30_000);
    const plans = await planSearches(db.client, 30_000);
    deepEqual(plans.map((plan) => plan.filter), Object.keys(EXPECTED));
    for (const plan of plans) {
      ok(!plan.seqScan, `${plan.filter}: no sequential scan (${plan.indexes.join(", ")})`);
      ok(plan.indexes.includes(EXPECTED[plan.filter]), `${plan.filter}: ${plan.indexes.join(", ")}`);
    }
  } finally {
    await db.close();
  }
});
