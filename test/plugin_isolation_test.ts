/**
 * Plugins run in workers without permissions: a plugin cannot read the environment or files (other plugins'
 * secrets, the dev keys), run programs, or reach the network except through the gateway's transport, which
 * only reaches the hosts the plugin declared for the call's mode.
 */
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { guardHosts, hostMatches } from "../adapters/plugins/host_guard.ts";
import { loadPluginInWorker } from "../adapters/plugins/worker_host.ts";
import { createFetchPspHttp } from "../adapters/psp_http/fetch_psp_http.ts";
import { createJsonLogger } from "../adapters/logging/json_logger.ts";
import { PLUGIN_API_VERSION, type PspCallContext } from "../src/mod.ts";
import { PluginLoadError } from "../adapters/plugins/plugin_load_error.ts";

const logger = createJsonLogger({ write: () => {} });

Deno.test("hostMatches() matches declared hosts exactly, with * for one label part and explicit ports", () => {
  const rows: [string, string, boolean][] = [
    ["checkout-test.adyen.com", "checkout-test.adyen.com", true],
    ["checkout-test.adyen.com:443", "checkout-test.adyen.com", false],
    ["evil.com", "checkout-test.adyen.com", false],
    ["checkout-test.adyen.com.evil.com", "checkout-test.adyen.com", false],
    ["1797a841fbb37ca7-acme-checkout-live.adyenpayments.com", "*-checkout-live.adyenpayments.com", true],
    ["a.b-checkout-live.adyenpayments.com", "*-checkout-live.adyenpayments.com", false],
    ["api.paypal.com", "*.paypal.com", true],
    ["127.0.0.1:8080", "127.0.0.1:*", true],
    ["127.0.0.1:8080", "127.0.0.1", false],
    ["localhost:5432", "127.0.0.1:*", false],
  ];
  for (const [host, pattern, expected] of rows) {
    equal(hostMatches(host, pattern), expected, `${host} ~ ${pattern}`);
  }
});

Deno.test("guardHosts() never sends a request to a host the plugin did not declare", async () => {
  let sent = 0;
  const inner = { send: () => (sent++, Promise.resolve({ kind: "no_answer" as const, detail: "x" })) };
  const guarded = guardHosts(inner, ["checkout-test.adyen.com"], logger, "adyen");
  const deadline = Date.now() + 1000;
  for (const url of ["https://checkout-live.adyen.com/v71", "http://127.0.0.1:5432/", "file:///etc/passwd"]) {
    const result = await guarded.send({ method: "POST", url, operation: "x" }, deadline);
    equal(result.kind, "not_sent", url);
  }
  equal(sent, 0);
  equal(
    (await guarded.send(
      { method: "POST", url: "https://checkout-test.adyen.com/v71", operation: "x" },
      deadline,
    )).kind,
    "no_answer",
  );
  equal(sent, 1);
});

Deno.test({
  name: "a plugin in its worker can reach nothing but its declared hosts, through the gateway",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const secretsDir = await Deno.makeTempDir();
    const secretsFile = `${secretsDir}/dev-secrets.json`;
    await Deno.writeTextFile(secretsFile, '{"masterKey":"secret"}');
    const hits: string[] = [];
    const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (request) => {
      hits.push(new URL(request.url).pathname);
      return new Response("ok");
    });
    const target = `http://127.0.0.1:${server.addr.port}/steal`;
    const plugin = await loadPluginInWorker({
      id: "evil",
      module: new URL("./fixtures/evil_plugin/mod.ts", import.meta.url),
      factory: "createEvilPlugin",
    });
    try {
      const ctx: PspCallContext = {
        idempotencyKey: "gw-k-p1",
        deadline: Date.now() + 5_000,
        credentials: { key: "k", target, secretsFile },
        test: true,
        http: guardHosts(createFetchPspHttp({ logger }), plugin.manifest.hosts.test, logger, "evil"),
      };
      const outcome = await plugin.pay({
        reference: "demo.x",
        amount: { amountMinor: 100, currency: "EUR" },
        captureMode: "sale",
        returnUrl: "https://gateway.example/return",
        shopper: {},
      }, ctx);
      equal(outcome.kind, "unknown");
      const report = JSON.parse(outcome.kind === "unknown" ? outcome.detail : "{}");
      deepEqual(report, {
        env: "NotCapable",
        readSecrets: "NotCapable",
        directFetch: "NotCapable",
        run: "NotCapable",
        write: "NotCapable",
        proxiedFetch: "not_sent",
      });
      deepEqual(hits, [], "nothing reached the loopback server");
      ok(await Deno.stat("/tmp/evil-plugin-was-here").then(() => false, () => true));
      deepEqual(await plugin.validateCredentials("test", { key: 1 }), {
        ok: false,
        issues: ["key: Invalid input: expected string, received number"],
      });
    } finally {
      plugin.terminate();
      await server.shutdown();
      await Deno.remove(secretsDir, { recursive: true });
    }
  },
});

Deno.test("a plugin written for another port version is refused at load, with one line naming both versions", async () => {
  const error = await loadPluginInWorker({
    id: "old",
    module: new URL("./fixtures/old_port_plugin/mod.ts", import.meta.url),
    factory: "createOldPortPlugin",
  }).then(() => undefined, (error: unknown) => error);
  ok(error instanceof PluginLoadError, String(error));
  equal(
    error.message,
    `Plugin old is written for plugin port version 1; this gateway speaks version ${PLUGIN_API_VERSION}`,
  );
});
