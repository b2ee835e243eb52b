/**
 * The composition root: builds every adapter from the configuration, wires them to the core, and serves
 * HTTP. The only place that knows which plugins exist.
 * @module
 */
import type { Hono } from "hono";
import {
  type AdyenEmulator,
  createAdyenEmulator,
  sqlEmulatorStore,
} from "../../plugins/adyen/emulator/mod.ts";
import {
  type BackgroundWork,
  DEFAULT_CALLBACK_POLICY,
  type GatewayDeps,
  type Logger,
  type PspHttp,
  reconcileDue,
} from "../../src/mod.ts";
import type { GatewayConfig } from "../config/config.ts";
import { createEciesDecryptor } from "../crypto/ecies_decryptor.ts";
import { createSecretBox } from "../crypto/secret_box.ts";
import type { GenstoreInbox } from "../dev/genstore_inbox.ts";
import { type DevGenstore, devGenstoreFor } from "../dev/genstore_dev.ts";
import { onboardingFor } from "../onboarding/mount.ts";
import { mountDemoShop } from "../dev/demo_shop.ts";
import { startOutboxWorker } from "../genstore/outbox_worker.ts";
import { createApp } from "../http/app.ts";
import { createLocalOperations } from "../operations/local_operations.ts";
import { createJsonLogger } from "../logging/json_logger.ts";
import { createFetchPspHttp } from "../psp_http/fetch_psp_http.ts";
import { createFailpoints } from "../runtime/failpoints.ts";
import { createBackgroundWork, RANDOM_IDS, SYSTEM_CLOCK } from "../runtime/system.ts";
import { migrate, migrationsDone } from "../store/migrate.ts";
import { appendAudit } from "../store/sql_audit.ts";
import { openPglite } from "../store/pglite_driver.ts";
import { connectPostgres } from "../store/postgres_driver.ts";
import type { SqlClient } from "../store/sql_client.ts";
import { createSqlOutboxStore } from "../store/sql_outbox_store.ts";
import { createSqlPaymentStore } from "../store/sql_payment_store.ts";
import { createSqlReviewStore } from "../store/sql_review_store.ts";
import { guardHosts } from "../plugins/host_guard.ts";
import { loadPluginConfig, type PluginConfig } from "../plugins/plugin_config.ts";
import { loadPluginInWorker, type WorkerPlugin } from "../plugins/worker_host.ts";
import { createSqlShopStore, type ShopStore } from "../store/sql_shop_store.ts";
import { DEV_EMULATOR_ORIGIN, seedDemoShop } from "./seed.ts";
import {
  checkDatabaseAnswers,
  checkDeploymentMode,
  checkEciesKeys,
  claimPort,
  type DataDirLock,
  type Listener,
  lockDataDirForGateway,
  requireSealing,
} from "./startup.ts";

export interface StartOptions {
  /** The port, already bound (main.ts binds it before anything else); else startGateway binds it. */
  readonly listener?: Listener;
  /** DATA_DIR's lock, already taken; else startGateway takes it for the embedded store. */
  readonly lock?: DataDirLock;
  /** Use an in-memory embedded database instead of DATA_DIR (tests). */
  readonly memoryDatabase?: boolean;
  readonly logger?: Logger;
  /** How often reconciliation looks for due checks. */
  readonly reconcileIntervalMs?: number;
  readonly outboxPollMs?: number;
}

export interface RunningGateway {
  readonly url: string;
  readonly config: GatewayConfig;
  readonly db: SqlClient;
  readonly shops: ShopStore;
  /** The dev-mode card emulator, when this process serves it. */
  readonly emulator?: AdyenEmulator;
  readonly inbox?: GenstoreInbox;
  /** The ECIES public key Genstore registers for this gateway (base64 SPKI DER). */
  readonly publicKey: string;
  /** Stops accepting, finishes in-flight work (bounded), and closes the database. */
  stop(): Promise<void>;
}

/**
 * Dev mode: requests to DEV_EMULATOR_ORIGIN go to the emulators this process serves itself, so every dev
 * process sharing one database reaches a live emulator.
 */
function toLocalEmulators(inner: PspHttp, appUrl: string): PspHttp {
  return {
    send(request, deadline) {
      if (!request.url.startsWith(`${DEV_EMULATOR_ORIGIN}/`)) return inner.send(request, deadline);
      return inner.send(
        { ...request, url: appUrl + request.url.slice(DEV_EMULATOR_ORIGIN.length) },
        deadline,
      );
    },
  };
}

/** The plugins of plugins.json, each isolated in its own worker. */
export async function loadPlugins(config?: PluginConfig): Promise<Map<string, WorkerPlugin>> {
  const { plugins } = config ?? await loadPluginConfig();
  const loaded = new Map<string, WorkerPlugin>();
  for (const entry of plugins.values()) loaded.set(entry.id, await loadPluginInWorker(entry));
  return loaded;
}

