/**
 * `deno task audit …`: the audit trail.
 *
 *   deno task audit verify            recompute every shop's hash chain; exit 1 on any edited or deleted entry
 *   deno task audit show <shop> [n]   the last n entries (default 50) of a shop
 * @module
 */
import { ConfigError, loadConfig } from "../adapters/config/config.ts";
import { openDatabase } from "../adapters/server/gateway.ts";
import { migrate } from "../adapters/store/migrate.ts";
import { verifyAudit } from "../adapters/store/sql_audit.ts";

const USAGE = "usage:\n  deno task audit verify\n  deno task audit show <shop> [count]";

async function main(args: string[]): Promise<number> {
  const [command, shop, count] = args;
  if (command !== "verify" && command !== "show") {
    console.log(USAGE);
    return command === undefined || command === "help" ? 0 : 2;
  }
  const config = await loadConfig();
  const db = await openDatabase(config);
  try {
    await migrate(db);
    if (command === "verify") {
      const reports = await verifyAudit(db);
      let broken = 0;
      for (const report of reports) {
        const verdict = report.problems.length === 0 ? "intact" : "BROKEN";
        console.log(`${report.shop}: ${report.entries} entries, ${verdict}`);
        for (const problem of report.problems) console.log(`  - ${problem}`);
        if (report.problems.length > 0) broken++;
      }
      console.log(broken === 0 ? `All ${reports.length} chains intact.` : `${broken} chain(s) broken.`);
      return broken === 0 ? 0 : 1;
    }
    if (shop === undefined) {
      console.log(USAGE);
      return 2;
    }
    const rows = await db.query<{ seq: unknown; at: string; kind: string; subject: string; payload: string }>(
      "SELECT seq, at, kind, subject, payload FROM audit_log WHERE shop = $1 ORDER BY seq DESC LIMIT $2",
      [shop, Number(count ?? 50)],
    );
    for (const row of rows.reverse()) {
      console.log(`${row.seq} ${row.at} ${row.kind} ${row.subject} ${row.payload}`);
    }
    return 0;
  } finally {
    await db.close();
  }
}

try {
  Deno.exit(await main([...Deno.args]));
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
    Deno.exit(2);
  }
  throw error;
}
