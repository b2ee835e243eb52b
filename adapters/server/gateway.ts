/**
 * The composition root: builds every adapter from the configuration, wires them to the core, and serves
 * HTTP. The only place that knows which plugins exist.
 * @module
 */
import type { Hono } from "hono";
import {
  type BackgroundWork,
  createSettlingCalls,
  DEFAULT_CALLBACK_POLICY,
  type GatewayDeps,
  type Logger,
  reconcileDue,
} from "../../src/mod.ts";
import type { GatewayConfig } from "../config/config.ts";
import { createEciesDecryptor } from "../crypto/ecies_decryptor.ts";
import { createSecretBox } from "../crypto/secret_box.ts";
import type { GenstoreInbox } from "../dev/genstore_inbox.ts";
import { type DevGenstore, devGenstoreFor } from "../dev/genstore_dev.ts";
import { onboardingFor } from "../onboarding/mount.ts";
import { mountDemoShop } from "../dev/demo_shop.tsx";
import { startOutboxWorker } from "../genstore/outbox_worker.ts";
import { createApp } from "../http/app.ts";
import { createLocalOperations } from "../operations/local_operations.ts";
import { mountConsole } from "../console/mount.tsx";
import { createJsonLogger } from "../logging/json_logger.ts";
import { createFetchPspHttp } from "../psp_http/fetch_psp_http.ts";
import { createFailpoints } from "../runtime/failpoints.ts";
import { createBackgroundWork, RANDOM_IDS, SYSTEM_CLOCK } from "../runtime/system.ts";
import { migrate, migrationsDone } from "../store/migrate.ts";
import { sealAudit } from "../store/sql_audit.ts";
import { createAuditBatcher } from "../store/audit_batcher.ts";
import { runPeriodically } from "../runtime/periodic.ts";
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
import { seedDemoShop } from "./seed.ts";
import { sandboxAccounts, type SandboxProcess, startSandboxProcess } from "./sandbox.ts";
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

/** Entries the sealer chains per transaction; a full batch is followed by the next one at once. */
const AUDIT_SEAL_BATCH = 2_000;

export interface StartOptions {
  /** Dev mode: PSP emulators a test serves itself; otherwise dev mode starts the bundled sandbox program. */
  readonly sandboxUrl?: string;
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
  /** Dev mode: where the bundled sandbox serves the PSP emulators. */
  readonly sandboxUrl?: string;
  readonly inbox?: GenstoreInbox;
  /** The ECIES public key Genstore registers for this gateway (base64 SPKI DER). */
  readonly publicKey: string;
  /** Stops accepting, finishes in-flight work (bounded), and closes the database. */
  stop(): Promise<void>;
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
  // PSP exchanges join the audit trail in batches, off the request path.
  const audit = createAuditBatcher(db, { flushMs: 100, logger });
  const shops = createSqlShopStore(db, createSecretBox(config.masterKey), {
    cacheMs: config.bindingCacheMs,
    onCallbackQueued: options.onCallbackQueued,
  });
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
        onExchange: (summary) => {
          audit.append({
            shop: labels.shop,
            kind: "psp.exchange",
            subject: labels.reference,
            payload: summary,
          });
          return Promise.resolve();
        },
      });
      return guardHosts(transport, allowedHosts(labels.plugin, labels.test), logger, labels.plugin);
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
    settling: createSettlingCalls(SYSTEM_CLOCK),
    failpoints: createFailpoints(config.failpoint, logger),
  };
  return {
    deps,
    audit,
    shops,
    plugins,
    extensions: new Set(pluginConfig.extensions.keys()),
    extensionPlugins: pluginConfig.extensions,
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
  const { deps, audit, shops, outbox, review, plugins, extensions, extensionPlugins } =
    await buildGatewayDeps(config, db, {
      logger,
      appUrl: url,
      background,
      onCallbackQueued: () => nudgeOutbox(),
    });
  requireSealing(await shops.checkSealing());
  await lock?.describe({ program: "gateway", url });

  let sandbox: SandboxProcess | undefined;
  let sandboxUrl = options.sandboxUrl;
  let inbox: GenstoreInbox | undefined;
  let devGenstore: DevGenstore | undefined;
  let accounts: ReturnType<typeof sandboxAccounts> | undefined;
  if (dev) {
    // The PSP emulators run in their own program, never in this one: started here unless a test serves them.
    if (sandboxUrl === undefined) {
      sandbox = await startSandboxProcess({
        port: config.sandboxPort,
        preferredPort: config.port === 0 ? 0 : config.port + 1,
        dataDir: `${config.dataDir}/sandbox`,
        notifyUrl: url,
        logger,
      });
      sandboxUrl = sandbox.url;
    }
    devGenstore = devGenstoreFor(config, url, [...extensions], options.memoryDatabase);
    inbox = devGenstore.inbox;
    accounts = sandboxAccounts(sandboxUrl);
    await seedDemoShop({
      shops,
      accounts,
      extensions: extensionPlugins,
      plugins,
      logger,
    });
  }
  const apiBase = config.genstoreApiBase ?? inbox?.apiBase;
  if (apiBase === undefined) throw new Error("GENSTORE_API_BASE is required outside dev mode");
  const onboarding = await onboardingFor(config, {
    gateway: deps,
    db,
    shops,
    apiBase,
    nudge: () => nudgeOutbox(),
    sandboxAccounts: accounts,
  });

  const operations = createLocalOperations({ gateway: deps, db, shops, outbox, review, extensions });
  const app: Hono = createApp({
    gateway: deps,
    clientSecret: config.clientSecret,
    extensions,
    shopDomain: config.shopDomain,
    bodyTimeoutMs: config.requestBodyTimeoutMs,
    ready: readiness(db, shops),
    admin: {
      operations,
      operatorToken: config.operatorToken,
    },
    logger,
    mount(app) {
      onboarding.mount(app);
      mountConsole(app, {
        operations,
        operatorToken: config.operatorToken,
        masterKey: config.masterKey,
        appUrl: config.appUrl,
      });
      if (inbox !== undefined) {
        devGenstore?.mount(app);
        mountDemoShop(app, {
          gatewayUrl: url,
          clientSecret: config.clientSecret,
          publicKey,
          hkdfInfo: config.eciesHkdfInfo,
          masterKey: config.masterKey,
          inbox,
          operations,
        });
      }
    },
  });
  listener.route((request, info) => app.fetch(request, info));

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
  // Callbacks queued by another process on the same PostgreSQL wake this one's worker too.
  const unlisten = await db.listen?.("gateway_outbox", () => worker.nudge());

  const reconciler = runPeriodically({
    name: "reconcile",
    everyMs: options.reconcileIntervalMs ?? config.reconcileIntervalMs,
    logger,
    work: async () => {
      await reconcileDue(deps);
      return false;
    },
  });
  // Chains the audit entries every change appends, in batches, off the request path (migration 012).
  const sealer = runPeriodically({
    name: "audit_seal",
    everyMs: config.auditSealIntervalMs,
    logger,
    work: async () => await sealAudit(db, AUDIT_SEAL_BATCH) === AUDIT_SEAL_BATCH,
  });

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
    sandboxUrl,
    inbox,
    publicKey,
    async stop() {
      await server.shutdown();
      await background.settle(config.pspTimeoutMs + 1_000);
      await reconciler.stop();
      await audit.close();
      await sealer.stop();
      await unlisten?.();
      await worker.stop();
      for (const plugin of plugins.values()) plugin.terminate();
      await sandbox?.stop();
      await db.close();
      lock?.release();
    },
  };
}
