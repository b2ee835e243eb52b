/**
 * `deno task new-plugin <name>`: a plugin scaffolded under a random name passes the conformance kit (run in
 * process), deno check, lint and fmt, its own tests and the architecture test, out of the box; the CLI
 * refuses bad names, an existing folder and names that clash. The scaffolded folder is removed afterwards.
 */
import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { clashProblem, pluginNames, substitute } from "../scripts/new_plugin.ts";
import { formatReport, loadTarget, runConformance, SCENARIOS } from "../plugins/kit/conformance/mod.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PLUGINS = join(ROOT, "plugins");

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function deno(...args: string[]): Promise<Run> {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

function newPlugin(...args: string[]): Promise<Run> {
  return deno("run", "-A", "scripts/new_plugin.ts", ...args);
}

function succeeds(run: Run, what: string): void {
  strictEqual(run.code, 0, `${what} failed:\n${run.stdout}\n${run.stderr}`);
}

/** A name no one uses: starts with a letter, as plugin names must. */
function randomName(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  return `np-${Array.from(bytes, (byte) => "abcdefghijklmnopqrstuvwxyz0123456789"[byte % 36]).join("")}`;
}

async function listing(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) {
      names.push(...(await listing(join(dir, entry.name))).map((n) => `${entry.name}/${n}`));
    } else names.push(entry.name);
  }
  return names.sort();
}

Deno.test("new-plugin scaffolds a plugin that passes the kit, deno check, lint and the architecture test", async (t) => {
  const name = randomName();
  const names = pluginNames(name);
  const folder = join(PLUGINS, name);
  try {
    await t.step("the CLI creates plugins/<name> and prints the next steps", async () => {
      const run = await newPlugin(name);
      succeeds(run, "new-plugin");
      const entry = JSON.stringify(
        { [name]: { module: `./plugins/${name}/mod.ts`, factory: `create${names.pascal}Plugin` } },
        null,
        2,
      )
        .split("\n").slice(1, -1).map((line) => `     ${line}`).join("\n");
      ok(run.stdout.includes(entry), `the plugins.json entry is not printed:\n${run.stdout}`);
      ok(run.stdout.includes(`npx deno task conformance plugins/${name}`), "the kit is not named");
      ok(run.stdout.includes(`npx deno task shops bind <shop> card ${name}`), "binding a shop is not named");
      const files = await listing(folder);
      for (const required of ["mod.ts", "manifest.ts", "credentials.ts", "plugin.ts", "status_map.ts"]) {
        ok(files.includes(required), `${required} is missing`);
      }
      for (
        const required of [
          "notification.ts",
          "conformance.ts",
          "plugin_test.ts",
          "README.md",
          "emulator/mod.ts",
        ]
      ) {
        ok(files.includes(required), `${required} is missing`);
      }
    });

    await t.step("the new folder names the plugin everywhere and the template nowhere", async () => {
      const mod = await Deno.readTextFile(join(folder, "mod.ts"));
      match(mod, new RegExp(`export \\{ create${names.pascal}Plugin \\}`));
      match(mod, new RegExp(`export \\{ ${names.constant}_MANIFEST \\}`));
      const readme = await Deno.readTextFile(join(folder, "README.md"));
      ok(readme.includes(`TODO(${name})`), "the README has no TODO markers for the team");
      for (const file of (await listing(folder)).filter((f) => f.endsWith(".ts") || f.endsWith(".md"))) {
        const text = await Deno.readTextFile(join(folder, file));
        ok(!/skeleton/i.test(text), `${file} still names the template`);
        for (const todo of text.matchAll(/TODO\(([^)]*)\)/g)) {
          strictEqual(todo[1], name, `${file}: ${todo[0]}`);
        }
      }
    });

    await t.step("the conformance kit passes it with zero failures", async () => {
      const report = await runConformance(await loadTarget(folder));
      strictEqual(report.failed, 0, formatReport(report));
      strictEqual(report.plugin, name);
      // A card plugin without 3-D Secure or card-on-file: what it leaves out, and the offsite scenarios.
      deepStrictEqual(
        report.results.filter((r) => r.status === "skipped").map((r) => r.id),
        SCENARIOS.filter((s) =>
          s.payments === "offsite" || s.requires.includes("threeDSecure") ||
          s.requires.includes("cardOnFile") ||
          s.requiresOneOf !== undefined
        ).map((s) => s.id),
      );
      for (
        const id of [
          "sale_approved",
          "sale_declined_with_stable_code",
          "authorize_then_capture",
          "refund_full",
          "partial_refunds",
          "void_authorization",
          "timeout_after_psp_acted_query_finds_single_charge",
          "notification_genuine_parses",
        ]
      ) {
        strictEqual(report.results.find((r) => r.id === id)?.status, "passed", id);
      }
    });

    await t.step(
      "deno check passes",
      async () => succeeds(await deno("check", `plugins/${name}`), "deno check"),
    );
    await t.step(
      "deno lint passes",
      async () => succeeds(await deno("lint", `plugins/${name}`), "deno lint"),
    );
    await t.step("deno fmt --check passes", async () => {
      succeeds(await deno("fmt", "--check", `plugins/${name}`), "deno fmt --check");
    });
    await t.step("its own tests pass", async () => {
      succeeds(await deno("test", "-A", `plugins/${name}`), "deno test of the plugin");
    });
    await t.step("the architecture test passes with it", async () => {
      succeeds(await deno("test", "-A", "test/architecture_test.ts"), "the architecture test");
    });

    await t.step("the CLI refuses the existing folder and leaves it as it was", async () => {
      const before = await listing(folder);
      const run = await newPlugin(name);
      strictEqual(run.code, 1, run.stderr);
      match(run.stderr, new RegExp(`plugins/${name} already exists`));
      deepStrictEqual(await listing(folder), before);
    });
  } finally {
    await Deno.remove(folder, { recursive: true }).catch(() => {});
  }
});

