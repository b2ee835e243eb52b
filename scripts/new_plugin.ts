/**
 * `deno task new-plugin <name> [--offsite]`: scaffolds `plugins/<name>/` from `scripts/plugin_template/`: only
 * the files a PSP team writes, laid out like the bundled plugins, for a small, documented JSON API: a card
 * plugin, or with `--offsite` one whose payments go through the PSP's hosted page. The shared rules come from
 * the plugin kit (plugins/kit/mod.ts), the emulator is built on the emulator kit and the conformance target on
 * the conformance kit's types, so that the new folder passes the conformance kit, the type check, lint and the
 * architecture test as it is. Then it prints the next steps.
 *
 * The template is ordinary TypeScript for a plugin called `skeleton-pay` (so it is type-checked, linted and
 * tested where it lies). Scaffolding replaces that name in each of its spellings, keeps the files of the
 * chosen kind (`x.card.ts` or `x.offsite.ts`, written as `x.ts`; `<!-- card -->` or `<!-- offsite -->`
 * blocks of the README), and points the kits' imports at `plugins/kit/` from the new folder.
 *
 * Exit codes: 0 created, 1 refused (the folder exists or the name clashes), 2 usage (no name or a bad one).
 * @module
 */
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const TEMPLATE_DIR = join(ROOT, "scripts", "plugin_template");

const USAGE =
  "usage: deno task new-plugin <name> [--offsite]   (lower-case letters, digits and hyphens, e.g. " +
  "acme-pay; --offsite: payments on the PSP's hosted page instead of card data)";

/** What the scaffolded plugin pays with: card data, or the PSP's hosted page. */
export type PluginKind = "card" | "offsite";
const KINDS: readonly PluginKind[] = ["card", "offsite"];

/** A plugin name: starts with a letter, single hyphens between letters and digits, at most 32 characters. */
const NAME_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const MAX_NAME_LENGTH = 32;

/** The name of the template plugin, in every spelling the template uses. */
const TEMPLATE_NAME = "skeleton-pay";

/** The spellings of a plugin name in code and prose. */
export interface PluginNames {
  /** `acme-pay`: the plugin id, folder, host names and TODO markers. */
  readonly id: string;
  /** `AcmePay`: type and function names (`createAcmePayPlugin`). */
  readonly pascal: string;
  /** `acmePay`: variable names. */
  readonly camel: string;
  /** `ACME_PAY`: constants (`ACME_PAY_MANIFEST`). */
  readonly constant: string;
  /** `Acme Pay`: prose and the display name. */
  readonly display: string;
}

export function pluginNames(id: string): PluginNames {
  const words = id.split(/[-_]/).filter((word) => word !== "");
  const capitalised = words.map((word) => word[0].toUpperCase() + word.slice(1));
  return {
    id,
    pascal: capitalised.join(""),
    camel: words[0] + capitalised.slice(1).join(""),
    constant: words.map((word) => word.toUpperCase()).join("_"),
    display: capitalised.join(" "),
  };
}

const TEMPLATE = pluginNames(TEMPLATE_NAME);
const SPELLINGS = ["id", "pascal", "camel", "constant", "display"] as const;
/** Every spelling of the template's name, matched in one pass so that a replacement is never replaced again. */
const TEMPLATE_SPELLING = new RegExp(SPELLINGS.map((spelling) => TEMPLATE[spelling]).join("|"), "g");

/** The template's text with the template's name replaced, spelling by spelling. */
export function substitute(text: string, names: PluginNames): string {
  return text.replace(TEMPLATE_SPELLING, (found) => names[SPELLINGS.find((s) => TEMPLATE[s] === found)!]);
}

/** `x.card.ts` → `card`, `x.offsite_test.ts` → `offsite`; undefined for a file of every kind. */
function kindOfFile(path: string): PluginKind | undefined {
  const match = /\.(card|offsite)(?=(?:_test)?\.ts$)/.exec(path);
  return match === null ? undefined : match[1] as PluginKind;
}

/** A template path or text with the kind markers of file names removed (`payments.card.ts` → `payments.ts`). */
function withoutKind(text: string): string {
  return text.replace(/\.(?:card|offsite)(?=(?:_test)?\.ts\b)/g, "");
}

/**
 * The README's parts of the chosen kind, without their markers; the other kind's parts dropped. A part is
 * `<!-- card -->` … `<!-- /card -->` (or `offsite`): whole lines when each marker is on its own line, else
 * the text between the markers.
 */
