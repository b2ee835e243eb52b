/**
 * Dev mode's shop `demo`: access token `dev-token`, and every extension this deployment serves bound in test
 * mode to its account in the bundled sandbox, as sandbox.json names it. Re-applied at every start, so the
 * credentials follow the sandbox's URL.
 * @module
 */
import type { Logger } from "../../src/mod.ts";
import type { WorkerPlugin } from "../plugins/worker_host.ts";
import type { ShopStore } from "../store/sql_shop_store.ts";
import type { SandboxAccount } from "./sandbox.ts";

/** The demo shop's handle and its public dev access token. */
export const DEMO = { shop: "demo", accessToken: "dev-token" } as const;

export async function seedDemoShop(options: {
  readonly shops: ShopStore;
  readonly accounts: ReadonlyMap<string, SandboxAccount>;
  /** Extension → plugin, from plugins.json. */
  readonly extensions: ReadonlyMap<string, string>;
  readonly plugins: ReadonlyMap<string, WorkerPlugin>;
  readonly logger: Logger;
}): Promise<void> {
  const { shops } = options;
  await shops.upsertShop(DEMO.shop);
  await shops.setAccessToken(DEMO.shop, DEMO.accessToken);
  for (const [extension, pluginId] of options.extensions) {
    const account = options.accounts.get(extension);
    const plugin = options.plugins.get(pluginId);
    if (account === undefined || plugin === undefined) continue;
    const checked = await plugin.validateCredentials("test", account.credentials);
    if (!checked.ok) {
      options.logger.warn("dev.seed_skipped", {
        extension,
        plugin: pluginId,
        issues: checked.issues.join("; "),
      });
      continue;
    }
    await shops.bind({ shop: DEMO.shop, extension, plugin: pluginId, test: checked.credentials });
  }
}
