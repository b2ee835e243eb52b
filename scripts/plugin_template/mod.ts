/**
 * The Skeleton Pay plugin. The gateway loads `createSkeletonPayPlugin` from here (plugins.json) into a worker
 * without permissions. The emulator has its own entry point, emulator/mod.ts, which this module never imports:
 * the worker loads only what the plugin needs.
 * @module
 */
export { createSkeletonPayPlugin } from "./plugin.ts";
export { SKELETON_PAY_MANIFEST } from "./manifest.card.ts";
export { liveCredentialsSchema, testCredentialsSchema } from "./credentials.ts";
export type { LiveCredentials, TestCredentials } from "./credentials.ts";
