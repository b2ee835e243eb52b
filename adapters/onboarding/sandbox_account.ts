/**
 * Dev mode: the bundled sandbox's account for an extension, which the test-mode form is prefilled with (the
 * sandbox's emulators refuse any other key). Read from `sandbox.json` (`accounts.{extension}.credentials`, with
 * `{sandbox}` already replaced by the running sandbox's URL), the same accounts the demo shop is bound to.
 * These are public test fixtures of the bundled emulators, never a real PSP's keys; live mode is never prefilled.
 * @module
 */
import type { SandboxAccount } from "./deps.ts";

export function sandboxAccountReader(
  accounts: ReadonlyMap<string, { readonly credentials: Readonly<Record<string, string>> }>,
): SandboxAccount {
  return (extension) => accounts.get(extension)?.credentials;
}
