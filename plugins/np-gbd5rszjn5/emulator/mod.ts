/**
 * The Np Gbd5rszjn5 emulator, for the plugin's tests, the conformance kit and the sandbox. Never imported by
 * the plugin: the gateway reaches it over HTTP like the real PSP.
 * @module
 */
export { createNpGbd5rszjn5Emulator } from "./emulator.ts";
export type { EmulatedPayment, NpGbd5rszjn5Emulator, NpGbd5rszjn5EmulatorOptions } from "./emulator.ts";
export type { NpGbd5rszjn5EmulatorAccount } from "./accounts.ts";
export { createNpGbd5rszjn5SandboxEmulator } from "./sandbox_program.ts";
export { signBody } from "./notifications.ts";
export { rewriteAmount, startNpGbd5rszjn5Harness } from "./harness.ts";
export type { Harness } from "./harness.ts";
