/**
 * The Mollie emulator, a program of the bundled sandbox (sandbox.json names `createMollieProgram`); tests and
 * the conformance target use the richer `createMollieEmulator`. The plugin never imports it.
 * @module
 */
export { createMollieEmulator } from "./emulator.ts";
export type { MollieAccount, MollieEmulator, MollieEmulatorOptions } from "./emulator.ts";
export { createMollieProgram } from "./sandbox_program.ts";
export type { StoredPayment, StoredRefund } from "./records.ts";
export type { WebhookMeta } from "./lifecycle.ts";