function keepKindBlocks(text: string, kind: PluginKind): string {
  let kept = text;
  for (const other of KINDS) {
    const keep = (_: string, inner: string) => other === kind ? inner : "";
    kept = kept.replace(new RegExp(`^<!-- ${other} -->\\n([\\s\\S]*?)^<!-- /${other} -->\\n`, "gm"), keep)
      .replace(new RegExp(`<!-- ${other} -->([\\s\\S]*?)<!-- /${other} -->`, "g"), keep);
  }
  return kept;
}

/**
 * The template's imports of the plugin kits, from where the template lies (`../../plugins/kit/…`), as they
 * read from the new folder (`../kit/…`).
 */
function kitImportsFromPluginFolder(text: string): string {
  return text.replaceAll("../plugins/kit/", "kit/");
}

/** The scaffolded text of a template file: names, kind markers and the kits' import paths. */
export function scaffoldText(template: string, names: PluginNames, kind: PluginKind): string {
  return kitImportsFromPluginFolder(withoutKind(keepKindBlocks(substitute(template, names), kind)));
}

/** Whether the template's name appears in a spelling `substitute` does not know (a template bug). */
function hasUnknownSpelling(text: string): boolean {
  return /skeleton/i.test(text.replace(TEMPLATE_SPELLING, ""));
}

/** Why a name cannot be a plugin name, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return "The plugin name is empty";
  if (name.length > MAX_NAME_LENGTH) {
    return `The plugin name is longer than ${MAX_NAME_LENGTH} characters: ${name}`;
  }
  if (!NAME_PATTERN.test(name)) {
    return `The plugin name must be lower-case letters, digits and single hyphens, starting with a letter: ${name}`;
  }
  if (name === TEMPLATE_NAME) return `The plugin name is reserved for the template: ${name}`;
  return undefined;
}

/** A refusal the user can act on: the name is taken or clashes. */
export class ScaffoldRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScaffoldRefused";
  }
}

/**
 * Why the name clashes with what exists, or undefined. A name clashes with a folder or file of that name in
 * plugins/, and with a plugin (a folder in plugins/ or an entry of plugins.json) whose code names would be the
 * same (`acme-pay` and `acme_pay` both give `createAcmePayPlugin`), or whose factory has that name already.
 */
export async function clashProblem(name: string, root = ROOT): Promise<string | undefined> {
  const folder = join(root, "plugins", name);
  if (await exists(folder)) return `plugins/${name} already exists`;
  const names = pluginNames(name);
  const factory = `create${names.pascal}Plugin`;
  const existing = new Map<string, string>();
  for await (const entry of Deno.readDir(join(root, "plugins"))) {
    if (entry.isDirectory) existing.set(entry.name, `plugins/${entry.name}`);
  }
  const config = await readPluginsJson(root);
  for (const [id, entry] of Object.entries(config.plugins ?? {})) {
    existing.set(id, "plugins.json");
    if (entry?.factory === factory) {
      return `plugins.json already has a plugin whose factory is ${factory}: ${id}`;
    }
  }
  for (const [id, where] of existing) {
    if (pluginNames(id.toLowerCase()).pascal === names.pascal) {
      return `The name ${name} clashes with plugin ${id} (${where}): both would be ${names.pascal}`;
    }
  }
  return undefined;
}

async function readPluginsJson(root: string): Promise<{ plugins?: Record<string, { factory?: string }> }> {
  try {
    return JSON.parse(await Deno.readTextFile(join(root, "plugins.json")));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return {};
    throw new Error(`Cannot read plugins.json: ${error instanceof Error ? error.message : error}`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function templateFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) files.push(...await templateFiles(path));
    else if (entry.isFile) files.push(path);
  }
  return files.sort();
}

export interface Scaffolded {
  readonly names: PluginNames;
  readonly kind: PluginKind;
  /** The new folder, absolute. */
  readonly folder: string;
  /** The files written, relative to the folder. */
  readonly files: readonly string[];
}

/**
 * Writes plugins/<name>/ from the template and formats it. Nothing is left behind when it fails.
 * @throws {RangeError} for a name that cannot be a plugin name
 * @throws {ScaffoldRefused} when the folder exists or the name clashes
 */
