/** The admin CLI, run as a subprocess on the store under test, the way an operator runs it. */
import { match, ok, strictEqual as equal } from "node:assert/strict";
import { openTestDatabase, storeUnderTest } from "./support/databases.ts";

async function shops(
  env: Record<string, string>,
  args: string[],
  stdin?: string,
  extraEnv: Record<string, string> = {},
) {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/shops.ts", ...args],
    env: { ...env, ...extraEnv },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = command.spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const output = await child.output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test(`shops CLI (${storeUnderTest()}) adds, binds with validated credentials, lists and removes`, async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "shops-cli-" });
  const database = storeUnderTest() === "postgres" ? await openTestDatabase() : undefined;
  const env = { DATA_DIR: dataDir, ...(database?.url ? { DATABASE_URL: database.url } : {}) };
  try {
    equal((await shops(env, ["add", "acme", "--token", "shpat_secret_token"])).code, 0);
    const credentials = JSON.stringify({
      apiKey: "AQE_secret_key",
      merchantAccount: "AcmeECOM",
      hmacKeyHex: "00ff",
    });
    const bound = await shops(env, ["bind", "acme", "card", "adyen", "--test", "-"], credentials);
    equal(bound.code, 0, bound.stderr);

    const bad = await shops(
      env,
      ["bind", "acme", "card", "adyen", "--live", "-"],
      '{"apiKey":"AQE_live_key"}',
    );
    equal(bad.code, 2);
    match(bad.stderr, /merchantAccount/);
    ok(!bad.stderr.includes("AQE_live_key"), "a credential value was echoed");

    const live = JSON.stringify({
      apiKey: "AQE_live",
      merchantAccount: "AcmeLive",
      hmacKeyHex: "aa",
      liveUrlPrefix: "x1",
    });
    equal((await shops(env, ["bind", "acme", "card", "adyen", "--live", "-"], live)).code, 0);
    const listed = await shops(env, ["list"]);
    match(listed.stdout, /acme {2}access token: set/);
    match(listed.stdout, /card → adyen \(live\+test\)/, "binding live kept the test credentials");
    ok(!listed.stdout.includes("AQE_secret_key") && !listed.stdout.includes("shpat_secret_token"));

    equal((await shops(env, ["bind", "nobody", "card", "adyen", "--test", "-"], credentials)).code, 2);
    // Master key rotation: new key first, old key after it; then the old key can go.
    const oldKey = JSON.parse(await Deno.readTextFile(`${dataDir}/dev-secrets.json`)).masterKey;
    const newKey = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    const rotated = await shops(env, ["rotate-master-key"], undefined, { MASTER_KEY: `${newKey},${oldKey}` });
    equal(rotated.code, 0, rotated.stderr);
    match(rotated.stdout, /^3 secret\(s\) re-sealed/m);
    const afterRotation = await shops(env, ["list"], undefined, { MASTER_KEY: newKey });
    match(afterRotation.stdout, /card → adyen \(live\+test\)/);
    const bindAgain = await shops(env, ["bind", "acme", "card", "adyen", "--test", "-"], credentials, {
      MASTER_KEY: newKey,
    });
    equal(bindAgain.code, 0, "the live credentials open under the new key alone");

    // The old key alone no longer opens anything: refused at once, naming key ids, never a key.
    const stale = await shops(env, ["list"]);
    equal(stale.code, 2);
    match(
      stale.stderr,
      /^Cannot run: MASTER_KEY cannot open the secrets in the database: they are sealed with key id\(s\) [0-9a-f]{8}, the configured key id\(s\) are [0-9a-f]{8}/,
    );
    ok(!stale.stderr.includes(oldKey) && !stale.stderr.includes(newKey));
    equal((await shops(env, ["remove", "acme"], undefined, { MASTER_KEY: newKey })).code, 0);
    match((await shops(env, ["list"], undefined, { MASTER_KEY: newKey })).stdout, /No shops\./);
  } finally {
    await database?.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
