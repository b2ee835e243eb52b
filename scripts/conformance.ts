/**
 * `deno task conformance plugins/<name>`: runs the offline conformance kit (plugins/kit/conformance/) against the
 * plugin in that folder and its emulator, prints a table and exits 1 when any scenario fails.
 *
 * Options: `--only id,id` runs only the named scenarios.
 * @module
 */
import { formatReport, loadTarget, runConformance, SCENARIO_IDS } from "../plugins/kit/conformance/mod.ts";

const USAGE = "usage: deno task conformance plugins/<name> [--only scenario,scenario]";

async function main(args: readonly string[]): Promise<number> {
  const folder = args.find((arg, index) => !arg.startsWith("--") && args[index - 1] !== "--only");
  const onlyAt = args.indexOf("--only");
  const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? "").split(",").filter((id) => id !== "") : undefined;
  if (folder === undefined || (only !== undefined && only.length === 0)) {
    console.error(USAGE);
    return 2;
  }
  const unknown = (only ?? []).filter((id) => !SCENARIO_IDS.includes(id));
  if (unknown.length > 0) {
    console.error(`unknown scenarios: ${unknown.join(", ")}\nscenarios: ${SCENARIO_IDS.join(", ")}`);
    return 2;
  }
  let target;
  try {
    target = await loadTarget(folder);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
  const report = await runConformance(target, { only });
  console.log(formatReport(report));
  return report.failed > 0 ? 1 : 0;
}

Deno.exit(await main(Deno.args));
