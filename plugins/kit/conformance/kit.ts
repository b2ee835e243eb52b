/**
 * The offline conformance kit: runs the scenario catalogue against a plugin and its emulator over real HTTP
 * on loopback, through a PspHttp that enforces the manifest's test hosts and injects faults, and reports each
 * scenario as passed, failed or skipped, with its time.
 *
 * Besides its own checks, every scenario fails when a plugin call throws, when the plugin reaches a host the
 * manifest does not declare for test mode, or when a card number shows up in anything the plugin returned,
 * in the transport's log or on the console during the scenario.
 * @module
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { PspPlugin } from "../../../src/plugin_api.ts";
import { ScenarioFailure } from "./checks.ts";
import type { ConformanceReport, ScenarioResult, ScenarioStatus } from "./report.ts";
import { createKitHttp } from "./faults.ts";
import { notApplicable, SCENARIOS } from "./scenarios.ts";
import { type ConformanceTarget, targetProblems } from "./target.ts";
import { createLoopbackHttp, isLoopback } from "./transport.ts";
import { createWorld, type Scenario, type World } from "./world.ts";

export interface RunOptions {
  /** Run only these scenarios (by id). */
  readonly only?: readonly string[];
  /** How long one scenario may take before it fails (default 15 s). */
  readonly timeoutMs?: number;
}

const CONSOLE_METHODS = ["log", "info", "warn", "error", "debug"] as const;

/** What a scenario needs that the plugin's manifest does not declare; empty when the scenario applies. */
export function missingCapabilities(plugin: PspPlugin, scenario: Scenario): string[] {
  return notApplicable(plugin.manifest, scenario);
}

/** Runs one scenario against a fresh plugin and emulator. Never throws. */
export async function runScenario(
  target: ConformanceTarget,
  scenario: Scenario,
  options: RunOptions = {},
): Promise<ScenarioResult> {
  const started = performance.now();
  const result = (status: ScenarioStatus, extra: Partial<ScenarioResult> = {}): ScenarioResult => ({
    id: scenario.id,
    title: scenario.title,
    status,
    skippedBy: [],
    notes: [],
    ms: Math.round(performance.now() - started),
    ...extra,
  });
  let plugin: PspPlugin;
  try {
    plugin = target.createPlugin();
  } catch (error) {
    return result("failed", { detail: `createPlugin() threw: ${errorText(error)}` });
  }
  const skippedBy = missingCapabilities(plugin, scenario);
  if (skippedBy.length > 0) return result("skipped", { skippedBy });

  let emulator;
  try {
    emulator = await target.startEmulator();
  } catch (error) {
    return result("failed", { detail: `the emulator did not start: ${errorText(error)}` });
  }
  const masks = cardNumbers(target);
  const logLines: string[] = [];
  const consoleLines: string[] = [];
  const restoreConsole = captureConsole(consoleLines);
  let world: World | undefined;
  try {
    if (!isLoopback(emulator.baseUrl)) {
      throw new ScenarioFailure(`the emulator must listen on loopback http, not ${emulator.baseUrl}`);
    }
    const inner = createLoopbackHttp((line) => logLines.push(line));
    const http = createKitHttp(inner, {
      testHosts: plugin.manifest.hosts.test,
      emulatorHost: new URL(emulator.baseUrl).host,
      keylessOperations: target.keylessOperations ?? [],
    });
    world = createWorld({ target, plugin, emulator, http, logLines });
    await withTimeout(scenario.run(world), options.timeoutMs ?? 15_000);
    invariants(world, consoleLines, masks);
    return result("passed", { notes: world.notes });
  } catch (error) {
    const detail = mask(
      error instanceof ScenarioFailure
        ? error.message
        : `unexpected error (an answer the kit cannot read?): ${errorText(error)}`,
      masks,
    );
    return result("failed", { detail, notes: world?.notes ?? [] });
  } finally {
    restoreConsole();
    await Promise.resolve().then(() => emulator.close()).catch(() => {});
  }
}

