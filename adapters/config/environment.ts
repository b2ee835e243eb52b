/**
 * The environment as one zod schema (contract section 1): every variable's form, its default, and what
 * production refuses. Reading it writes nothing and opens nothing, so a misconfiguration stops the process
 * before it touches a port, a directory or a database, with one line per problem and no stack trace.
 * @module
 */
import { z } from "zod";
import { decodeBase64 } from "../crypto/base64.ts";

/** The environment as the gateway uses it, before dev-mode secrets are filled in from DATA_DIR. */
export type Environment = z.infer<ReturnType<typeof environmentSchema>>;

export type Env = (name: string) => string | undefined;

/** Hosts a production URL may name over plain http: this machine only (tests, a TLS proxy beside the gateway). */
const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])$/;

/** Variables whose presence says "this is a real deployment": dev mode must not start on them silently. */
export const PRODUCTION_SETTINGS = ["GENSTORE_CLIENT_SECRET", "GENSTORE_API_BASE"] as const;

/** What production requires; the names of any that are missing are reported together. */
export const PRODUCTION_REQUIRED = [
  "DATABASE_URL",
  "APP_URL",
  "GENSTORE_CLIENT_ID",
  "GENSTORE_CLIENT_SECRET",
  "GENSTORE_API_BASE",
  "ECIES_PRIVATE_KEYS",
  "MASTER_KEY",
] as const;

/** Minimum lengths of secrets in production: long enough that guessing them is not a plan. */
const MIN_CLIENT_SECRET = 24;
const MIN_OPERATOR_TOKEN = 32;

const optionalText = z.string().trim().transform((value) => value === "" ? undefined : value).optional();

function count(name: string, fallback: number, options: { min?: number; max?: number } = {}) {
  const min = options.min ?? 0;
  return z.string().trim().optional().transform((value, ctx) => {
    if (value === undefined || value === "") return fallback;
    const parsed = Number(value);
    if (
      !Number.isSafeInteger(parsed) || parsed < min || (options.max !== undefined && parsed > options.max)
    ) {
      ctx.addIssue({
        code: "custom",
        message: options.max === undefined
          ? `${name} must be an integer of at least ${min}`
          : `${name} must be an integer from ${min} to ${options.max}`,
      });
      return z.NEVER;
    }
    return parsed;
  });
}

function positiveNumber(name: string, fallback: number) {
  return z.string().trim().optional().transform((value, ctx) => {
    if (value === undefined || value === "") return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0) {
      ctx.addIssue({ code: "custom", message: `${name} must be a positive number` });
      return z.NEVER;
    }
    return parsed;
  });
}

/** Parses an http(s) URL; in production only https, or http to this machine. */
function webUrl(name: string, production: boolean) {
  return optionalText.transform((value, ctx) => {
    if (value === undefined) return undefined;
    let url: URL;
    try {
      // `{shop}` is a placeholder of GENSTORE_API_BASE; any letters stand in for it while checking the form.
      url = new URL(value.replaceAll("{shop}", "shop"));
    } catch {
      ctx.addIssue({ code: "custom", message: `${name} must be an http(s) URL` });
      return z.NEVER;
    }
    const plain = url.protocol === "http:";
    if (!plain && url.protocol !== "https:") {
      ctx.addIssue({ code: "custom", message: `${name} must be an http(s) URL, not ${url.protocol}` });
      return z.NEVER;
    }
    if (production && plain && !LOOPBACK.test(url.hostname)) {
      ctx.addIssue({ code: "custom", message: `${name} must be an https URL in production` });
      return z.NEVER;
    }
    if (url.username !== "" || url.password !== "") {
      ctx.addIssue({ code: "custom", message: `${name} must not carry a user name or password` });
      return z.NEVER;
    }
    return value.replace(/\/+$/, "");
  });
}

/** A comma-separated list of Base64 values of `bytes` bytes (or any length when 0). */
function base64List(name: string, bytes: number) {
  return optionalText.transform((value, ctx) => {
    if (value === undefined) return undefined;
    const items = value.split(",").map((item) => item.trim()).filter((item) => item !== "");
    items.forEach((item, index) => {
      const decoded = decodeBase64(item);
      if (decoded === undefined || (bytes > 0 && decoded.length !== bytes)) {
        ctx.addIssue({
          code: "custom",
          // The position, never the value: these are keys.
          message: bytes > 0
            ? `${name}: key ${index + 1} must be Base64 of exactly ${bytes} bytes`
            : `${name}: key ${index + 1} is not Base64`,
        });
      }
      decoded?.fill(0);
    });
    return items.length === 0 ? undefined : items;
  });
}

