/**
 * Serves the emulator on 127.0.0.1 for dev mode, with one test account whose notifications go to the
 * gateway:
 *
 * ```sh
 * deno run --allow-net plugins/skeleton-pay/emulator/serve.ts [--port 8790] [--gateway http://127.0.0.1:8080]
 * ```
 *
 * It prints the test credentials to bind a shop with (`deno task shops bind <shop> card skeleton-pay --test -`).
 * Dev mode lets test calls reach 127.0.0.1 (`PSP_EXTRA_TEST_HOSTS`).
 * @module
 */
import { createSkeletonPayEmulator } from "./mod.ts";

const DEV_ACCOUNT = { apiKey: "test_dev_key_0001", webhookSecret: "whsec_dev_secret_0001" } as const;

function option(args: readonly string[], name: string, fallback: string): string {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1] : fallback;
}

if (import.meta.main) {
  const port = Number(option(Deno.args, "--port", "8790"));
  const gateway = option(Deno.args, "--gateway", "http://127.0.0.1:8080").replace(/\/+$/, "");
  const emulator = createSkeletonPayEmulator({
    accounts: [{ ...DEV_ACCOUNT, webhookUrl: `${gateway}/v1/notifications/skeleton-pay` }],
  });
  Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, emulator.fetch);
  const credentials = { ...DEV_ACCOUNT, baseUrl: `http://127.0.0.1:${port}/v1` };
  console.log(`Skeleton Pay emulator on http://127.0.0.1:${port}/v1, notifying ${gateway}`);
  console.log(`Test credentials: ${JSON.stringify(credentials)}`);
}
