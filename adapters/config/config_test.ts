import { match, ok, rejects, strictEqual as equal } from "node:assert/strict";
import { ConfigError, loadConfig } from "./config.ts";

const PRODUCTION = {
  MODE: "production",
  DATABASE_URL: "postgres://gateway@db/gateway",
  APP_URL: "https://pay.example.com",
  GENSTORE_CLIENT_ID: "client",
  GENSTORE_CLIENT_SECRET: "secret",
  GENSTORE_API_BASE: "https://{shop}.genmystore.com",
  ECIES_PRIVATE_KEYS: "key-one,key-two",
  MASTER_KEY: "master",
};

Deno.test("loadConfig() in production refuses every dev default and names what is missing", async () => {
  await rejects(() => loadConfig((name) => name === "MODE" ? "production" : undefined), (error: Error) => {
    ok(error instanceof ConfigError);
    for (const name of Object.keys(PRODUCTION).filter((n) => n !== "MODE")) {
      match(error.message, new RegExp(name));
    }
    return true;
  });
  const { MASTER_KEY: _, ...withoutMasterKey } = PRODUCTION;
  await rejects(
    () => loadConfig((name) => (withoutMasterKey as Record<string, string>)[name]),
    /MODE=production refuses dev defaults; set MASTER_KEY$/,
  );
});

Deno.test("loadConfig() in production takes everything from the environment and generates nothing", async () => {
  const config = await loadConfig((name) => (PRODUCTION as Record<string, string>)[name]);
  equal(config.mode, "production");
  equal(config.generated.length, 0);
  equal(config.operatorToken, undefined, "no admin routes without an operator token");
  equal(config.eciesPrivateKeys.length, 2);
  equal(config.reconcileFirstDelayMs, 60_000);
});

Deno.test("loadConfig() in dev mode generates secrets once into DATA_DIR and keeps them", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const first = await loadConfig((name) => name === "DATA_DIR" ? dataDir : undefined);
    const second = await loadConfig((name) => name === "DATA_DIR" ? dataDir : undefined);
    equal(first.mode, "dev");
    equal(first.clientSecret, second.clientSecret);
    equal(first.masterKey, second.masterKey);
    ok(first.generated.includes("GENSTORE_CLIENT_SECRET"));
    equal((await Deno.stat(`${dataDir}/dev-secrets.json`)).mode! & 0o077, 0, "readable by its owner only");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("loadConfig() rejects malformed numbers and modes", async () => {
  await rejects(
    () => loadConfig((name) => ({ MODE: "staging" } as Record<string, string>)[name]),
    /MODE must be/,
  );
  await rejects(
    () => loadConfig((name) => ({ PSP_TIMEOUT_MS: "-1" } as Record<string, string>)[name]),
    /PSP_TIMEOUT_MS must be a non-negative integer/,
  );
});