/** The schema of the environment for one mode (production tightens what dev accepts). */
export function environmentSchema(production: boolean) {
  const secret = (name: string, min: number) =>
    optionalText.refine(
      (value) => !production || value === undefined || value.length >= min,
      `${name} must be at least ${min} characters in production`,
    );
  return z.object({
    MODE: z.enum(["dev", "production"], { error: "MODE must be dev or production" }).optional(),
    PORT: count("PORT", 8080, { max: 65_535 }),
    HOST: optionalText,
    DATABASE_URL: optionalText.refine(
      (value) => value === undefined || /^postgres(ql)?:\/\/[^\s]+$/.test(value),
      "DATABASE_URL must be a postgres:// URL",
    ),
    DATA_DIR: optionalText,
    APP_URL: webUrl("APP_URL", production),
    GENSTORE_CLIENT_ID: optionalText,
    GENSTORE_CLIENT_SECRET: secret("GENSTORE_CLIENT_SECRET", MIN_CLIENT_SECRET),
    GENSTORE_API_BASE: webUrl("GENSTORE_API_BASE", production),
    GENSTORE_SHOP_DOMAIN: optionalText.refine(
      (value) => value === undefined || /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(value),
      "GENSTORE_SHOP_DOMAIN must be a domain such as genmystore.com",
    ),
    GENSTORE_SCOPES: optionalText.refine(
      (value) => value === undefined || /^[a-z_]+(,[a-z_]+)*$/.test(value),
      "GENSTORE_SCOPES must be comma-separated scope names such as read_payments,write_payments",
    ),
    ECIES_PRIVATE_KEYS: base64List("ECIES_PRIVATE_KEYS", 0),
    ECIES_HKDF_INFO: z.string().optional(),
    MASTER_KEY: base64List("MASTER_KEY", 32),
    PAYMENT_ANSWER_BUDGET_MS: count("PAYMENT_ANSWER_BUDGET_MS", 8_000),
    PSP_TIMEOUT_MS: count("PSP_TIMEOUT_MS", 10_000, { min: 1 }),
    RECONCILE_FIRST_DELAY_MS: count("RECONCILE_FIRST_DELAY_MS", production ? 60_000 : 1_000),
    RECONCILE_MAX_DELAY_MS: count("RECONCILE_MAX_DELAY_MS", production ? 3_600_000 : 5_000),
    RECONCILE_DEADLINE_MS: count("RECONCILE_DEADLINE_MS", production ? 86_400_000 : 300_000),
    RECONCILE_INTERVAL_MS: count("RECONCILE_INTERVAL_MS", production ? 5_000 : 500, { min: 1 }),
    PENDING_CHECK_DELAY_MS: count("PENDING_CHECK_DELAY_MS", production ? 300_000 : 5_000),
    ACTION_TIMEOUT_MS: count("ACTION_TIMEOUT_MS", 30 * 60_000),
    CALLBACK_BURST: count("CALLBACK_BURST", 40, { min: 1 }),
    CALLBACK_RATE_PER_SECOND: positiveNumber("CALLBACK_RATE_PER_SECOND", 2),
    OUTBOX_LEASE_MS: count("OUTBOX_LEASE_MS", 30_000, { min: 1 }),
    BINDING_CACHE_MS: count("BINDING_CACHE_MS", 2_000),
    AUDIT_SEAL_INTERVAL_MS: count("AUDIT_SEAL_INTERVAL_MS", 500, { min: 1 }),
    REQUEST_BODY_TIMEOUT_MS: count("REQUEST_BODY_TIMEOUT_MS", 10_000, { min: 1 }),
    OPERATOR_TOKEN: secret("OPERATOR_TOKEN", MIN_OPERATOR_TOKEN),
    PSP_EXTRA_TEST_HOSTS: z.string().optional(),
    SANDBOX_PORT: count("SANDBOX_PORT", 0, { max: 65_535 }).optional(),
    GATEWAY_FAILPOINT: optionalText,
    LOG_LEVEL: z.enum(["info", "warn", "error"], { error: "LOG_LEVEL must be info, warn or error" })
      .optional(),
  });
}

export class ConfigError extends Error {
  /** One sentence per problem; the process prints each on its own line and exits 2. */
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(problems.join("; "));
    this.name = "ConfigError";
    this.problems = problems;
  }
}

const NAMES = Object.keys(environmentSchema(false).shape);

/**
 * Reads and checks the whole environment.
 * @throws {ConfigError} listing every problem: malformed values, production's missing settings and weak
 *   secrets, and dev mode asked for implicitly on a real deployment's settings
 */
export function readEnvironment(env: Env): Environment {
  const raw: Record<string, string | undefined> = {};
  for (const name of NAMES) raw[name] = env(name);
  const production = raw.MODE?.trim() === "production";
  const parsed = environmentSchema(production).safeParse(raw);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
  if (production) {
    const missing = PRODUCTION_REQUIRED.filter((name) => !raw[name]?.trim());
    if (missing.length > 0) problems.push(`MODE=production refuses dev defaults; set ${missing.join(", ")}`);
  } else if (raw.MODE === undefined || raw.MODE.trim() === "") {
    // Dev mode seeds a public demo shop and signs with whatever secret is configured: never on a deployment's
    // settings without being asked for by name.
    const present = PRODUCTION_SETTINGS.filter((name) => raw[name]?.trim());
    if (present.length > 0) {
      problems.push(
        `MODE is unset but production settings are present (${present.join(", ")}): ` +
          "set MODE=production, or MODE=dev to run dev mode with them",
      );
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return parsed.data;
}
