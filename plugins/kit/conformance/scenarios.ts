/**
 * The scenario catalogue: fixed, named, in the order the kit runs it. A scenario applies when the manifest
 * declares every capability it requires (and one of `requiresOneOf`), and the plugin pays the way it is
 * written for (`payments`: card data, or offsite); otherwise it is reported as skipped, saying why.
 * @module
 */
import { AMOUNT_SCENARIOS } from "./amount_scenarios.ts";
import { CAPABILITY_SCENARIOS } from "./capability_scenarios.ts";
import { FAULT_SCENARIOS } from "./fault_scenarios.ts";
import { FLOW_SCENARIOS } from "./flow_scenarios.ts";
import { MANIFEST_SCENARIOS } from "./manifest_scenarios.ts";
import { NOTIFICATION_SCENARIOS } from "./notification_scenarios.ts";
import { OFFSITE_SCENARIOS } from "./offsite_scenarios.ts";
import { REQUEST_SCENARIOS } from "./request_scenarios.ts";
import { RETURN_SCENARIOS } from "./return_scenarios.ts";
import type { PluginManifest } from "../../../src/plugin_api.ts";
import type { Scenario } from "./world.ts";

export type { Scenario } from "./world.ts";

export const SCENARIOS: readonly Scenario[] = [
  ...MANIFEST_SCENARIOS,
  ...FLOW_SCENARIOS,
  ...REQUEST_SCENARIOS,
  ...OFFSITE_SCENARIOS,
  ...RETURN_SCENARIOS,
  ...CAPABILITY_SCENARIOS,
  ...FAULT_SCENARIOS,
  ...AMOUNT_SCENARIOS,
  ...NOTIFICATION_SCENARIOS,
];

/** The catalogue's names, in order. */
export const SCENARIO_IDS: readonly string[] = SCENARIOS.map((scenario) => scenario.id);

/**
 * Why a scenario does not apply to a plugin, one phrase per missing piece (`manualCapture`,
 * `threeDSecure or redirect`, `card payments (redirect is declared)`); empty when it applies.
 */
export function notApplicable(manifest: PluginManifest, scenario: Scenario): string[] {
  const capabilities = manifest.capabilities;
  const missing: string[] = scenario.requires.filter((capability) => capabilities[capability] !== true);
  const oneOf = scenario.requiresOneOf ?? [];
  if (oneOf.length > 0 && !oneOf.some((capability) => capabilities[capability] === true)) {
    missing.push(oneOf.join(" or "));
  }
  if (scenario.payments === "card" && capabilities.redirect) {
    missing.push("card payments (redirect is declared)");
  }
  if (scenario.payments === "offsite" && !capabilities.redirect) missing.push("redirect");
  return [...new Set(missing)];
}
