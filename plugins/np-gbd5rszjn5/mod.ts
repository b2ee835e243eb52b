/**
 * The Np Gbd5rszjn5 plugin. The gateway loads `createNpGbd5rszjn5Plugin` from here (plugins.json) into a worker
 * without permissions. The emulator has its own entry point, emulator/mod.ts, which this module never imports:
 * the worker loads only what the plugin needs.
 * @module
 */
export { createNpGbd5rszjn5Plugin } from "./plugin.ts";
export { NP_GBD5RSZJN5_MANIFEST } from "./manifest.ts";
export { liveCredentialsSchema, testCredentialsSchema } from "./credentials.ts";
export type { LiveCredentials, TestCredentials } from "./credentials.ts";
