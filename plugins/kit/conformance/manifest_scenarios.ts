/**
 * The manifest and the credentials: what the core reads before it calls the plugin at all, and whether the
 * target fits the manifest.
 * @module
 */
import { isHostPattern, PLUGIN_API_VERSION } from "../../../src/plugin_api.ts";
import type { PluginCapabilities } from "../../../src/plugin_api.ts";
import { check, describe, SNAKE_CASE } from "./checks.ts";
import { targetProblems } from "./target.ts";
import type { Scenario } from "./world.ts";

/** Every capability of the port, so that a new one cannot be forgotten here. */
export const CAPABILITY_NAMES: { readonly [C in keyof PluginCapabilities]: true } = {
  manualCapture: true,
  multiplePartialCaptures: true,
  partialRefunds: true,
  void: true,
  threeDSecure: true,
  redirect: true,
  query: true,
  notifications: true,
  cardOnFile: true,
};

export const MANIFEST_SCENARIOS: readonly Scenario[] = [
  {
    id: "manifest_is_valid",
    title:
      "the manifest states the port version, every capability and valid host patterns; the target and the test credentials fit",
    requires: [],
    run(world) {
      const { manifest, credentials } = world.plugin;
      check(
        manifest.pluginApi === PLUGIN_API_VERSION,
        `pluginApi is ${manifest.pluginApi}, the port is ${PLUGIN_API_VERSION}`,
      );
      check(
        /^[a-z0-9][a-z0-9_-]{0,31}$/.test(manifest.id),
        `manifest id ${describe(manifest.id)} is not an id plugins.json accepts`,
      );
      for (const name of Object.keys(CAPABILITY_NAMES) as (keyof PluginCapabilities)[]) {
        check(typeof manifest.capabilities[name] === "boolean", `capability ${name} is not a boolean`);
      }
      check(manifest.hosts.test.length > 0, "the manifest declares no test hosts");
      for (const host of [...manifest.hosts.test, ...manifest.hosts.live]) {
        check(
          isHostPattern(host),
          `host pattern ${describe(host)} is not a host name (with optional * wildcards and :port)`,
        );
      }
      check(
        credentials.test.safeParse(world.emulator.credentials).success,
        "the plugin's test credential schema refuses the emulator's credentials",
      );
      check(
        credentials.test.safeParse(world.emulator.badCredentials).success,
        "the target's bad credentials do not even fit the schema: they must fit it and be refused by the PSP",
      );
      const problems = targetProblems(world.target, manifest.capabilities.redirect);
      check(
        problems.length === 0,
        `the conformance target does not fit the manifest: ${problems.join("; ")}`,
      );
      const codes = world.capabilities.redirect
        ? [
          world.offsite.fail.code,
          ...(world.offsite.cancel.kind === "failed" ? [world.offsite.cancel.code] : []),
        ]
        : [world.cards.declined.code];
      for (const code of codes) {
        check(SNAKE_CASE.test(code), `the target's code ${describe(code)} is not snake_case`);
      }
      check(
        manifest.capabilities.redirect || !manifest.capabilities.threeDSecure ||
          world.cards.challenge !== undefined,
        "the manifest declares threeDSecure but the target has no challenge card",
      );
      check(
        world.capabilities.redirect || manifest.paymentMethods.includes("card"),
        "a plugin that does not pay offsite (redirect) must list the card payment method",
      );
      check(
        !world.capabilities.redirect || world.target.offsite?.abandon.kind !== "expires" ||
          typeof world.emulator.expire === "function",
        "offsite.abandon says the PSP expires payments, but the emulator has no expire()",
      );
      return Promise.resolve();
    },
  },
  {
    id: "verify_credentials_accepts_good",
    title: "verifyCredentials() answers ok for the emulator's test credentials",
    requires: [],
    async run(world) {
      const result = await world.verifyCredentials();
      check(result.ok === true, `verifyCredentials() refused good credentials: ${describe(result)}`);
    },
  },
  {
    id: "verify_credentials_rejects_bad",
    title: "verifyCredentials() answers not ok, with a reason, for credentials the PSP refuses",
    requires: [],
    async run(world) {
      const result = await world.verifyCredentials({ credentials: world.emulator.badCredentials });
      check(result.ok === false, "verifyCredentials() accepted credentials the PSP refuses");
      check(typeof result.reason === "string" && result.reason !== "", "the refusal gives no reason");
    },
  },
];
