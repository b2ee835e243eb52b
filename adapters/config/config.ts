/**
 * The gateway's configuration from the environment (contract section 1), with the dev-mode defaults:
 * secrets generated once into DATA_DIR, so restarts keep them. Production refuses every dev default.
 * @module
 */
import { generateEciesKeyPair } from "../crypto/keys.ts";
import { generateMasterKey } from "../crypto/secret_box.ts";
import { ConfigError, type Env, readEnvironment } from "./environment.ts";

export interface GatewayConfig {
  readonly mode: "dev" | "production";
  readonly port: number;
  readonly host: string;
  readonly appUrl: string;
  readonly databaseUrl?: string;
  readonly dataDir: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** `{shop}` stands for the shop handle; undefined in dev mode means the built-in inbox. */
  readonly genstoreApiBase?: string;
  /** Shops are `{handle}.{shopDomain}` (GENSTORE_SHOP_DOMAIN, default genmystore.com). */
  readonly shopDomain: string;
  /** The scopes the app install asks for (GENSTORE_SCOPES). */
  readonly genstoreScopes: string;
  readonly eciesPrivateKeys: readonly string[];
  readonly eciesHkdfInfo: string;
  readonly masterKey: string;
  readonly answerBudgetMs: number;
  readonly pspTimeoutMs: number;
  readonly reconcileFirstDelayMs: number;
  readonly reconcileMaxDelayMs: number;
  readonly reconcileDeadlineMs: number;
  /** How often reconciliation looks for due checks. */
  readonly reconcileIntervalMs: number;
  readonly pendingCheckDelayMs: number;
  readonly actionTimeoutMs: number;
  readonly callbackBurst: number;
  readonly callbackPerSecond: number;
  /** How often the audit sealer chains new entries: the window in which an entry is not tamper-evident yet. */
  readonly auditSealIntervalMs: number;
  /** How long a client may take to send a request body before it is answered 408 and disconnected. */
  readonly requestBodyTimeoutMs: number;
  /** How long a shop's binding (decrypted credentials) is reused before it is read again. */
  readonly bindingCacheMs: number;
  /** How long a worker owns a claimed callback; after a crash another worker resends it after this. */
  readonly outboxLeaseMs: number;
  /** Bearer token of the admin routes; undefined disables them. */
  readonly operatorToken?: string;
  /** Hosts every plugin may reach in test mode besides its declared test hosts (dev: the loopback emulators). */
  readonly pspExtraTestHosts: readonly string[];
  /** Where dev mode's bundled sandbox listens (SANDBOX_PORT; default PORT + 1, or any free port for PORT 0). */
  readonly sandboxPort?: number;
  /** A crash point for tests (GATEWAY_FAILPOINT). */
  readonly failpoint?: string;
  readonly logLevel: "info" | "warn" | "error";
  /** Names of the values generated for dev mode (printed at start). */
  readonly generated: readonly string[];
}

export { ConfigError };

interface DevSecrets {
  clientId: string;
  clientSecret: string;
  eciesPrivateKey: string;
  eciesPublicKey: string;
  masterKey: string;
  operatorToken?: string;
}

/**
 * Reads the configuration: the environment (checked whole by its schema), then, in dev mode, the secrets
 * generated once into DATA_DIR for whatever the environment leaves unset.
 * @throws {ConfigError} naming every missing or invalid variable (production refuses dev defaults)
 */