/** Runs the catalogue (or the scenarios named in `only`), one after another. */
export async function runConformance(
  target: ConformanceTarget,
  options: RunOptions = {},
): Promise<ConformanceReport> {
  const started = performance.now();
  const scenarios = options.only === undefined
    ? SCENARIOS
    : SCENARIOS.filter((scenario) => options.only?.includes(scenario.id));
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) results.push(await runScenario(target, scenario, options));
  const count = (status: ScenarioStatus) => results.filter((r) => r.status === status).length;
  return {
    plugin: target.createPlugin().manifest.id,
    results,
    passed: count("passed"),
    failed: count("failed"),
    skipped: count("skipped"),
    ms: Math.round(performance.now() - started),
  };
}

/**
 * Loads `CONFORMANCE_TARGET` from `<folder>/conformance.ts`, checking its shape against the plugin's manifest
 * (card or offsite).
 */
export async function loadTarget(folder: string): Promise<ConformanceTarget> {
  const path = resolve(folder, "conformance.ts");
  try {
    await Deno.stat(path);
  } catch {
    throw new Error(`Cannot find ${path}: a plugin folder exports CONFORMANCE_TARGET from conformance.ts`);
  }
  const module = await import(pathToFileURL(path).href);
  let redirect: boolean | undefined;
  try {
    redirect = module.CONFORMANCE_TARGET?.createPlugin?.().manifest.capabilities.redirect;
  } catch {
    redirect = undefined;
  }
  const problems = targetProblems(module.CONFORMANCE_TARGET, redirect);
  if (problems.length > 0) {
    throw new Error(`Cannot use the conformance target of ${folder}: ${problems.join("; ")}`);
  }
  return module.CONFORMANCE_TARGET as ConformanceTarget;
}

/** The checks every scenario makes besides its own. */
function invariants(world: World, consoleLines: readonly string[], masks: readonly string[]): void {
  const outside = world.http.exchanges.filter((e) => !e.hostAllowed);
  if (outside.length > 0) {
    const where = outside.map((e) => `${e.call}() → ${safeHost(e.request.url)}`).join(", ");
    throw new ScenarioFailure(`requests left the manifest's test hosts and the emulator: ${where}`);
  }
  const elsewhere = world.http.exchanges.filter((e) => e.hostAllowed && !e.toEmulator);
  if (elsewhere.length > 0) {
    const where = elsewhere.map((e) => `${e.call}() → ${safeHost(e.request.url)}`).join(", ");
    throw new ScenarioFailure(
      `requests went to the PSP's own test hosts, not the emulator (${where}): the emulator's credentials must ` +
        "point the plugin at the emulator",
    );
  }
  const leaks: string[] = [];
  for (const { call, value } of world.returned) {
    if (containsAny(JSON.stringify(value) ?? "", masks)) leaks.push(`what ${call}() returned`);
  }
  if (containsAny(world.logLines.join("\n"), masks)) leaks.push("the transport's log");
  if (containsAny(consoleLines.join("\n"), masks)) leaks.push("the console output");
  if (leaks.length > 0) {
    throw new ScenarioFailure(`a card number appeared in ${[...new Set(leaks)].join(", ")}`);
  }
}

/** The target's card numbers, as digits and in groups of four with spaces or dashes. */
function cardNumbers(target: ConformanceTarget): string[] {
  if (target.cards === undefined) return [];
  const { approved, declined, challenge } = target.cards;
  const numbers = [approved, declined.card, challenge].flatMap((card) =>
    card === undefined ? [] : [card.number.replace(/\D/g, "")]
  );
  return numbers.flatMap((digits) => {
    const groups = digits.match(/.{1,4}/g) ?? [];
    return [digits, groups.join(" "), groups.join("-")];
  });
}

function containsAny(text: string, needles: readonly string[]): boolean {
  return needles.some((needle) => needle !== "" && text.includes(needle));
}

function mask(text: string, masks: readonly string[]): string {
  return masks.reduce((masked, number) => masked.replaceAll(number, "[card number]"), text);
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(not a URL)";
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Records console output (the plugin has no other logger) until the returned function restores it. */
function captureConsole(lines: string[]): () => void {
  const saved = CONSOLE_METHODS.map((method) => [method, console[method]] as const);
  for (const method of CONSOLE_METHODS) {
    console[method] = (...args: unknown[]) => {
      lines.push(args.map((arg) => typeof arg === "string" ? arg : Deno.inspect(arg)).join(" "));
    };
  }
  return () => {
    for (const [method, original] of saved) console[method] = original;
  };
}

async function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ScenarioFailure(`the scenario did not finish within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
