/**
 * Starting the gateway the way a user does, including the wrong ways: a second gateway on one embedded store,
 * the CLIs while a gateway runs, a taken port, an unusable DATA_DIR, an unreachable database, a wrong master
 * key, an unparseable ECIES key, a dev process on a production database and the reverse. Each refusal is one
 * line and exit code 2, before anything is written; nothing committed is lost.
 */
import { match, ok, strictEqual as equal } from "node:assert/strict";
import { generateEciesKeyPair } from "../../adapters/crypto/keys.ts";
import { generateMasterKey } from "../../adapters/crypto/secret_box.ts";
import { openTestDatabase, postgresOnly } from "../support/databases.ts";
import { freePort, run, spawn, waitReady } from "../support/processes.ts";

const SECRET = "startup-test-client-secret-0123456789";

/** The last non-empty line a refused process printed. */
function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "startup-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "a second gateway on one DATA_DIR stops with one line, and the CLIs go through the running gateway",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withTempDir(async (dir) => {
      const dataDir = `${dir}/data`;
      const port = freePort();
      const first = spawn("main.ts", { MODE: "dev", DATA_DIR: dataDir, PORT: String(port) });
      try {
        await waitReady(first, `http://127.0.0.1:${port}`);
        const second = await run("main.ts", { MODE: "dev", DATA_DIR: dataDir, PORT: String(freePort()) });
        equal(second.code, 2);
        equal(
          lastLine(second.stderr).replace(/pid \d+/, "pid N").replace(/since \S+\)/, "since T)"),
          `Cannot start: DATA_DIR ${dataDir} is in use by gateway (pid N on http://127.0.0.1:${port}, since T): ` +
            "the embedded database serves one process; stop it, use another DATA_DIR, or set DATABASE_URL to " +
            "run several gateways on one PostgreSQL",
        );
        const added = await run("scripts/shops.ts", { MODE: "dev", DATA_DIR: dataDir }, ["add", "acme"]);
        equal(added.code, 0, added.stderr);
        match(added.stdout, /Shop acme added\./);
        const listed = await run("scripts/shops.ts", { MODE: "dev", DATA_DIR: dataDir }, ["list"]);
        match(listed.stdout, /^acme {2}access token: missing$/m);
        const audit = await run("scripts/audit.ts", { MODE: "dev", DATA_DIR: dataDir }, ["verify"]);
        equal(audit.code, 0, audit.stderr);
      } finally {
        first.kill("SIGTERM");
        equal((await first.status).code, 0);
      }
      // What the CLI did through the gateway is in the store the gateway closed.
      const after = await run("scripts/shops.ts", { MODE: "dev", DATA_DIR: dataDir }, ["list"]);
      equal(after.code, 0, after.stderr);
      match(after.stdout, /^acme {2}access token: missing$/m);
    }),
});

Deno.test({
  name: "a taken port, an unusable DATA_DIR or an unreachable database: one line, exit 2, nothing written",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withTempDir(async (dir) => {
      const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      try {
        const port = (taken.addr as Deno.NetAddr).port;
        const refused = await run("main.ts", { MODE: "dev", DATA_DIR: `${dir}/fresh`, PORT: String(port) });
        equal(refused.code, 2);
        equal(
          lastLine(refused.stderr),
          `Cannot start: PORT ${port} on 127.0.0.1 is already in use (another gateway, or another program): ` +
            "set PORT to a free port",
        );
        ok(!/\n\s+at /.test(refused.stderr), "no stack trace");
        equal(await exists(`${dir}/fresh`), false, "DATA_DIR was not created");
      } finally {
        taken.close();
      }

      await Deno.writeTextFile(`${dir}/a-file`, "not a directory");
      const unusable = await run("main.ts", {
        MODE: "dev",
        DATA_DIR: `${dir}/a-file`,
        PORT: String(freePort()),
      });
      equal(unusable.code, 2);
      match(lastLine(unusable.stderr), /^Cannot start: DATA_DIR .*a-file is not usable: /);

      const unreachable = await run("main.ts", {
        MODE: "dev",
        DATA_DIR: `${dir}/pg`,
        PORT: String(freePort()),
        DATABASE_URL: `postgres://gateway:hunter2secret@127.0.0.1:${freePort()}/gateway`,
      });
      equal(unreachable.code, 2);
      match(
        lastLine(unreachable.stderr),
        /^Cannot start: DATABASE_URL: cannot reach PostgreSQL at 127\.0\.0\.1:\d+\/gateway: connection refused$/,
      );
      ok(!unreachable.stderr.includes("hunter2secret"), "the password was printed");
    }),
});

