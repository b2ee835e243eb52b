/**
 * The conformance kit: one command tells a PSP team whether its plugin honours the plugin port, offline,
 * against the plugin's own emulator. `plugins/<psp>/conformance.ts` imports the target's type from here:
 *
 * ```ts
 * import type { ConformanceTarget } from "../kit/conformance/mod.ts";
 * export const CONFORMANCE_TARGET: ConformanceTarget = { ... };
 * ```
 *
 * Only conformance targets and tests import this kit; it imports only `src/plugin_api.ts` and its own files.
 * @module
 */
export type {
  BuyerDecision,
  BuyerDriver,
  CardTarget,
  ConformanceCards,
  ConformanceEmulator,
  ConformanceOffsite,
  ConformanceTarget,
  EmulatedCharges,
  ForgeKind,
  NotificationSubject,
  OffsiteTarget,
  TargetBasics,
} from "./target.ts";
export { targetProblems } from "./target.ts";
export { driveBuyerPage } from "./buyer.ts";
/** A PspHttp to loopback emulators, for plugin tests that call the plugin against its emulator. */
export { createLoopbackHttp, isLoopback } from "./transport.ts";
export { loadTarget, missingCapabilities, runConformance, runScenario } from "./kit.ts";
export { formatReport } from "./report.ts";
export type { RunOptions } from "./kit.ts";
export type { ConformanceReport, ScenarioResult, ScenarioStatus } from "./report.ts";
export { notApplicable, SCENARIO_IDS, SCENARIOS } from "./scenarios.ts";
export type { Scenario } from "./scenarios.ts";
export { LEGAL_OUTCOMES, outcomeProblem } from "./checks.ts";
export type { OutcomeCall } from "./checks.ts";
