/**
 * What the plugin's tests share: the emulator on loopback (emulator/harness.ts) and a call context whose
 * transport reaches it, as the gateway's would, with a fresh idempotency key per call unless a test reuses one.
 */
import type { PspCallContext } from "../../src/plugin_api.ts";
import { createLoopbackHttp } from "../kit/conformance/mod.ts";
import { type Harness, startNpGbd5rszjn5Harness } from "./emulator/mod.ts";

export function context(
  harness: Harness,
  options: { readonly key?: string; readonly credentials?: Readonly<Record<string, unknown>> } = {},
): PspCallContext {
  return {
    idempotencyKey: options.key ?? `test-${crypto.randomUUID()}`,
    deadline: Date.now() + 5_000,
    credentials: options.credentials ?? harness.credentials,
    test: true,
    http: createLoopbackHttp(() => {}),
  };
}

/** Runs `test` against a fresh emulator, closed afterwards whatever happens. */
export async function withHarness(test: (harness: Harness) => Promise<void>): Promise<void> {
  const harness = startNpGbd5rszjn5Harness();
  try {
    await test(harness);
  } finally {
    await harness.close();
  }
}

export function reference(): string {
  return `shop.${crypto.randomUUID().slice(0, 12)}`;
}
