/**
 * `deno task shops …`: the admin CLI for shops and their PSP bindings, the alternative to the onboarding pages.
 * It uses the same configuration as the gateway (DATABASE_URL or the embedded store in DATA_DIR, MASTER_KEY to
 * seal secrets); while a gateway runs on the embedded store, it acts through that gateway's admin routes.
 *
 *   deno task shops list
 *   deno task shops add <shop> [--token <genstore access token>]
 *   deno task shops remove <shop>
 *   deno task shops set-token <shop> <genstore access token>
 *   deno task shops bind <shop> <extension> <plugin> [--live <credentials.json>] [--test <credentials.json>] [--verify]
 *   deno task shops rotate-master-key        (MASTER_KEY="<new>,<old>": re-seals every secret under <new>)
 *
 * Credentials are JSON files (or `-` for standard input) validated against the plugin's credentials schema;
 * `--verify` also asks the PSP whether they work before storing them.
 * @module
 */
import { SHOP_HANDLE } from "../adapters/operations/operations.ts";
import { flag, option, runCli, UsageError } from "./_cli.ts";
import { openOperations } from "./_operations.ts";

const USAGE = `usage:
  deno task shops list
  deno task shops add <shop> [--token <access token>]
  deno task shops remove <shop>
  deno task shops set-token <shop> <access token>
  deno task shops bind <shop> <extension> <plugin> [--live <file.json|->] [--test <file.json|->] [--verify]
  deno task shops rotate-master-key   (with MASTER_KEY="<new>,<old>")`;

function handle(value: string | undefined): string {
  if (value === undefined || !SHOP_HANDLE.test(value)) {
    throw new UsageError("A shop handle is lower-case letters, digits and hyphens, e.g. demo");
  }
  return value;
}

async function readJson(source: string | undefined): Promise<unknown> {
  if (source === undefined) return undefined;
  const text = source === "-"
    ? await new Response(Deno.stdin.readable).text()
    : await Deno.readTextFile(source);
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`The credentials in ${source} are not JSON`);
  }
}

async function main(args: string[]): Promise<void> {
  const command = args.shift();
  if (command === undefined || command === "help" || command === "--help") {
    console.log(USAGE);
    return;
  }
  const opened = await openOperations("deno task shops", Deno.env.get("USER") ?? "operator");
  const ops = opened.operations;
  try {
    switch (command) {
      case "list": {
        const all = await ops.shops();
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
        await ops.addShop({ shop, token });
        console.log(`Shop ${shop} added.`);
        return;
      }
      case "remove": {
        const shop = handle(args[0]);
        console.log((await ops.removeShop(shop)) ? `Shop ${shop} removed.` : `No shop ${shop}.`);
        return;
      }
      case "set-token": {
        const shop = handle(args[0]);
        if (args[1] === undefined) throw new UsageError("set-token needs the access token");
        if (!await ops.setAccessToken({ shop, token: args[1] })) {
          throw new UsageError(`No shop ${shop}; add it first`);
        }
        console.log(`Access token of ${shop} set.`);
        return;
      }
      case "bind":
        return await bind(opened.operations, args);
      case "rotate-master-key": {
        // MASTER_KEY lists the new key first and the old one after it; everything is re-sealed under the new.
        const count = await ops.resealSecrets();
        console.log(
          `${count} secret(s) re-sealed under the first MASTER_KEY; the older keys can now be removed.`,
        );
        return;
      }
      default:
        throw new UsageError(`Unknown command ${command}`);
    }
  } finally {
    await opened.close();
  }
}

async function bind(
  ops: Awaited<ReturnType<typeof openOperations>>["operations"],
  args: string[],
): Promise<void> {
  const liveFile = option(args, "--live");
  const testFile = option(args, "--test");
  const verify = flag(args, "--verify");
  const [rawShop, extension, plugin] = args;
  const shop = handle(rawShop);
  if (extension === undefined || plugin === undefined) {
    throw new UsageError("bind needs <shop> <extension> <plugin>");
  }
  const result = await ops.bind({
    shop,
    extension,
    plugin,
    live: await readJson(liveFile),
    test: await readJson(testFile),
    verify,
  });
  switch (result.kind) {
    case "bound":
      console.log(`Extension ${extension} of ${shop} bound to ${plugin}.`);
      return;
    case "no_shop":
      throw new UsageError(`No shop ${shop}; add it first`);
    case "nothing_to_bind":
      throw new UsageError("bind needs --live and/or --test");
    case "unknown_plugin":
      throw new UsageError(`bind needs a plugin: ${result.plugins.join(", ")}`);
    case "unknown_extension":
      throw new UsageError(`This deployment serves the extensions ${result.extensions.join(", ")}`);
    case "invalid": {
      const file = result.mode === "live" ? liveFile : testFile;
      // The plugin's own schema decides; its issues name the fields, never the values (they are secrets).
      throw new UsageError(
        `The credentials in ${file} do not fit plugin ${plugin}: ${result.issues.join("; ")}`,
      );
    }
    case "refused":
      throw new UsageError(`The PSP refused the ${result.mode} credentials: ${result.reason}`);
  }
}

await runCli(USAGE, main);
