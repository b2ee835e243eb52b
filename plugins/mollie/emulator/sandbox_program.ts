/**
 * The factory sandbox.json names for the Mollie emulator.
 * @module
 */
import {
  accountCredentials,
  type EmulatorProgram,
  type EmulatorProgramOptions,
  openState,
} from "../../kit/emulator/mod.ts";
import { createMollieEmulator } from "./emulator.ts";

/**
 * The sandbox's Mollie: one account per sandbox.json account of this emulator (its `apiKey`, a test key),
 * state in the sandbox's data directory when it gives a path. Webhooks go to each payment's webhookUrl, as
 * Mollie sends them, so the sandbox's `notifyUrl` is not needed.
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
