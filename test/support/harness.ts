/**
 * Starts a real gateway over HTTP on loopback for end-to-end tests: dev mode (bundled card emulator, shop
 * `demo`), on the store under test (in-memory PGlite, or a fresh PostgreSQL database with DATABASE_URL), with
 * callbacks going to a fake Genstore.
 * @module
 */
import { loadConfig } from "../../adapters/config/config.ts";
import { generateEciesKeyPair } from "../../adapters/crypto/keys.ts";
import { generateMasterKey } from "../../adapters/crypto/secret_box.ts";
import { createGenstoreClient, type GenstoreClient } from "../../adapters/dev/genstore_client.ts";
import { createJsonLogger } from "../../adapters/logging/json_logger.ts";
import { type RunningGateway, startGateway } from "../../adapters/server/gateway.ts";
import { openTestDatabase, storeUnderTest, type TestDatabase } from "./databases.ts";
import { claimPort, type Listener } from "../../adapters/server/startup.ts";
import type { AdyenEmulator } from "../../plugins/adyen/emulator/mod.ts";
import { type RunningSandbox, startSandbox } from "../../scripts/sandbox.ts";
import { sandboxAccounts } from "../../adapters/server/sandbox.ts";
import { type FakeGenstore, startFakeGenstore } from "./fake_genstore.ts";
import { freePort } from "./ports.ts";

export const CLIENT_SECRET = "test-client-secret-0123456789";

