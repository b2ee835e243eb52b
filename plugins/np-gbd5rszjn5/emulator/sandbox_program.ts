/**
 * The Np Gbd5rszjn5 emulator as a program of the sandbox (scripts/sandbox.ts, sandbox.json): the accounts of
 * sandbox.json whose emulator is `np-gbd5rszjn5`, notifications to the gateway's Np Gbd5rszjn5 route, and its
 * own state file.
 * @module
 */
import { accountCredentials, type EmulatorProgramOptions } from "../../kit/emulator/mod.ts";
import { createNpGbd5rszjn5Emulator, type NpGbd5rszjn5Emulator } from "./emulator.ts";

/** The gateway route Np Gbd5rszjn5 notifications go to, under the sandbox's `notifyUrl`. */
export const NOTIFICATION_PATH = "/v1/notifications/np-gbd5rszjn5";

/** sandbox.json's `factory` for the `np-gbd5rszjn5` emulator. */
export function createNpGbd5rszjn5SandboxEmulator(options: EmulatorProgramOptions): NpGbd5rszjn5Emulator {
  const notifyUrl = options.notifyUrl?.replace(/\/+$/, "");
  const accounts = accountCredentials("np-gbd5rszjn5", options.accounts, ["apiKey", "webhookSecret"]).map(
    (credentials) => ({
      apiKey: credentials.apiKey,
      webhookSecret: credentials.webhookSecret,
      webhookUrl: notifyUrl === undefined ? undefined : `${notifyUrl}${NOTIFICATION_PATH}`,
    }),
  );
  return createNpGbd5rszjn5Emulator({ publicUrl: options.publicUrl, accounts, statePath: options.statePath });
}
