/**
 * The dependency rules of the layout, enforced: the core has no I/O and imports nothing outside itself,
 * plugins see only the plugin API, and only the composition root knows which plugins exist.
 */
import { deepStrictEqual as deepEqual } from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(join(ROOT, dir))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) files.push(...await sourceFiles(path));
    else if (entry.name.endsWith(".ts")) files.push(path);
  }
  return files;
}

/** Tests and their support files (`*_test.ts`, `test_support.ts`, `*_world.ts`) may reach across layers. */
const isTest = (file: string) =>
  file.endsWith("_test.ts") || file.includes("test_support") || file.endsWith("_world.ts");

/** Relative import targets (resolved to repository paths) and bare specifiers of a file. */
async function importsOf(file: string): Promise<{ local: string[]; bare: string[] }> {
  const text = await Deno.readTextFile(join(ROOT, file));
  const specifiers = [...text.matchAll(/(?:import|export)[^"']*?from\s+["']([^"']+)["']/g)].map((m) => m[1]);
  return {
    local: specifiers.filter((s) => s.startsWith(".")).map((s) =>
      relative(ROOT, resolve(ROOT, dirname(file), s))
    ),
    bare: specifiers.filter((s) => !s.startsWith(".")),
  };
}

Deno.test("src/ imports only src/ and zod, and does no I/O of its own", async () => {
  const problems: string[] = [];
  for (const file of (await sourceFiles("src")).filter((f) => !isTest(f))) {
    const { local, bare } = await importsOf(file);
    for (const target of local) if (!target.startsWith("src/")) problems.push(`${file} imports ${target}`);
    for (const target of bare) if (target !== "zod") problems.push(`${file} imports ${target}`);
    const text = await Deno.readTextFile(join(ROOT, file));
    for (
      const banned of ["Date.now", "Math.random", "fetch(", "crypto.", "Deno.", "setTimeout", "console."]
    ) {
      if (text.includes(banned)) problems.push(`${file} uses ${banned}`);
    }
  }
  deepEqual(problems, []);
});

/**
 * What a file under plugins/ may import, besides its own folder: plugin code the plugin API and the plugin kit;
 * an emulator the emulator kit too; a conformance target the conformance kit too. The kit itself sees only the
 * plugin API.
 */
function allowedPluginImport(file: string, target: string): boolean {
  const [, folder, ...rest] = file.split("/");
  if (target === "src/plugin_api.ts" || target.startsWith(`plugins/${folder}/`)) return true;
  if (folder === "kit") return false;
  const isEmulator = rest[0] === "emulator";
  const isConformance = rest.join("/") === "conformance.ts";
  return target === "plugins/kit/mod.ts" ||
    (isEmulator && target.startsWith("plugins/kit/emulator/")) ||
    (isConformance &&
      (target.startsWith("plugins/kit/conformance/") || target.startsWith("plugins/kit/emulator/")));
}

Deno.test("plugins import only the plugin API and the plugin kit, never adapters or another plugin", async () => {
  const problems: string[] = [];
  for (const file of (await sourceFiles("plugins")).filter((f) => !isTest(f))) {
    for (const target of (await importsOf(file)).local) {
      if (!allowedPluginImport(file, target)) problems.push(`${file} imports ${target}`);
    }
  }
  deepEqual(problems, []);
});

Deno.test("the gateway (adapters/) imports no plugin, no emulator and no kit: plugins load from plugins.json", async () => {
  const problems: string[] = [];
  for (const file of (await sourceFiles("adapters")).filter((f) => !isTest(f))) {
    for (const target of (await importsOf(file)).local) {
      if (target.startsWith("plugins/")) problems.push(`${file} imports ${target}`);
    }
  }
  deepEqual(problems, []);
});