Deno.test({
  name:
    "a malformed configuration is one line per problem, and an ECIES key that does not parse stops the start",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withTempDir(async (dir) => {
      const weak = await run("main.ts", {
        MODE: "production",
        DATABASE_URL: "postgres://gateway@127.0.0.1/gateway",
        APP_URL: "javascript:alert(1)",
        GENSTORE_CLIENT_ID: "client",
        GENSTORE_CLIENT_SECRET: "x",
        GENSTORE_API_BASE: "ftp://x/{shop}",
        ECIES_PRIVATE_KEYS: "bm90IGEga2V5",
        MASTER_KEY: "short",
        OPERATOR_TOKEN: "a",
      });
      equal(weak.code, 2);
      const lines = weak.stderr.trim().split("\n").filter((line) => line.startsWith("Configuration error: "));
      equal(lines.length, 5, weak.stderr);
      ok(!/\n\s+at /.test(weak.stderr), "no stack trace");

      const notAKey = await run("main.ts", {
        MODE: "dev",
        DATA_DIR: `${dir}/data`,
        PORT: String(freePort()),
        ECIES_PRIVATE_KEYS: `${(await generateEciesKeyPair()).privateKeyPkcs8},bm90IGEga2V5`,
      });
      equal(notAKey.code, 2);
      equal(
        lastLine(notAKey.stderr),
        "Cannot start: ECIES_PRIVATE_KEYS: key 2 is not a Base64 PKCS#8 P-256 private key",
      );
    }),
});

Deno.test({
  ...postgresOnly(
    "a second process with another MASTER_KEY, or of the other mode, refuses to start on one PostgreSQL",
  ),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const database = await openTestDatabase({ migrated: false });
    const keys = await generateEciesKeyPair();
    const production = (masterKey: string, port: number) => ({
      MODE: "production",
      PORT: String(port),
      APP_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: database.url!,
      GENSTORE_CLIENT_ID: "client",
      GENSTORE_CLIENT_SECRET: SECRET,
      GENSTORE_API_BASE: "http://127.0.0.1:1/{shop}",
      ECIES_PRIVATE_KEYS: keys.privateKeyPkcs8,
      MASTER_KEY: masterKey,
      OPERATOR_TOKEN: "startup-test-operator-token-0123456789",
    });
    const masterKey = generateMasterKey();
    const port = freePort();
    const first = spawn("main.ts", production(masterKey, port));
    try {
      await waitReady(first, `http://127.0.0.1:${port}`);
      const other = generateMasterKey();
      const refused = await run("main.ts", production(other, freePort()));
      equal(refused.code, 2);
      match(
        lastLine(refused.stderr),
        /^Cannot start: MASTER_KEY cannot open the secrets in the database: they are sealed with key id\(s\) [0-9a-f]{8}, the configured key id\(s\) are [0-9a-f]{8}; /,
      );
      ok(!refused.stderr.includes(masterKey) && !refused.stderr.includes(other), "a key was printed");

      const devOnProduction = await run("main.ts", {
        MODE: "dev",
        PORT: String(freePort()),
        DATA_DIR: await Deno.makeTempDir(),
        DATABASE_URL: database.url!,
        MASTER_KEY: masterKey,
      });
      equal(devOnProduction.code, 2);
      match(
        lastLine(devOnProduction.stderr),
        /^Cannot start: The database is a production gateway's and this process runs in dev mode/,
      );

      // Another process rotates the key away: the first one cannot open the secrets any more and says so.
      const added = await run("scripts/shops.ts", production(masterKey, 0), [
        "add",
        "acme",
        "--token",
        "t0ken",
      ]);
      equal(added.code, 0, added.stderr);
      const rotated = await run("scripts/shops.ts", production(`${other},${masterKey}`, 0), [
        "rotate-master-key",
      ]);
      equal(rotated.code, 0, rotated.stderr);
      const deadline = Date.now() + 15_000;
      let status = 200;
      while (Date.now() < deadline && status === 200) {
        const response = await fetch(`http://127.0.0.1:${port}/readyz`);
        status = response.status;
        await response.body?.cancel();
        if (status === 200) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      equal(status, 503, "readyz reports the process that lost the ability to open the secrets");
    } finally {
      first.kill("SIGKILL");
      await first.status;
      await database.close();
    }
  },
});

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