export async function openDatabase(config: GatewayConfig, memory = false): Promise<SqlClient> {
  if (config.databaseUrl !== undefined) return connectPostgres(config.databaseUrl);
  if (memory) return await openPglite();
  await Deno.mkdir(config.dataDir, { recursive: true });
  return await openPglite(`${config.dataDir}/db`);
}

/** The stores, plugins and core dependencies over one database, for the server and the operator CLIs. */
export async function buildGatewayDeps(
  config: GatewayConfig,
  db: SqlClient,
  options: {
    readonly logger: Logger;
    readonly appUrl: string;
    readonly background?: BackgroundWork;
    readonly onCallbackQueued?: () => void;
  },
) {
  const { logger } = options;
  const shops = createSqlShopStore(db, createSecretBox(config.masterKey), { cacheMs: config.bindingCacheMs });
  const pluginConfig = await loadPluginConfig();
  const plugins = await loadPlugins(pluginConfig);
  // A call reaches only the plugin's declared hosts for its mode (plus, in test mode, the dev extras).
  const allowedHosts = (plugin: string, test: boolean): readonly string[] => {
    const hosts = plugins.get(plugin)?.manifest.hosts;
    return test ? [...(hosts?.test ?? []), ...config.pspExtraTestHosts] : hosts?.live ?? [];
  };
  const deps: GatewayDeps = {
    store: createSqlPaymentStore(db, { onCallbackQueued: options.onCallbackQueued }),
    shops,
    plugins,
    pspHttp: (labels) => {
      const transport = createFetchPspHttp({
        logger,
        context: {
          shop: labels.shop,
          extension: labels.extension,
          plugin: labels.plugin,
          reference: labels.reference,
        },
        // Every PSP exchange joins the shop's audit chain, scrubbed to method, host, status and duration.
        onExchange: (summary) =>
          appendAudit(db, {
            shop: labels.shop,
            kind: "psp.exchange",
            subject: labels.reference,
            payload: summary,
          }),
      });
      const local = config.mode === "dev" ? toLocalEmulators(transport, options.appUrl) : transport;
      return guardHosts(local, allowedHosts(labels.plugin, labels.test), logger, labels.plugin);
    },
    decryptor: await createEciesDecryptor({
      privateKeys: config.eciesPrivateKeys,
      hkdfInfo: config.eciesHkdfInfo,
    }),
    clock: SYSTEM_CLOCK,
    ids: RANDOM_IDS,
    logger,
    settings: {
      appUrl: options.appUrl,
      answerBudgetMs: config.answerBudgetMs,
      pspTimeoutMs: config.pspTimeoutMs,
      duplicateWaitMs: config.answerBudgetMs + 2_000,
      reconcileFirstDelayMs: config.reconcileFirstDelayMs,
      reconcileMaxDelayMs: config.reconcileMaxDelayMs,
      reconcileDeadlineMs: config.reconcileDeadlineMs,
      pendingCheckDelayMs: config.pendingCheckDelayMs,
      actionTimeoutMs: config.actionTimeoutMs,
    },
    background: options.background ?? createBackgroundWork(),
    failpoints: createFailpoints(config.failpoint, logger),
  };
  return {
    deps,
    shops,
    plugins,
    extensions: new Set(pluginConfig.extensions.keys()),
    outbox: createSqlOutboxStore(db),
    review: createSqlReviewStore(db),
  };
}

/**
 * Ready means the database answers, every migration is applied and the master keys still open what is sealed
 * (another process may have rotated them away); the sealing check is repeated at most every few seconds.
 */
function readiness(db: SqlClient, shops: ShopStore): () => Promise<boolean> {
  let checked: { at: number; ok: Promise<boolean> } | undefined;
  return async () => {
    const now = Date.now();
    if (checked === undefined || now - checked.at > 5_000) {
      checked = { at: now, ok: shops.checkSealing().then((check) => check.ok, () => false) };
    }
    return await migrationsDone(db) && await checked.ok;
  };
}

export async function startGateway(
  config: GatewayConfig,
  options: StartOptions = {},
): Promise<RunningGateway> {
  const logger = options.logger ?? createJsonLogger({ level: config.logLevel });
  // The port first: a taken port stops the process before it writes anything.
  const listener = options.listener ?? claimPort(config.port, config.host);
  const embedded = config.databaseUrl === undefined && !options.memoryDatabase;
  let lock = options.lock;
  let db: SqlClient | undefined;
  try {
    lock ??= embedded ? await lockDataDirForGateway(config.dataDir) : undefined;
    const publicKey = await checkEciesKeys(config.eciesPrivateKeys);
    db = await openDatabase(config, options.memoryDatabase);
    await checkDatabaseAnswers(db, config.databaseUrl);
    const applied = await migrate(db);
    if (applied.length > 0) {
      logger.info("database.migrated", { versions: applied.join(","), driver: db.driver });
    }
    await checkDeploymentMode(db, config.mode);
    return await serveGateway(config, { ...options, logger, listener, lock, db, publicKey });
  } catch (error) {
    await listener.server.shutdown();
    await db?.close().catch(() => {});
    lock?.release();
    throw error;
  }
}

