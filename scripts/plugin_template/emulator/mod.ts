/**
 * The Skeleton Pay emulator, for the plugin's tests, the conformance kit and the sandbox. Never imported by
 * the plugin: the gateway reaches it over HTTP like the real PSP.
 * @module
 */
export { createSkeletonPayEmulator } from "./emulator.ts";
export type { EmulatedPayment, SkeletonPayEmulator, SkeletonPayEmulatorOptions } from "./emulator.ts";
export type { SkeletonPayEmulatorAccount } from "./accounts.ts";
export { createSkeletonPaySandboxEmulator } from "./sandbox_program.ts";
export { signBody } from "./notifications.ts";
export { rewriteAmount, startSkeletonPayHarness } from "./harness.ts";
export type { Harness } from "./harness.ts";
