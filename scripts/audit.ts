/**
 * `deno task audit …`: the audit trail.
 *
 *   deno task audit verify            recompute every shop's hash chain; exit 1 on any edited or deleted entry
 *   deno task audit show <shop> [n]   the last n entries (default 50) of a shop
 * @module
 */
import { runCli, UsageError } from "./_cli.ts";
import { openOperations } from "./_operations.ts";

const USAGE = "usage:\n  deno task audit verify\n  deno task audit show <shop> [count]";

async function main(args: string[]): Promise<number> {
  const [command, shop, count] = args;
  if (command === undefined || command === "help" || command === "--help") {
    console.log(USAGE);
    return 0;
  }
  if (command !== "verify" && command !== "show") throw new UsageError(`Unknown command ${command}`);
  if (command === "show" && shop === undefined) throw new UsageError("show needs a shop");
  const opened = await openOperations("deno task audit", Deno.env.get("USER") ?? "operator");
  try {
    if (command === "verify") {
      const reports = await opened.operations.verifyAudit();
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
    const entries = await opened.operations.auditEntries({ shop: shop!, count: Number(count ?? 50) || 50 });
    for (const row of entries) console.log(`${row.seq} ${row.at} ${row.kind} ${row.subject} ${row.payload}`);
    return 0;
  } finally {
    await opened.close();
  }
}

await runCli(USAGE, main);