async function serveGateway(
  config: GatewayConfig,
  options: StartOptions & {
    readonly logger: Logger;
    readonly listener: Listener;
    readonly lock?: DataDirLock;
    readonly db: SqlClient;
    readonly publicKey: string;
  },
): Promise<RunningGateway> {
  const { logger, listener, lock, db, publicKey } = options;
  let nudgeOutbox = () => {};
  const background = createBackgroundWork();
  const server = listener.server;
  // With PORT=0 the URL is known only now that the port is bound.
  const url = config.appUrl.endsWith(":0") ? `http://${config.host}:${listener.port}` : config.appUrl;
  const dev = config.mode === "dev";
  const { deps, shops, outbox, review, plugins, extensions } = await buildGatewayDeps(config, db, {
    logger,
    appUrl: url,
    background,
    onCallbackQueued: () => nudgeOutbox(),
  });
  requireSealing(await shops.checkSealing());
  await lock?.describe({ program: "gateway", url });

  let emulator: AdyenEmulator | undefined;
  let inbox: GenstoreInbox | undefined;
  let devGenstore: DevGenstore | undefined;
  if (dev) {
    emulator = createAdyenEmulator({
      publicUrl: `${url}/_emulator/adyen`,
      basePath: "/_emulator/adyen",
      accounts: [],
      // Its payments, idempotency keys and tokens in its own tables of the gateway's database: they survive a
      // crash (reconciliation re-asks for answers given before it) and every dev process on it shares them.
      store: sqlEmulatorStore(db),
    });
    devGenstore = devGenstoreFor(config, url, [...extensions], options.memoryDatabase);
    inbox = devGenstore.inbox;
    await seedDemoShop({ shops, emulator, gatewayUrl: url });
  }
  const apiBase = config.genstoreApiBase ?? inbox?.apiBase;
  if (apiBase === undefined) throw new Error("GENSTORE_API_BASE is required outside dev mode");
  const onboarding = await onboardingFor(config, {
    gateway: deps,
    db,
    shops,
    apiBase,
    nudge: () => nudgeOutbox(),
  });

  const app: Hono = createApp({
    gateway: deps,
    clientSecret: config.clientSecret,
    extensions,
    shopDomain: config.shopDomain,
    bodyTimeoutMs: config.requestBodyTimeoutMs,
    ready: readiness(db, shops),
    admin: {
      operations: createLocalOperations({ gateway: deps, db, shops, outbox, review, extensions }),
      operatorToken: config.operatorToken,
    },
    logger,
    mount(app) {
      onboarding.mount(app);
      if (emulator !== undefined) {
        const mounted = emulator;
        app.all("/_emulator/adyen/*", (c) => mounted.fetch(c.req.raw));
      }
      if (inbox !== undefined) {
        devGenstore?.mount(app);
        mountDemoShop(app, {
          gatewayUrl: url,
          clientSecret: config.clientSecret,
          publicKey,
          hkdfInfo: config.eciesHkdfInfo,
          inbox,
        });
      }
    },
  });
  listener.route((request) => app.fetch(request));

  const worker = startOutboxWorker({
    outbox,
    accessToken: (shop) => shops.accessToken(shop),
    apiBase,
    logger,
    clock: SYSTEM_CLOCK,
    policy: DEFAULT_CALLBACK_POLICY,
    rate: { burst: config.callbackBurst, perSecond: config.callbackPerSecond },
    pollMs: options.outboxPollMs,
    leaseMs: config.outboxLeaseMs,
    failpoints: deps.failpoints,
  });
  nudgeOutbox = () => worker.nudge();

  let reconciling = true;
  const reconcileEvery = options.reconcileIntervalMs ?? config.reconcileIntervalMs;
  const reconcileStop = new AbortController();
  const reconciler = (async () => {
    while (reconciling) {
      try {
        await reconcileDue(deps);
      } catch (error) {
        logger.error("reconcile.round_failed", { error: error instanceof Error ? error.message : "unknown" });
      }
      await SYSTEM_CLOCK.sleep(reconcileEvery, reconcileStop.signal);
    }
  })();

  logger.info("gateway.started", {
    url,
    mode: config.mode,
    database: db.driver,
    callbacks: apiBase,
    generated: config.generated.join(",") || undefined,
  });

  return {
    url,
    config,
    db,
    shops,
    emulator,
    inbox,
    publicKey,
    async stop() {
      // The emulator first: it may hold a connection open (the timeout card), which shutdown would wait for.
      emulator?.close();
      await server.shutdown();
      await background.settle(config.pspTimeoutMs + 1_000);
      reconciling = false;
      reconcileStop.abort();
      await reconciler;
      await worker.stop();
      for (const plugin of plugins.values()) plugin.terminate();
      await db.close();
      lock?.release();
    },
  };
}
