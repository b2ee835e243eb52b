/**
 * `deno task new-plugin <name> [--offsite]`: a card plugin and an offsite plugin, each scaffolded under a random
 * name, hold only the files a PSP team writes and pass the conformance kit (run in process), deno check, lint
 * and fmt, their own tests and the architecture test, out of the box; the kit fails broken copies of the
 * offsite one. The CLI refuses bad names, an existing folder and names that clash. The scaffolded folders are
 * removed afterwards.
 */
import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { clashProblem, pluginNames, substitute } from "../scripts/new_plugin.ts";
import {
  formatReport,
  loadTarget,
  runConformance,
  type Scenario,
  SCENARIOS,
} from "../plugins/kit/conformance/mod.ts";
import type { PspCallContext, PspPlugin } from "../src/plugin_api.ts";

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

/** Exactly the files a PSP team writes, laid out like the bundled plugins. */
const FILES = [
  "README.md",
  "answers.ts",
  "conformance.ts",
  "credentials.ts",
  "emulator/accounts.ts",
  "emulator/api_call.ts",
  "emulator/emulator.ts",
  "emulator/emulator_test.ts",
  "emulator/flow.ts",
  "emulator/harness.ts",
  "emulator/mod.ts",
  "emulator/modifications.ts",
  "emulator/notifications.ts",
  "emulator/payments.ts",
  "emulator/records.ts",
  "emulator/sandbox_program.ts",
  "manifest.ts",
  "mod.ts",
  "notification.ts",
  "notification_test.ts",
  "payments.ts",
  "payments_test.ts",
  "plugin.ts",
  "plugin_test.ts",
  "requests.ts",
  "status_map.ts",
  "status_map_test.ts",
  "test_support.ts",
  "test_support_payments.ts",
];

/** What each kind of plugin leaves out: the scenarios the kit must skip, and some it must pass. */
const KINDS = {
  card: {
    args: [],
    extension: "card",
    skipped: (s: Scenario) =>
      s.payments === "offsite" || s.requires.includes("threeDSecure") || s.requires.includes("cardOnFile") ||
      s.requiresOneOf !== undefined,
    passed: [
      "sale_approved",
      "sale_declined_with_stable_code",
      "authorize_then_capture",
      "void_authorization",
    ],
  },
  offsite: {
    args: ["--offsite"],
    extension: "bank",
    skipped: (s: Scenario) => s.payments === "card",
    passed: [
      "offsite_approved_charged_once",
      "offsite_cancelled",
      "offsite_abandoned",
      "return_garbled_refused_then_approved",
      "continue_lost_answer_query_settles",
    ],
  },
} as const;

