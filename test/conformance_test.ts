/**
 * Runs the conformance kit against every bundled plugin (each `plugins/<name>/conformance.ts`), one test
 * step per scenario, so that `deno task test` holds every plugin to the port.
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadTarget, missingCapabilities, runScenario } from "./conformance/kit.ts";
import { SCENARIOS } from "./conformance/scenarios.ts";

const PLUGINS = resolve(dirname(fileURLToPath(import.meta.url)), "..", "plugins");

async function bundledTargets(): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(PLUGINS)) {
    if (!entry.isDirectory) continue;
    try {
      if ((await Deno.stat(join(PLUGINS, entry.name, "conformance.ts"))).isFile) names.push(entry.name);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return names.sort();
}

for (const name of await bundledTargets()) {
  Deno.test(`conformance kit: plugins/${name} honours the plugin port`, async (t) => {
    const target = await loadTarget(join(PLUGINS, name));
    const plugin = target.createPlugin();
    for (const scenario of SCENARIOS) {
      const missing = missingCapabilities(plugin, scenario);
      await t.step({
        name: missing.length === 0 ? scenario.id : `${scenario.id} (skipped: needs ${missing.join(", ")})`,
        ignore: missing.length > 0,
        async fn() {
          const result = await runScenario(target, scenario);
          if (result.status === "failed") throw new Error(`${scenario.id}: ${result.detail}`);
        },
      });
    }
  });
}