Deno.test("new-plugin refuses names that are not plugin names, and creates nothing", async (t) => {
  const before = await listing(PLUGINS);
  const bad = [
    "Acme",
    "1pay",
    "acme_pay",
    "-acme",
    "acme-",
    "acme--pay",
    "acme pay",
    "../acme",
    "a".repeat(33),
  ];
  for (const name of [...bad, "skeleton-pay"]) {
    await t.step(JSON.stringify(name), async () => {
      const run = await newPlugin(name);
      strictEqual(run.code, 2, run.stderr);
      match(run.stderr, /plugin name/);
    });
  }
  await t.step("no name at all", async () => strictEqual((await newPlugin()).code, 2));
  deepStrictEqual(await listing(PLUGINS), before);
});

Deno.test("new-plugin refuses an existing plugin folder", async () => {
  const run = await newPlugin("adyen");
  strictEqual(run.code, 1);
  match(run.stderr, /plugins\/adyen already exists/);
});

Deno.test("clashProblem() refuses a name whose code names or factory an existing plugin has", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(root, "plugins", "acme_pay"), { recursive: true });
    const config = {
      extensions: {},
      plugins: { other: { module: "./x/mod.ts", factory: "createZetaPlugin" } },
    };
    await Deno.writeTextFile(join(root, "plugins.json"), JSON.stringify(config));
    match((await clashProblem("acme-pay", root)) ?? "", /clashes with plugin acme_pay/);
    match((await clashProblem("zeta", root)) ?? "", /factory is createZetaPlugin/);
    strictEqual(await clashProblem("acme-pay-eu", root), undefined);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("substitute() replaces every spelling of the template's name in one pass", () => {
  const names = pluginNames("bigskeleton-pay");
  strictEqual(
    substitute("skeleton-pay SkeletonPay skeletonPay SKELETON_PAY Skeleton Pay", names),
    "bigskeleton-pay BigskeletonPay bigskeletonPay BIGSKELETON_PAY Bigskeleton Pay",
  );
  deepStrictEqual(pluginNames("pay2go-eu"), {
    id: "pay2go-eu",
    pascal: "Pay2goEu",
    camel: "pay2goEu",
    constant: "PAY2GO_EU",
    display: "Pay2go Eu",
  });
});