export interface Harness {
  readonly gateway: RunningGateway;
  /** The bundled sandbox, served by the test process. */
  readonly sandbox: RunningSandbox;
  /** The sandbox's Adyen emulator, to look at what it booked. */
  readonly adyen: AdyenEmulator;
  /** The sandbox card account as the gateway reaches it (sandbox.json's, with the sandbox's URL filled in). */
  readonly sandboxCard: Readonly<Record<string, string>>;
  /** Makes every gateway call to the sandbox fail with 503 (buyers and notifications still get through). */
  setPspDown(down: boolean): void;
  readonly genstore: FakeGenstore;
  readonly client: GenstoreClient;
  /** A Genstore client for another shop domain. */
  clientFor(shopDomain: string): GenstoreClient;
  /** Every log line the gateway wrote. */
  readonly logs: string[];
  /** The PostgreSQL database under test, when DATABASE_URL is set (PGlite runs inside the gateway). */
  readonly database?: TestDatabase;
  /**
   * Stops the gateway and starts it again on the same port, configuration and database (`persistent` keeps a
   * PGlite database on disk for this; PostgreSQL always survives); `gateway` is the new one afterwards.
   */
  restart(): Promise<RunningGateway>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  /** Extra environment, e.g. PAYMENT_ANSWER_BUDGET_MS. */
  readonly env?: Readonly<Record<string, string>>;
  /** Access tokens the fake Genstore accepts, per shop (default: demo → dev-token). */
  readonly genstoreTokens?: Readonly<Record<string, string>>;
  /** PGlite in DATA_DIR instead of in memory, so that restart() finds the same data. */
  readonly persistent?: boolean;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const genstore = startFakeGenstore(options.genstoreTokens);
  const database = storeUnderTest() === "postgres" ? await openTestDatabase({ migrated: false }) : undefined;
  const keys = await generateEciesKeyPair();
  const dataDir = await Deno.makeTempDir({ prefix: "gateway-test-" });
  const env: Record<string, string> = {
    MODE: "dev",
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    GENSTORE_CLIENT_ID: "test-client",
    GENSTORE_CLIENT_SECRET: CLIENT_SECRET,
    GENSTORE_API_BASE: genstore.apiBase,
    ECIES_PRIVATE_KEYS: keys.privateKeyPkcs8,
    MASTER_KEY: generateMasterKey(),
    PAYMENT_ANSWER_BUDGET_MS: "1500",
    PSP_TIMEOUT_MS: "2500",
    RECONCILE_FIRST_DELAY_MS: "300",
    RECONCILE_MAX_DELAY_MS: "1000",
    PENDING_CHECK_DELAY_MS: "1000",
    CALLBACK_BURST: "1000",
    CALLBACK_RATE_PER_SECOND: "1000",
    ...(database?.url === undefined ? {} : { DATABASE_URL: database.url }),
    ...options.env,
  };
  const config = await loadConfig((name) => env[name]);
  const logs: string[] = [];
  // The gateway's port first, so the sandbox knows where to send notifications; the sandbox in this process,
  // so tests can look inside its emulators (the gateway only ever reaches them over HTTP).
  const listener = claimPort(0, "127.0.0.1");
  const sandbox = await startSandbox({
    port: 0,
    notifyUrl: `http://127.0.0.1:${listener.port}`,
    config: new URL("../../sandbox.json", import.meta.url),
  });
  // The gateway reaches the sandbox through a loopback proxy a test can make fail ("the PSP is down"); buyers
  // and notifications use the sandbox directly.
  let pspDown = false;
  const proxy = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    if (pspDown) return new Response("down", { status: 503 });
    const url = new URL(request.url);
    const target = new URL(url.pathname + url.search, sandbox.url);
    const body = request.method === "GET" || request.method === "HEAD"
      ? undefined
      : await request.arrayBuffer();
    const answer = await fetch(target, {
      method: request.method,
      headers: request.headers,
      body,
      redirect: "manual",
    });
    return new Response(await answer.arrayBuffer(), { status: answer.status, headers: answer.headers });
  });
  const start = (port: Listener) =>
    startGateway(config, {
      listener: port,
      sandboxUrl: `http://127.0.0.1:${proxy.addr.port}`,
      memoryDatabase: database === undefined && !options.persistent,
      logger: createJsonLogger({ write: (line) => logs.push(line) }),
      reconcileIntervalMs: 100,
      outboxPollMs: 50,
    });
  let gateway = await start(listener);
  const client = createGenstoreClient({
    gatewayUrl: gateway.url,
    clientSecret: CLIENT_SECRET,
    publicKey: keys.publicKeySpki,
    shopDomain: "demo.genmystore.com",
  });
  return {
    get gateway() {
      return gateway;
    },
    async restart() {
      await gateway.stop();
      gateway = await start(claimPort(listener.port, "127.0.0.1"));
      return gateway;
    },
    sandbox,
    adyen: sandbox.programs.get("adyen") as AdyenEmulator,
    sandboxCard: sandboxAccounts(`http://127.0.0.1:${proxy.addr.port}`).get("card")!.credentials,
    setPspDown(down: boolean) {
      pspDown = down;
    },
    genstore,
    client,
    clientFor: (shopDomain: string) =>
      createGenstoreClient({
        gatewayUrl: gateway.url,
        clientSecret: CLIENT_SECRET,
        publicKey: keys.publicKeySpki,
        shopDomain,
      }),
    logs,
    database,
    async stop() {
      await gateway.stop();
      await proxy.shutdown();
      await sandbox.close();
      await genstore.close();
      await database?.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

let counter = 0;
/** A fresh Genstore-style id for one test. */
export function newId(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;
}

/** Waits a bounded time for a condition. */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`Condition not met within ${timeoutMs} ms`);
}

/** The sandbox card account of sandbox.json (what dev mode binds shop demo's card extension to). */
export const SANDBOX_CARD: Readonly<Record<string, string>> = JSON.parse(
  Deno.readTextFileSync(new URL("../../sandbox.json", import.meta.url)),
).accounts.card.credentials;

/**
 * Adds a shop whose card extension points at a port nothing listens on: every PSP call and query stays
 * unknown, which is how the tests fill the review queue.
 */
export async function addUnreachableShop(
  gateway: RunningGateway,
  shop: string,
  accessToken: string,
): Promise<void> {
  await gateway.shops.upsertShop(shop);
  await gateway.shops.setAccessToken(shop, accessToken);
  await gateway.shops.bind({
    shop,
    extension: "card",
    plugin: "adyen",
    test: {
      apiKey: "k",
      merchantAccount: "BrokenECOM",
      hmacKeyHex: "00",
      baseUrl: `http://127.0.0.1:${freePort()}/v71`,
    },
  });
}
