/**
 * `deno task start`: runs the gateway. With no configuration it runs the whole dev set-up on one machine:
 * embedded database in ./data, the bundled PSP emulator, shop `demo`, the Genstore inbox and the demo shop.
 * @module
 */
import { ConfigError, loadConfig } from "./adapters/config/config.ts";
import { readEnvironment } from "./adapters/config/environment.ts";
import { startGateway } from "./adapters/server/gateway.ts";
import { claimPort, lockDataDirForGateway, StartupError } from "./adapters/server/startup.ts";
import { PluginLoadError } from "./adapters/plugins/plugin_load_error.ts";

// A stop asked for while the gateway is still starting is carried out as soon as it has started: the
// listeners come first, so a SIGTERM never finds the process without them.
let stopRequested = false;
let stopGateway: (() => Promise<void>) | undefined;
function onStopSignal(): void {
  if (stopRequested) return;
  stopRequested = true;
  void stopGateway?.();
}
Deno.addSignalListener("SIGTERM", onStopSignal);
Deno.addSignalListener("SIGINT", onStopSignal);

try {
  const env = (name: string) => Deno.env.get(name);
  // In this order, so that each refusal comes before anything is written: the environment, the port, the
  // embedded store's DATA_DIR (and its lock), and only then the dev secrets generated into DATA_DIR.
  const environment = readEnvironment(env);
  const listener = claimPort(environment.PORT, environment.HOST ?? "127.0.0.1");
  const lock = environment.DATABASE_URL === undefined
    ? await lockDataDirForGateway(environment.DATA_DIR ?? "./data")
    : undefined;
  const config = await loadConfig(env);
  const gateway = await startGateway(config, { listener, lock });
  if (config.mode === "dev") {
    console.log(
      [
        "",
        `Genstore payment gateway (dev mode) on ${gateway.url}`,
        `  demo shop:                    ${gateway.url}/`,
        `  dev Genstore (install, auth): ${gateway.url}/_dev/genstore/admin`,
        ...(config.operatorToken === undefined ? [] : [
          `  operator console:             ${gateway.url}/console`,
          // Dev mode only: generated into DATA_DIR unless OPERATOR_TOKEN was set; it opens the console.
          `  OPERATOR_TOKEN=${config.operatorToken}`,
        ]),
        ...(gateway.sandboxUrl === undefined
          ? []
          : [`  PSP sandbox (emulators):      ${gateway.sandboxUrl}`]),
        `  API description:              ${gateway.url}/openapi.json`,
        `  database:                     ${
          gateway.db.driver === "pglite" ? `embedded, ${config.dataDir}/db` : "PostgreSQL"
        }`,
        `  GENSTORE_CLIENT_ID=${config.clientId}`,
        // Dev mode only: these were generated into DATA_DIR for this machine (contract section 1).
        ...(config.generated.includes("GENSTORE_CLIENT_SECRET")
          ? [`  GENSTORE_CLIENT_SECRET=${config.clientSecret}`]
          : []),
        `  ECIES public key (register with Genstore): ${gateway.publicKey}`,
        "",
      ].join("\n"),
    );
  }
  stopGateway = async () => {
    await gateway.stop();
    Deno.exit(0);
  };
  if (stopRequested) await stopGateway();
} catch (error) {
  if (stopRequested) Deno.exit(0);
  if (error instanceof ConfigError) {
    for (const problem of error.problems) console.error(`Configuration error: ${problem}`);
    Deno.exit(2);
  }
  if (error instanceof StartupError || error instanceof PluginLoadError) {
    console.error(`Cannot start: ${error.message}`);
    Deno.exit(2);
  }
  throw error;
}
