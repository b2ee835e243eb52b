/**
 * Runs the conformance kit against every plugin `plugins.json` lists and every other plugin folder with a
 * `conformance.ts`, one test step per scenario, so that `deno task test` holds every plugin to the port. A
 * listed plugin without a conformance target fails.
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadTarget, missingCapabilities, runScenario, SCENARIOS } from "../plugins/kit/conformance/mod.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PLUGINS = join(ROOT, "plugins");

/** The folders of the plugins `plugins.json` lists (`./plugins/<name>/mod.ts` → `plugins/<name>`). */
async function listedFolders(): Promise<string[]> {
  const registry = JSON.parse(await Deno.readTextFile(join(ROOT, "plugins.json"))) as {
    plugins: Record<string, { module: string }>;
  };
  return Object.values(registry.plugins).map((entry) => dirname(resolve(ROOT, entry.module)));
}

/** The folders under plugins/ that hold a `conformance.ts` (the kit's own folder holds none). */
async function foldersWithTarget(): Promise<string[]> {
  const folders: string[] = [];
  for await (const entry of Deno.readDir(PLUGINS)) {
    if (!entry.isDirectory) continue;
    try {
      if ((await Deno.stat(join(PLUGINS, entry.name, "conformance.ts"))).isFile) {
        folders.push(join(PLUGINS, entry.name));
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return folders;
}

const folders = [...new Set([...await listedFolders(), ...await foldersWithTarget()])].sort();

for (const folder of folders) {
  const name = folder.slice(ROOT.length + 1);
  Deno.test(`conformance kit: ${name} honours the plugin port`, async (t) => {
    const target = await loadTarget(folder);
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
