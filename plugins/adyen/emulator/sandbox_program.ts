/**
 * The Adyen emulator as a program of the sandbox (scripts/sandbox.ts, sandbox.json): the accounts of
 * sandbox.json whose emulator is `adyen`, notifications to the gateway's Adyen route, and its own state file.
 * @module
 */
import { accountCredentials, type EmulatorProgramOptions } from "../../kit/emulator/mod.ts";
import { type AdyenEmulator, createAdyenEmulator } from "./emulator.ts";

/** The gateway route Adyen notifications go to, under the sandbox's `notifyUrl`. */
export const NOTIFICATION_PATH = "/v1/notifications/adyen";

/** sandbox.json's `factory` for the `adyen` emulator. */
export function createAdyenSandboxEmulator(options: EmulatorProgramOptions): AdyenEmulator {
  const notifyUrl = options.notifyUrl?.replace(/\/+$/, "");
  const accounts = accountCredentials("adyen", options.accounts, ["apiKey", "merchantAccount", "hmacKeyHex"])
    .map((credentials) => ({
      apiKey: credentials.apiKey,
      merchantAccount: credentials.merchantAccount,
      hmacKeyHex: credentials.hmacKeyHex,
      webhookUrl: notifyUrl === undefined ? undefined : `${notifyUrl}${NOTIFICATION_PATH}`,
    }));
  return createAdyenEmulator({ publicUrl: options.publicUrl, accounts, statePath: options.statePath });
}