export async function loadConfig(env: Env = (name) => Deno.env.get(name)): Promise<GatewayConfig> {
  const e = readEnvironment(env);
  const production = e.MODE === "production";
  const port = e.PORT;
  const host = e.HOST ?? "127.0.0.1";
  const dataDir = e.DATA_DIR ?? "./data";
  const appUrl = e.APP_URL ?? `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  const generated: string[] = [];
  let dev: DevSecrets | undefined;
  const devSecret = async (
    name: string,
    value: string | undefined,
    pick: (secrets: DevSecrets) => string,
  ) => {
    if (value !== undefined) return value;
    dev ??= await loadDevSecrets(dataDir);
    generated.push(name);
    return pick(dev);
  };
  const clientId = await devSecret("GENSTORE_CLIENT_ID", e.GENSTORE_CLIENT_ID, (s) => s.clientId);
  const clientSecret = await devSecret(
    "GENSTORE_CLIENT_SECRET",
    e.GENSTORE_CLIENT_SECRET,
    (s) => s.clientSecret,
  );
  const eciesKeys = e.ECIES_PRIVATE_KEYS ??
    [await devSecret("ECIES_PRIVATE_KEYS", undefined, (s) => s.eciesPrivateKey)];
  const masterKey = e.MASTER_KEY?.join(",") ?? await devSecret("MASTER_KEY", undefined, (s) => s.masterKey);
  // Production without OPERATOR_TOKEN has no admin routes and no console; dev mode generates one.
  const operatorToken = e.OPERATOR_TOKEN ??
    (production
      ? undefined
      : (await devSecret("OPERATOR_TOKEN", undefined, (s) => s.operatorToken ?? "")) || undefined);

  return {
    mode: production ? "production" : "dev",
    port,
    host,
    appUrl,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    clientId,
    clientSecret,
    genstoreApiBase: e.GENSTORE_API_BASE,
    genstoreScopes: e.GENSTORE_SCOPES ?? "read_payments,write_payments",
    shopDomain: e.GENSTORE_SHOP_DOMAIN ?? "genmystore.com",
    eciesPrivateKeys: eciesKeys,
    eciesHkdfInfo: e.ECIES_HKDF_INFO ?? "",
    masterKey,
    answerBudgetMs: e.PAYMENT_ANSWER_BUDGET_MS,
    pspTimeoutMs: e.PSP_TIMEOUT_MS,
    reconcileFirstDelayMs: e.RECONCILE_FIRST_DELAY_MS,
    reconcileMaxDelayMs: e.RECONCILE_MAX_DELAY_MS,
    reconcileDeadlineMs: e.RECONCILE_DEADLINE_MS,
    reconcileIntervalMs: e.RECONCILE_INTERVAL_MS,
    pendingCheckDelayMs: e.PENDING_CHECK_DELAY_MS,
    actionTimeoutMs: e.ACTION_TIMEOUT_MS,
    callbackBurst: e.CALLBACK_BURST,
    callbackPerSecond: e.CALLBACK_RATE_PER_SECOND,
    outboxLeaseMs: e.OUTBOX_LEASE_MS,
    bindingCacheMs: e.BINDING_CACHE_MS,
    requestBodyTimeoutMs: e.REQUEST_BODY_TIMEOUT_MS,
    auditSealIntervalMs: e.AUDIT_SEAL_INTERVAL_MS,
    operatorToken,
    failpoint: e.GATEWAY_FAILPOINT,
    pspExtraTestHosts: (e.PSP_EXTRA_TEST_HOSTS ?? (production ? "" : "127.0.0.1:*,localhost:*"))
      .split(",").map((entry) => entry.trim()).filter((entry) => entry !== ""),
    sandboxPort: e.SANDBOX_PORT,
    logLevel: e.LOG_LEVEL ?? "info",
    generated,
  };
}

/** The dev-mode public key Genstore would register (for the simulator and the demo shop). */
export async function devPublicKey(dataDir: string): Promise<string> {
  return (await loadDevSecrets(dataDir)).eciesPublicKey;
}

/** Loads the dev secrets from DATA_DIR, generating them on first use. */
async function loadDevSecrets(dataDir: string): Promise<DevSecrets> {
  const path = `${dataDir}/dev-secrets.json`;
  try {
    return JSON.parse(await Deno.readTextFile(path)) as DevSecrets;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const pair = await generateEciesKeyPair();
  const secrets: DevSecrets = {
    clientId: `dev-${crypto.randomUUID().slice(0, 8)}`,
    clientSecret: toHex(crypto.getRandomValues(new Uint8Array(32))),
    eciesPrivateKey: pair.privateKeyPkcs8,
    eciesPublicKey: pair.publicKeySpki,
    masterKey: generateMasterKey(),
    operatorToken: toHex(crypto.getRandomValues(new Uint8Array(24))),
  };
  await Deno.mkdir(dataDir, { recursive: true });
  try {
    // createNew: two processes starting at once must not overwrite each other's keys.
    await Deno.writeTextFile(path, JSON.stringify(secrets, null, 2), { createNew: true, mode: 0o600 });
    return secrets;
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    return JSON.parse(await Deno.readTextFile(path)) as DevSecrets;
  }
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
