import { deepStrictEqual as same, match, ok, strictEqual as equal } from "node:assert/strict";
import { generateEciesKeyPair } from "../crypto/keys.ts";
import { generateMasterKey } from "../crypto/secret_box.ts";
import { ConfigError, loadConfig } from "./config.ts";

const KEYS = [await generateEciesKeyPair(), await generateEciesKeyPair()];

const PRODUCTION: Record<string, string> = {
  MODE: "production",
  DATABASE_URL: "postgres://gateway@db/gateway",
  APP_URL: "https://pay.example.com",
  GENSTORE_CLIENT_ID: "client",
  GENSTORE_CLIENT_SECRET: "a-real-client-secret-of-40-characters-xx",
  GENSTORE_API_BASE: "https://{shop}.genmystore.com",
  ECIES_PRIVATE_KEYS: `${KEYS[0].privateKeyPkcs8},${KEYS[1].privateKeyPkcs8}`,
  MASTER_KEY: generateMasterKey(),
};

function from(values: Record<string, string>) {
  return (name: string) => values[name];
}

async function problemsOf(values: Record<string, string>): Promise<readonly string[]> {
  try {
    await loadConfig(from(values));
  } catch (error) {
    ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  throw new Error("The configuration was accepted");
}

Deno.test("loadConfig() in production refuses every dev default and names what is missing", async () => {
  const [problem] = await problemsOf({ MODE: "production" });
  for (const name of Object.keys(PRODUCTION).filter((n) => n !== "MODE")) match(problem, new RegExp(name));
  const { MASTER_KEY: _, ...withoutMasterKey } = PRODUCTION;
  same(await problemsOf(withoutMasterKey), ["MODE=production refuses dev defaults; set MASTER_KEY"]);
});

Deno.test("loadConfig() in production takes everything from the environment and generates nothing", async () => {
  const config = await loadConfig(from(PRODUCTION));
  equal(config.mode, "production");
  equal(config.generated.length, 0);
  equal(config.operatorToken, undefined, "no admin routes without an operator token");
  equal(config.eciesPrivateKeys.length, 2);
  equal(config.reconcileFirstDelayMs, 60_000);
});

Deno.test("loadConfig() in production refuses weak secrets and non-https URLs, one problem each", async () => {
  const problems = await problemsOf({
    ...PRODUCTION,
    GENSTORE_CLIENT_SECRET: "x",
    OPERATOR_TOKEN: "a",
    APP_URL: "javascript:alert(1)",
    GENSTORE_API_BASE: "ftp://x/{shop}",
  });
  same(problems, [
    "APP_URL must be an http(s) URL, not javascript:",
    "GENSTORE_CLIENT_SECRET must be at least 24 characters in production",
    "GENSTORE_API_BASE must be an http(s) URL, not ftp:",
    "OPERATOR_TOKEN must be at least 32 characters in production",
  ]);
  same(await problemsOf({ ...PRODUCTION, APP_URL: "http://pay.example.com" }), [
    "APP_URL must be an https URL in production",
  ]);
  // Plain http to this machine is fine: a TLS proxy beside the gateway, or the tests' own processes.
  equal(
    (await loadConfig(from({ ...PRODUCTION, APP_URL: "http://127.0.0.1:9000" }))).appUrl,
    "http://127.0.0.1:9000",
  );
});

Deno.test("loadConfig() names a malformed key by its position, never its content", async () => {
  const broken = "not base64!";
  const problems = await problemsOf({
    ...PRODUCTION,
    ECIES_PRIVATE_KEYS: `${KEYS[0].privateKeyPkcs8},${broken}`,
    MASTER_KEY: `${generateMasterKey()},c2hvcnQ=`,
  });
  same(problems, [
    "ECIES_PRIVATE_KEYS: key 2 is not Base64",
    "MASTER_KEY: key 2 must be Base64 of exactly 32 bytes",
  ]);
  ok(problems.every((problem) => !problem.includes(broken)));
});

Deno.test("loadConfig() refuses to start dev mode implicitly on a deployment's settings", async () => {
  const { MODE: _, ...unset } = PRODUCTION;
  const [problem] = await problemsOf(unset);
  match(
    problem,
    /^MODE is unset but production settings are present \(GENSTORE_CLIENT_SECRET, GENSTORE_API_BASE\)/,
  );
  const dataDir = await Deno.makeTempDir();
  try {
    // Asked for by name, dev mode runs with them.
    equal((await loadConfig(from({ ...unset, MODE: "dev", DATA_DIR: dataDir }))).mode, "dev");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
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
  same(await problemsOf({ MODE: "staging" }), ["MODE must be dev or production"]);
  same(await problemsOf({ PSP_TIMEOUT_MS: "-1", PORT: "70000" }), [
    "PORT must be an integer from 0 to 65535",
    "PSP_TIMEOUT_MS must be an integer of at least 1",
  ]);
});
