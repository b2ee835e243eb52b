/**
 * The gateway's configuration from the environment (contract section 1), with the dev-mode defaults:
 * secrets generated once into DATA_DIR, so restarts keep them. Production refuses every dev default.
 * @module
 */
import { generateEciesKeyPair } from "../crypto/keys.ts";
import { generateMasterKey } from "../crypto/secret_box.ts";

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
  /** How long a shop's binding (decrypted credentials) is reused before it is read again. */
  readonly bindingCacheMs: number;
  /** How long a worker owns a claimed callback; after a crash another worker resends it after this. */
  readonly outboxLeaseMs: number;
  /** Bearer token of the admin routes; undefined disables them. */
  readonly operatorToken?: string;
  /** Hosts every plugin may reach in test mode besides its declared test hosts (dev: the loopback emulators). */
  readonly pspExtraTestHosts: readonly string[];
  /** A crash point for tests (GATEWAY_FAILPOINT). */
  readonly failpoint?: string;
  readonly logLevel: "info" | "warn" | "error";
  /** Names of the values generated for dev mode (printed at start). */
  readonly generated: readonly string[];
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

interface DevSecrets {
  clientId: string;
  clientSecret: string;
  eciesPrivateKey: string;
  eciesPublicKey: string;
  masterKey: string;
  operatorToken?: string;
}

type Env = (name: string) => string | undefined;

/**
 * Reads the configuration.
 * @throws {ConfigError} naming every missing or invalid variable (production refuses dev defaults)
 */
export async function loadConfig(env: Env = (name) => Deno.env.get(name)): Promise<GatewayConfig> {
  const problems: string[] = [];
  const mode = env("MODE") ?? "dev";
  if (mode !== "dev" && mode !== "production") problems.push("MODE must be dev or production");
  const production = mode === "production";
  const port = integer(env, "PORT", 8080, problems);
  const host = env("HOST") ?? "127.0.0.1";
  const dataDir = env("DATA_DIR") ?? "./data";
  const appUrl = (env("APP_URL") ?? `http://${host.includes(":") ? `[${host}]` : host}:${port}`).replace(
    /\/+$/,
    "",
  );

  if (production) {
    const required = [
      "DATABASE_URL",
      "APP_URL",
      "GENSTORE_CLIENT_ID",
      "GENSTORE_CLIENT_SECRET",
      "GENSTORE_API_BASE",
      "ECIES_PRIVATE_KEYS",
      "MASTER_KEY",
    ];
    const missing = required.filter((name) => !env(name));
    if (missing.length > 0) {
      problems.push(`MODE=production refuses dev defaults; set ${missing.join(", ")}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.join("; "));

  const generated: string[] = [];
  let dev: DevSecrets | undefined;
  const devSecret = async (name: string, pick: (secrets: DevSecrets) => string): Promise<string> => {
    const value = env(name);
    if (value) return value;
    dev ??= await loadDevSecrets(dataDir);
    generated.push(name);
    return pick(dev);
  };
  const clientId = await devSecret("GENSTORE_CLIENT_ID", (s) => s.clientId);
  const clientSecret = await devSecret("GENSTORE_CLIENT_SECRET", (s) => s.clientSecret);
  const eciesKeys = (await devSecret("ECIES_PRIVATE_KEYS", (s) => s.eciesPrivateKey)).split(",")
    .map((key) => key.trim()).filter((key) => key !== "");
  const masterKey = await devSecret("MASTER_KEY", (s) => s.masterKey);

  const config: GatewayConfig = {
    mode: production ? "production" : "dev",
    port,
    host,
    appUrl,
    databaseUrl: env("DATABASE_URL") || undefined,
    dataDir,
    clientId,
    clientSecret,
    genstoreApiBase: env("GENSTORE_API_BASE") || undefined,
    eciesPrivateKeys: eciesKeys,
    eciesHkdfInfo: env("ECIES_HKDF_INFO") ?? "",
    masterKey,
    answerBudgetMs: integer(env, "PAYMENT_ANSWER_BUDGET_MS", 8_000, problems),
    pspTimeoutMs: integer(env, "PSP_TIMEOUT_MS", 10_000, problems),
    reconcileFirstDelayMs: integer(env, "RECONCILE_FIRST_DELAY_MS", production ? 60_000 : 1_000, problems),
    reconcileMaxDelayMs: integer(env, "RECONCILE_MAX_DELAY_MS", production ? 3_600_000 : 5_000, problems),
    reconcileDeadlineMs: integer(env, "RECONCILE_DEADLINE_MS", production ? 86_400_000 : 300_000, problems),
    reconcileIntervalMs: integer(env, "RECONCILE_INTERVAL_MS", production ? 5_000 : 500, problems),
    pendingCheckDelayMs: integer(env, "PENDING_CHECK_DELAY_MS", production ? 300_000 : 5_000, problems),
    actionTimeoutMs: integer(env, "ACTION_TIMEOUT_MS", 30 * 60_000, problems),
    callbackBurst: integer(env, "CALLBACK_BURST", 40, problems),
    callbackPerSecond: number(env, "CALLBACK_RATE_PER_SECOND", 2, problems),
    outboxLeaseMs: integer(env, "OUTBOX_LEASE_MS", 30_000, problems),
    bindingCacheMs: integer(env, "BINDING_CACHE_MS", 2_000, problems),
    // Production without OPERATOR_TOKEN has no admin routes; dev mode generates one.
    operatorToken: env("OPERATOR_TOKEN") ||
      (production
        ? undefined
        : (await devSecret("OPERATOR_TOKEN", (s) => s.operatorToken ?? "")) || undefined),
    failpoint: env("GATEWAY_FAILPOINT") || undefined,
    pspExtraTestHosts:
      (env("PSP_EXTRA_TEST_HOSTS") ?? (production ? "" : "127.0.0.1:*,localhost:*,emulator.gateway.invalid"))
        .split(",").map((host) => host.trim()).filter((host) => host !== ""),
    logLevel: logLevel(env("LOG_LEVEL"), problems),
    generated,
  };
  if (problems.length > 0) throw new ConfigError(problems.join("; "));
  return config;
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

function integer(env: Env, name: string, fallback: number, problems: string[]): number {
  const value = env(name);
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0) {
    problems.push(`${name} must be a non-negative integer`);
    return fallback;
  }
  return parsed;
}

function number(env: Env, name: string, fallback: number, problems: string[]): number {
  const value = env(name);
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) {
    problems.push(`${name} must be a positive number`);
    return fallback;
  }
  return parsed;
}

function logLevel(value: string | undefined, problems: string[]): "info" | "warn" | "error" {
  if (value === undefined || value === "") return "info";
  if (value === "info" || value === "warn" || value === "error") return value;
  problems.push("LOG_LEVEL must be info, warn or error");
  return "info";
}
