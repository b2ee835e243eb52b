/**
 * `deno task shops …`: the admin CLI for shops, so a deployment can be set up before onboarding pages
 * exist. It uses the same configuration as the gateway (DATABASE_URL or the embedded store in DATA_DIR,
 * MASTER_KEY to seal secrets).
 *
 *   deno task shops list
 *   deno task shops add <shop> [--token <genstore access token>]
 *   deno task shops remove <shop>
 *   deno task shops set-token <shop> <genstore access token>
 *   deno task shops bind <shop> <extension> <plugin> [--live <credentials.json>] [--test <credentials.json>]
 *   deno task shops rotate-master-key        (MASTER_KEY="<new>,<old>": re-seals every secret under <new>)
 *
 * Credentials are JSON files (or `-` for standard input) validated against the plugin's credentials schema.
 * @module
 */
import { loadConfig } from "../adapters/config/config.ts";
import { option, runCli, UsageError } from "./_cli.ts";
import { createSecretBox } from "../adapters/crypto/secret_box.ts";
import { loadPlugins, openDatabase } from "../adapters/server/gateway.ts";
import type { WorkerPlugin } from "../adapters/plugins/worker_host.ts";
import { migrate } from "../adapters/store/migrate.ts";
import { createSqlShopStore, type ShopStore } from "../adapters/store/sql_shop_store.ts";

const USAGE = `usage:
  deno task shops list
  deno task shops add <shop> [--token <access token>]
  deno task shops remove <shop>
  deno task shops set-token <shop> <access token>
  deno task shops bind <shop> <extension> <plugin> [--live <file.json|->] [--test <file.json|->]
  deno task shops rotate-master-key   (with MASTER_KEY="<new>,<old>")`;

function handle(value: string | undefined): string {
  if (value === undefined || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(value)) {
    throw new UsageError("A shop handle is lower-case letters, digits and hyphens, e.g. demo");
  }
  return value;
}

async function readCredentials(
  source: string,
  plugin: WorkerPlugin,
  mode: "live" | "test",
): Promise<Record<string, unknown>> {
  const text = source === "-"
    ? await new Response(Deno.stdin.readable).text()
    : await Deno.readTextFile(source);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`The credentials in ${source} are not JSON`);
  }
  // The plugin's own schema decides; its issues name the fields, never the values (they are secrets).
  const checked = await plugin.validateCredentials(mode, json);
  if (!checked.ok) {
    throw new UsageError(
      `The credentials in ${source} do not fit plugin ${plugin.manifest.id}: ${checked.issues.join("; ")}`,
    );
  }
  return { ...checked.credentials };
}

/** Binds an extension; a mode not given keeps its current credentials (when the plugin stays the same). */
async function bindExtension(
  shops: ShopStore,
  request: { shop: string; extension: string; plugin: WorkerPlugin; liveFile?: string; testFile?: string },
): Promise<void> {
  const { shop, extension, plugin, liveFile, testFile } = request;
  if (liveFile === undefined && testFile === undefined) {
    throw new UsageError("bind needs --live and/or --test");
  }
  if ((await shops.list()).every((s) => s.shop !== shop)) {
    throw new UsageError(`No shop ${shop}; add it first`);
  }
  const current = await shops.findBinding(shop, extension);
  const kept = current?.plugin === plugin.manifest.id ? current : undefined;
  await shops.bind({
    shop,
    extension,
    plugin: plugin.manifest.id,
    live: liveFile === undefined ? kept?.live : await readCredentials(liveFile, plugin, "live"),
    test: testFile === undefined ? kept?.test : await readCredentials(testFile, plugin, "test"),
  });
}

async function main(args: string[]): Promise<void> {
  const command = args.shift();
  if (command === undefined || command === "help" || command === "--help") {
    console.log(USAGE);
    return;
  }
  const config = await loadConfig();
  const db = await openDatabase(config);
  try {
    await migrate(db);
    const shops = createSqlShopStore(db, createSecretBox(config.masterKey));
    switch (command) {
      case "list": {
        const all = await shops.list();
        if (all.length === 0) console.log("No shops.");
        for (const shop of all) {
          console.log(`${shop.shop}  access token: ${shop.hasAccessToken ? "set" : "missing"}`);
          for (const b of shop.bindings) {
            const modes = [b.live ? "live" : "", b.test ? "test" : ""].filter(Boolean).join("+") || "none";
            console.log(`  ${b.extension} → ${b.plugin} (${modes})`);
          }
        }
        return;
      }
      case "add": {
        const token = option(args, "--token");
        const shop = handle(args[0]);
        await shops.upsertShop(shop);
        if (token !== undefined) await shops.setAccessToken(shop, token);
        console.log(`Shop ${shop} added.`);
        return;
      }
      case "remove": {
        const shop = handle(args[0]);
        console.log((await shops.removeShop(shop)) ? `Shop ${shop} removed.` : `No shop ${shop}.`);
        return;
      }
      case "set-token": {
        const shop = handle(args[0]);
        if (args[1] === undefined) throw new UsageError("set-token needs the access token");
        if ((await shops.list()).every((s) => s.shop !== shop)) {
          throw new UsageError(`No shop ${shop}; add it first`);
        }
        await shops.setAccessToken(shop, args[1]);
        console.log(`Access token of ${shop} set.`);
        return;
      }
      case "bind": {
        const liveFile = option(args, "--live");
        const testFile = option(args, "--test");
        const [rawShop, extension, plugin] = args;
        const shop = handle(rawShop);
        if (extension === undefined || !/^[a-z0-9][a-z0-9_-]{0,31}$/.test(extension)) {
          throw new UsageError("bind needs an extension name such as card");
        }
        const plugins = await loadPlugins();
        const loaded = plugin === undefined ? undefined : plugins.get(plugin);
        try {
          if (loaded === undefined) {
            throw new UsageError(`bind needs a plugin: ${[...plugins.keys()].join(", ")}`);
          }
          await bindExtension(shops, { shop, extension, plugin: loaded, liveFile, testFile });
        } finally {
          for (const worker of plugins.values()) worker.terminate();
        }
        console.log(`Extension ${extension} of ${shop} bound to ${plugin}.`);
        return;
      }
      case "rotate-master-key": {
        // MASTER_KEY lists the new key first and the old one after it; everything is re-sealed under the new.
        const count = await shops.resealAll();
        console.log(
          `${count} secret(s) re-sealed under the first MASTER_KEY; the older keys can now be removed.`,
        );
        return;
      }
      default:
        throw new UsageError(`Unknown command ${command}`);
    }
  } finally {
    await db.close();
  }
}

await runCli(USAGE, main);
