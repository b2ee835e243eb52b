/**
 * The scenario catalogue: fixed, named, in the order the kit runs it. A scenario applies when the manifest
 * declares every capability it requires; otherwise it is reported as skipped, with those capabilities.
 * @module
 */
import { FAULT_SCENARIOS } from "./fault_scenarios.ts";
import { FLOW_SCENARIOS } from "./flow_scenarios.ts";
import { NOTIFICATION_SCENARIOS } from "./notification_scenarios.ts";
import type { Scenario } from "./world.ts";

export type { Scenario } from "./world.ts";

export const SCENARIOS: readonly Scenario[] = [
  ...FLOW_SCENARIOS,
  ...FAULT_SCENARIOS,
  ...NOTIFICATION_SCENARIOS,
];

/** The catalogue's names, in order. */
export const SCENARIO_IDS: readonly string[] = SCENARIOS.map((scenario) => scenario.id);
