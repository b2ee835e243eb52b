/**
 * The soak test, one minute of it (`deno task soak` runs ten): two gateways on PostgreSQL under mixed traffic,
 * kill -9 and restarts, a Genstore outage; every promise checked at the end.
 */
import { deepStrictEqual } from "node:assert/strict";
import { soak } from "../../scripts/soak.ts";
import { postgresOnly } from "../support/databases.ts";

Deno.test({
  ...postgresOnly("soak, one minute: every accepted operation ends once, nothing charged without a result"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { rows, problems } = await soak({ seconds: 60, workers: 3 });
    console.log(rows.map(([label, value]) => `${label}: ${value}`).join("\n"));
    deepStrictEqual(problems, []);
  },
});
