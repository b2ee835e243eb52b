/**
 * The Skeleton Pay emulator as a program of the sandbox (scripts/sandbox.ts, sandbox.json): the accounts of
 * sandbox.json whose emulator is `skeleton-pay`, notifications to the gateway's Skeleton Pay route, and its
 * own state file.
 * @module
 */
import { accountCredentials, type EmulatorProgramOptions } from "../../../plugins/kit/emulator/mod.ts";
import { createSkeletonPayEmulator, type SkeletonPayEmulator } from "./emulator.ts";

/** The gateway route Skeleton Pay notifications go to, under the sandbox's `notifyUrl`. */
export const NOTIFICATION_PATH = "/v1/notifications/skeleton-pay";

/** sandbox.json's `factory` for the `skeleton-pay` emulator. */
export function createSkeletonPaySandboxEmulator(options: EmulatorProgramOptions): SkeletonPayEmulator {
  const notifyUrl = options.notifyUrl?.replace(/\/+$/, "");
  const accounts = accountCredentials("skeleton-pay", options.accounts, ["apiKey", "webhookSecret"]).map(
    (credentials) => ({
      apiKey: credentials.apiKey,
      webhookSecret: credentials.webhookSecret,
      webhookUrl: notifyUrl === undefined ? undefined : `${notifyUrl}${NOTIFICATION_PATH}`,
    }),
  );
  return createSkeletonPayEmulator({ publicUrl: options.publicUrl, accounts, statePath: options.statePath });
}