export async function scaffoldPlugin(
  name: string,
  root = ROOT,
  kind: PluginKind = "card",
): Promise<Scaffolded> {
  const problem = nameProblem(name);
  if (problem !== undefined) throw new RangeError(problem);
  const clash = await clashProblem(name, root);
  if (clash !== undefined) throw new ScaffoldRefused(clash);
  const names = pluginNames(name);
  const folder = join(root, "plugins", name);
  // Not recursive: if the folder appeared since the check, this fails instead of writing into it.
  await Deno.mkdir(folder);
  try {
    const files: string[] = [];
    for (const source of await templateFiles(TEMPLATE_DIR)) {
      const templatePath = relative(TEMPLATE_DIR, source);
      const fileKind = kindOfFile(templatePath);
      if (fileKind !== undefined && fileKind !== kind) continue;
      const template = await Deno.readTextFile(source);
      if (hasUnknownSpelling(template)) {
        throw new Error(`Cannot scaffold: ${templatePath} spells the template's name in an unknown way`);
      }
      const path = withoutKind(templatePath);
      await Deno.mkdir(join(folder, dirname(path)), { recursive: true });
      await Deno.writeTextFile(join(folder, path), scaffoldText(template, names, kind), { createNew: true });
      files.push(path);
    }
    await format(folder, root);
    return { names, kind, folder, files: files.sort() };
  } catch (error) {
    await Deno.remove(folder, { recursive: true });
    throw error;
  }
}

/** Another name has another length, so lines may need wrapping again: `deno fmt` makes them pass fmt --check. */
async function format(folder: string, root: string): Promise<void> {
  const { success, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", folder],
    cwd: root,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`Cannot format ${folder}: ${new TextDecoder().decode(stderr).trim()}`);
}

/** What to do next, with the exact plugins.json and sandbox.json entries. */
export function nextSteps(scaffolded: Scaffolded): string {
  const { id, pascal, display } = scaffolded.names;
  const indent = (value: unknown) =>
    JSON.stringify(value, null, 2).split("\n").slice(1, -1).map((line) => `     ${line}`).join("\n");
  const plugin = indent({ [id]: { module: `./plugins/${id}/mod.ts`, factory: `create${pascal}Plugin` } });
  const emulator = indent({
    [id]: {
      module: `./plugins/${id}/emulator/mod.ts`,
      factory: `create${pascal}SandboxEmulator`,
      prefix: `/${id}`,
    },
  });
  const what = scaffolded.kind === "card"
    ? "a card plugin"
    : "an offsite plugin (payments on the PSP's hosted page)";
  const extension = scaffolded.kind === "card" ? "card" : "bank";
  return [
    `Created plugins/${id}/ (${scaffolded.files.length} files): ${what} for the template JSON API, with its`,
    "emulator (on plugins/kit/emulator), conformance target, tests and README. It passes the conformance kit as it is.",
    "",
    "Next steps:",
    "  1. Run the conformance kit (offline, no sandbox credentials):",
    `       npx deno task conformance plugins/${id}`,
    `  2. Replace the template API with ${display}'s: the TODO(${id}) markers, listed in plugins/${id}/README.md`,
    `     (grep -rn "TODO(${id})" plugins/${id}). Re-run the kit after each step; plugins/README.md is the guide.`,
    `  3. Register the plugin: add this entry to "plugins" in plugins.json ("extensions" stays as it is):`,
    plugin,
    `  4. Serve its emulator in the sandbox: add this entry to "emulators" in sandbox.json, and an account under`,
    `     "accounts" whose "emulator" is "${id}" (credentials fitting credentials.ts, baseUrl "{sandbox}/${id}/v1"):`,
    emulator,
    `  5. Bind it to a shop's ${extension} extension with test credentials (JSON fitting credentials.ts):`,
    `       npx deno task shops bind <shop> ${extension} ${id} --test test-credentials.json`,
    "  6. Test and check:",
    `       npx deno task test plugins/${id} test/architecture_test.ts`,
    "       npx deno task check",
  ].join("\n");
}

/** The command line: a name, and `--offsite` for an offsite plugin; undefined for anything else. */
export function parseArgs(args: readonly string[]): { name: string; kind: PluginKind } | undefined {
  const names = args.filter((arg) => arg !== "--offsite");
  if (names.length !== 1 || args.length - names.length > 1 || names[0].startsWith("--")) return undefined;
  return { name: names[0], kind: args.includes("--offsite") ? "offsite" : "card" };
}

async function main(args: readonly string[]): Promise<number> {
  if (args.length === 1 && (args[0] === "--help" || args[0] === "-h")) {
    console.log(USAGE);
    return 0;
  }
  const parsed = parseArgs(args);
  if (parsed === undefined) {
    console.error(USAGE);
    return 2;
  }
  try {
    const scaffolded = await scaffoldPlugin(parsed.name, ROOT, parsed.kind);
    console.log(nextSteps(scaffolded));
    return 0;
  } catch (error) {
    if (error instanceof RangeError) {
      console.error(`${error.message}\n${USAGE}`);
      return 2;
    }
    if (error instanceof ScaffoldRefused) {
      console.error(`Refused: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
