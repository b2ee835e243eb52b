/**
 * The PayPal emulator as a program of the sandbox (scripts/sandbox.ts, sandbox.json): the apps of the
 * sandbox.json accounts whose emulator is `paypal`, webhooks to the gateway's PayPal route, and its own state
 * file.
 * @module
 */
import { accountCredentials, type EmulatorProgramOptions } from "../../kit/emulator/mod.ts";
import { createPayPalEmulator, type PayPalEmulator } from "./emulator.ts";

/** The gateway route PayPal webhooks go to, under the sandbox's `notifyUrl`. */
export const NOTIFICATION_PATH = "/v1/notifications/paypal";

/** sandbox.json's `factory` for the `paypal` emulator. */
export function createPayPalSandboxEmulator(options: EmulatorProgramOptions): PayPalEmulator {
  const notifyUrl = options.notifyUrl?.replace(/\/+$/, "");
  const apps = accountCredentials("paypal", options.accounts, ["clientId", "clientSecret", "webhookId"])
    .map((credentials) => ({
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      webhookId: credentials.webhookId,
      webhookUrl: notifyUrl === undefined ? undefined : `${notifyUrl}${NOTIFICATION_PATH}`,
    }));
  return createPayPalEmulator({ publicUrl: options.publicUrl, apps, statePath: options.statePath });
}
