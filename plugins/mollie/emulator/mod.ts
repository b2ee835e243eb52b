/**
 * The Mollie emulator, a program of the bundled sandbox (sandbox.json names `createMollieProgram`). The plugin
 * never imports it.
 * @module
 */
import {
  accountCredentials,
  type EmulatorProgram,
  type EmulatorProgramOptions,
  openState,
} from "../../kit/emulator/mod.ts";
import { createMollieEmulator } from "./emulator.ts";

export { createMollieEmulator } from "./emulator.ts";
export type { MollieAccount, MollieEmulator, MollieEmulatorOptions } from "./emulator.ts";
export type { StoredPayment, StoredRefund } from "./records.ts";
export type { WebhookMeta } from "./lifecycle.ts";

/**
 * The sandbox's Mollie: one account per `bank` account of sandbox.json (its `apiKey`, a test key), state in
 * the sandbox's data directory when it gives a path. Webhooks go to each payment's webhookUrl, as Mollie sends
 * them, so the sandbox's `notifyUrl` is not needed.
 */
export function createMollieProgram(options: EmulatorProgramOptions): EmulatorProgram {
  const accounts = accountCredentials("mollie", options.accounts, ["apiKey"]).map((credentials) => ({
    apiKey: credentials.apiKey,
  }));
  return createMollieEmulator({
    publicUrl: options.publicUrl,
    accounts,
    state: openState(options.statePath),
  });
}
