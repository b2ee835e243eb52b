/**
 * Real gateway processes (`deno run main.ts`, production mode) sharing one fresh PostgreSQL database, with the
 * card emulator and a fake Genstore served by the test process, so tests can race them, kill -9 them and
 * restart them. PostgreSQL only: the embedded store belongs to one process.
 * @module
 */
import { generateEciesKeyPair } from "../../adapters/crypto/keys.ts";
import { createSecretBox, generateMasterKey } from "../../adapters/crypto/secret_box.ts";
import { createGenstoreClient, type GenstoreClient } from "../../adapters/dev/genstore_client.ts";
import { migrate } from "../../adapters/store/migrate.ts";
import { createSqlShopStore } from "../../adapters/store/sql_shop_store.ts";
import { type AdyenEmulator, createAdyenEmulator } from "../../plugins/adyen/emulator/mod.ts";
import { openTestDatabase, type TestDatabase } from "./databases.ts";
import { type FakeGenstore, startFakeGenstore } from "./fake_genstore.ts";
import { CLIENT_SECRET } from "./harness.ts";
import { freePort } from "./ports.ts";

/** Kept here too: many tests import it with the cluster. */
export { freePort };

const ACCOUNT = {
  apiKey: "cluster-api-key",
  merchantAccount: "ClusterECOM",
  hmacKeyHex: "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9",
};

export interface GatewayProcess {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly client: GenstoreClient;
  /** Every line the process wrote (stdout and stderr). */
  readonly logs: string[];
  readonly status: Promise<Deno.CommandStatus>;
  kill(signal: Deno.Signal): void;
}

export interface Cluster {
  readonly database: TestDatabase;
  readonly emulator: AdyenEmulator;
  readonly genstore: FakeGenstore;
  readonly operatorToken: string;
  /** Starts a gateway process and waits until it is ready (on `port`, to restart one where it was). */
  start(name: string, env?: Readonly<Record<string, string>>, port?: number): Promise<GatewayProcess>;
  /** Kills every process still running and releases everything. */
  close(): Promise<void>;
}

export async function startCluster(): Promise<Cluster> {
  const database = await openTestDatabase();
  const genstore = startFakeGenstore();
  const keys = await generateEciesKeyPair();
  const masterKey = generateMasterKey();
  const operatorToken = crypto.randomUUID();
  // Notifications go to one fixed gateway port, whichever process listens there.
  const notifiedPort = freePort();
  const emulatorPort = freePort();
  const emulator = createAdyenEmulator({
    publicUrl: `http://127.0.0.1:${emulatorPort}`,
    accounts: [{ ...ACCOUNT, webhookUrl: `http://127.0.0.1:${notifiedPort}/v1/notifications/adyen` }],
  });
  const emulatorServer = Deno.serve(
    { port: emulatorPort, hostname: "127.0.0.1", onListen: () => {} },
    (request) => emulator.fetch(request),
  );
  await migrate(database.client);
  const shops = createSqlShopStore(database.client, createSecretBox(masterKey));
  await shops.upsertShop("demo");
  await shops.setAccessToken("demo", "dev-token");
  await shops.bind({
    shop: "demo",
    extension: "card",
    plugin: "adyen",
    test: { ...ACCOUNT, baseUrl: `http://127.0.0.1:${emulatorPort}/v71` },
  });

  const processes: GatewayProcess[] = [];
  let first = true;
  return {
    database,
    emulator,
    genstore,
    operatorToken,
    async start(
      name: string,
      extra: Readonly<Record<string, string>> = {},
      requested?: number,
    ): Promise<GatewayProcess> {
      const port = requested ?? (first ? notifiedPort : freePort());
      first = false;
      const url = `http://127.0.0.1:${port}`;
      const env: Record<string, string> = {
        MODE: "production",
        PORT: String(port),
        HOST: "127.0.0.1",
        APP_URL: url,
        DATABASE_URL: database.url!,
        GENSTORE_CLIENT_ID: "cluster-client",
        GENSTORE_CLIENT_SECRET: CLIENT_SECRET,
        GENSTORE_API_BASE: genstore.apiBase,
        ECIES_PRIVATE_KEYS: keys.privateKeyPkcs8,
        MASTER_KEY: masterKey,
        OPERATOR_TOKEN: operatorToken,
        PAYMENT_ANSWER_BUDGET_MS: "1500",
        PSP_TIMEOUT_MS: "2500",
        RECONCILE_FIRST_DELAY_MS: "300",
        RECONCILE_MAX_DELAY_MS: "1000",
        PENDING_CHECK_DELAY_MS: "1000",
        OUTBOX_LEASE_MS: "1500",
        RECONCILE_INTERVAL_MS: "200",
        PSP_EXTRA_TEST_HOSTS: "127.0.0.1:*",
        CALLBACK_BURST: "1000",
        CALLBACK_RATE_PER_SECOND: "1000",
        ...extra,
      };
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "main.ts"],
        env,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const logs: string[] = [];
      collect(child.stdout, logs);
      collect(child.stderr, logs);
      const gateway: GatewayProcess = {
        name,
        url,
        port,
        pid: child.pid,
        logs,
        status: child.status,
        client: createGenstoreClient({
          gatewayUrl: url,
          clientSecret: CLIENT_SECRET,
          publicKey: keys.publicKeySpki,
          shopDomain: "demo.genmystore.com",
        }),
        kill(signal: Deno.Signal) {
          try {
            child.kill(signal);
          } catch {
            // Already gone.
          }
        },
      };
      processes.push(gateway);
      await waitUntilReady(gateway);
      return gateway;
    },
    async close() {
      for (const gateway of processes) gateway.kill("SIGKILL");
      await Promise.all(processes.map((gateway) => gateway.status));
      emulator.close();
      await emulatorServer.shutdown();
      await genstore.close();
      await database.close();
    },
  };
}

async function waitUntilReady(gateway: GatewayProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  let exited = false;
  gateway.status.then(() => exited = true);
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(`${gateway.url}/readyz`);
      await response.body?.cancel();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Gateway ${gateway.name} did not get ready:\n${gateway.logs.slice(-20).join("\n")}`);
}

function collect(stream: ReadableStream<Uint8Array>, into: string[]): void {
  (async () => {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop() ?? "";
      into.push(...lines);
    }
    if (rest !== "") into.push(rest);
  })().catch(() => {});
}
