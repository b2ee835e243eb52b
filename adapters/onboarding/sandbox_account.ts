/**
 * Dev mode: the bundled sandbox's account for an extension, which the test-mode form is prefilled with (the
 * sandbox's emulators refuse any other key). For now the demo shop's seeded Adyen account.
 *
 * TODO(lead): read `sandbox.json` (`accounts.{extension}.credentials`, `{sandbox}` replaced by the sandbox's
 * base URL) here once the sandbox program replaces the in-process emulator.
 * @module
 */
import { DEMO, DEV_EMULATOR_ORIGIN } from "../server/seed.ts";
import type { SandboxAccount } from "./deps.ts";

export function seededSandboxAccount(extension: string): ReturnType<SandboxAccount> {
  if (extension !== "card") return undefined;
  return {
    apiKey: DEMO.apiKey,
    merchantAccount: DEMO.merchantAccount,
    hmacKeyHex: DEMO.hmacKeyHex,
    baseUrl: `${DEV_EMULATOR_ORIGIN}/_emulator/adyen/v71`,
  };
}