for (const [kind, expected] of Object.entries(KINDS)) {
  Deno.test(`new-plugin ${kind}: the scaffold passes the kit, deno check, lint and the architecture test`, async (t) => {
    const name = randomName();
    const names = pluginNames(name);
    const folder = join(PLUGINS, name);
    try {
      await t.step(
        "the CLI creates only the files a PSP team writes, and prints the next steps",
        async () => {
          const run = await newPlugin(name, ...expected.args);
          succeeds(run, "new-plugin");
          const entry = JSON.stringify(
            { [name]: { module: `./plugins/${name}/mod.ts`, factory: `create${names.pascal}Plugin` } },
            null,
            2,
          ).split("\n").slice(1, -1).map((line) => `     ${line}`).join("\n");
          ok(run.stdout.includes(entry), `the plugins.json entry is not printed:\n${run.stdout}`);
          ok(
            run.stdout.includes(`create${names.pascal}SandboxEmulator`),
            "the sandbox.json entry is not printed",
          );
          ok(run.stdout.includes(`npx deno task conformance plugins/${name}`), "the kit is not named");
          ok(
            run.stdout.includes(`shops bind <shop> ${expected.extension} ${name}`),
            "binding a shop is not named",
          );
          deepStrictEqual(await listing(folder), FILES);
        },
      );

      await t.step("it names the plugin everywhere, and neither the template nor its kinds", async () => {
        const mod = await Deno.readTextFile(join(folder, "mod.ts"));
        match(mod, new RegExp(`export \\{ create${names.pascal}Plugin \\}`));
        match(mod, new RegExp(`export \\{ ${names.constant}_MANIFEST \\}`));
        const readme = await Deno.readTextFile(join(folder, "README.md"));
        ok(readme.includes(`TODO(${name})`), "the README has no TODO markers for the team");
        for (const file of FILES) {
          const text = await Deno.readTextFile(join(folder, file));
          ok(!/skeleton/i.test(text), `${file} still names the template`);
          ok(
            !/\.(card|offsite)(_test)?\.ts|<!-- \/?(card|offsite) -->/.test(text),
            `${file} still names a kind`,
          );
          ok(!text.includes('plugins/kit/mod.ts"'), `${file} imports the kit from the template's place`);
          for (const todo of text.matchAll(/TODO\(([^)]*)\)/g)) {
            strictEqual(todo[1], name, `${file}: ${todo[0]}`);
          }
        }
      });

      await t.step("the conformance kit passes it with zero failures", async () => {
        const report = await runConformance(await loadTarget(folder));
        strictEqual(report.failed, 0, formatReport(report));
        strictEqual(report.plugin, name);
        deepStrictEqual(
          report.results.filter((r) => r.status === "skipped").map((r) => r.id),
          SCENARIOS.filter(expected.skipped).map((s) => s.id),
        );
        for (const id of expected.passed) {
          strictEqual(report.results.find((r) => r.id === id)?.status, "passed", id);
        }
      });

      if (kind === "offsite") {
        await t.step("the kit fails broken copies of it on the scenarios aimed at their fault", async () => {
          await failsBrokenOffsiteCopies(folder);
        });
      }

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
      await t.step("its own tests pass, none ignored", async () => {
        const run = await deno("test", "-A", `plugins/${name}`);
        succeeds(run, "deno test of the plugin");
        match(run.stdout, / 0 failed(?! \| [1-9]\d* ignored)/);
        ok(
          !/ignored \(/.test(run.stdout) && !/[1-9]\d* ignored/.test(run.stdout),
          `tests were ignored:\n${run.stdout}`,
        );
      });
      await t.step("the architecture test passes with it", async () => {
        succeeds(await deno("test", "-A", "test/architecture_test.ts"), "the architecture test");
      });

      await t.step("the CLI refuses the existing folder and leaves it as it was", async () => {
        const before = await listing(folder);
        const run = await newPlugin(name, ...expected.args);
        strictEqual(run.code, 1, run.stderr);
        match(run.stderr, new RegExp(`plugins/${name} already exists`));
        deepStrictEqual(await listing(folder), before);
      });
    } finally {
      await Deno.remove(folder, { recursive: true }).catch(() => {});
    }
  });
}

type Wrap = (plugin: PspPlugin) => PspPlugin;

/** Believes the browser: a return the PSP refused is reported as the payment's success. */
const trustsTheBrowser: Wrap = (plugin) => ({
  ...plugin,
  async continueAfterRedirect(input, ctx) {
    const outcome = await plugin.continueAfterRedirect(input, ctx);
    return outcome.kind === "return_refused"
      ? { kind: "succeeded", pspReference: input.pspReference ?? "?" }
      : outcome;
  },
});

/** Reads a cancelled payment as paid. */
const cancelIsSuccess: Wrap = (plugin) => ({
  ...plugin,
  async continueAfterRedirect(input, ctx) {
    const outcome = await plugin.continueAfterRedirect(input, ctx);
    return outcome.kind === "failed" && outcome.code === "payment_cancelled"
      ? { kind: "succeeded", pspReference: outcome.pspReference ?? "?" }
      : outcome;
  },
});

/** Mints its own idempotency key for every call instead of sending the core's. */
const mintsItsOwnKey: Wrap = (plugin) => {
  const fresh = (ctx: PspCallContext) => ({ ...ctx, idempotencyKey: crypto.randomUUID() });
  return {
    ...plugin,
    pay: (input, ctx) => plugin.pay(input, fresh(ctx)),
    query: (i, ctx) => plugin.query(i, fresh(ctx)),
  };
};

async function failsBrokenOffsiteCopies(folder: string): Promise<void> {
  const target = await loadTarget(folder);
  const cases: [Wrap, string[]][] = [
    [trustsTheBrowser, ["return_garbled_refused_then_approved"]],
    [cancelIsSuccess, ["offsite_cancelled"]],
    [mintsItsOwnKey, [
      "sends_core_idempotency_key",
      "offsite_pay_replay_same_redirect",
      "capabilities_declared_are_implemented",
      "timeout_after_psp_acted_query_finds_single_charge",
    ]],
  ];
  for (const [wrap, failing] of cases) {
    const report = await runConformance({ ...target, createPlugin: () => wrap(target.createPlugin()) });
    const failed = report.results.filter((r) => r.status === "failed").map((r) => r.id);
    deepStrictEqual(failed, failing, `${wrap.name}:\n${formatReport(report)}`);
  }
}

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
  await t.step("only --offsite, or two names", async () => {
    strictEqual((await newPlugin("--offsite")).code, 2);
    strictEqual((await newPlugin("acme", "other")).code, 2);
    strictEqual((await newPlugin("acme", "--card")).code, 2);
  });
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
