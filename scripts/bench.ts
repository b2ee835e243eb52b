/**
 * `deno task bench`: the performance benchmark, in one run on this machine.
 *
 * - Card sales end to end: signed POST /v1/ext/card/payments with an encrypted approved card → gateway → the
 *   bundled Adyen emulator over HTTP → synchronous answer, and the `payment` callback received by a fake
 *   Genstore. On the embedded store (PGlite in a temporary DATA_DIR, the real default) and on PostgreSQL when
 *   DATABASE_URL is set or a server answers at postgres://postgres:postgres@127.0.0.1:5432/postgres (a fresh
 *   database is created for the run and dropped afterwards).
 * - A bare Hono echo server, same load generator, same bodies: the reference.
 *
 * Options: `--concurrency N` (16), `--requests N` (1500), `--warmup N` (100), `--json <path>` (write results).
 * Exit code 0 when every answer and every callback checked out, 1 otherwise.
 * @module
 */
import { Hono } from "hono";
import postgres from "postgres";
import { loadConfig } from "../adapters/config/config.ts";
import { generateEciesKeyPair } from "../adapters/crypto/keys.ts";
import { generateMasterKey } from "../adapters/crypto/secret_box.ts";
import { createGenstoreClient } from "../adapters/dev/genstore_client.ts";
import { signBody } from "../adapters/genstore/signature.ts";
import { createJsonLogger } from "../adapters/logging/json_logger.ts";
import { startGateway } from "../adapters/server/gateway.ts";
import { startCallbackSink } from "./_bench_genstore.ts";
import { type LoadAnswer, type LoadItem, type LoadResult, percentile, runLoad } from "./_bench_load.ts";

const DEFAULT_POSTGRES = "postgres://postgres:postgres@127.0.0.1:5432/postgres";
const SHOP_DOMAIN = "demo.genmystore.com";
const AMOUNT = "10.00";
/** Raised far above Genstore's real per-shop limit (40 burst, 2/s), which would otherwise be the bottleneck. */
const CALLBACK_LIMIT = "1000000";
const CALLBACK_WAIT_MS = 30_000;

interface Options {
  readonly concurrency: number;
  readonly requests: number;
  readonly warmup: number;
  readonly json?: string;
}

interface Measured {
  readonly name: string;
  readonly unit: "pay/s" | "req/s";
  readonly requests: number;
  readonly wallMs: number;
  readonly throughput: number;
  readonly answerP50Ms: number;
  readonly answerP99Ms: number;
  readonly answerMaxMs: number;
  /** Process CPU (all threads) / wall time: ~100% means one core busy. */
  readonly cpuPercent: number;
  readonly cpuMsPerRequest: number;
  readonly callbackP50Ms?: number;
  readonly callbackP99Ms?: number;
  readonly callbackMaxMs?: number;
  /** Requests / (first send → last callback received). */
  readonly endToEndThroughput?: number;
  readonly warnings?: number;
  readonly duplicateCallbacks?: number;
}

class BenchFailure extends Error {}

function parseOptions(args: readonly string[]): Options {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--")) throw new BenchFailure(`Unexpected argument ${arg}`);
    const equals = arg.indexOf("=");
    if (equals !== -1) {
      values.set(arg.slice(2, equals), arg.slice(equals + 1));
    } else if (arg === "--json" && (args[i + 1] === undefined || args[i + 1].startsWith("--"))) {
      values.set("json", "bench-results.json");
    } else {
      values.set(arg.slice(2), args[++i] ?? "");
    }
  }
  const count = (name: string, fallback: number, min: number): number => {
    const raw = values.get(name);
    values.delete(name);
    if (raw === undefined) return fallback;
    const parsed = Number(raw);
    if (!Number.isSafeInteger(parsed) || parsed < min) {
      throw new BenchFailure(`--${name} must be an integer >= ${min}`);
    }
    return parsed;
  };
  const options = {
    concurrency: count("concurrency", 16, 1),
    requests: count("requests", 1500, 1),
    warmup: count("warmup", 100, 0),
    json: values.get("json"),
  };
  values.delete("json");
  if (values.size > 0) {
    throw new BenchFailure(`Unknown option(s): ${[...values.keys()].map((k) => `--${k}`)}`);
  }
  return options;
}

/** The run's inputs, prepared before anything is timed. */
interface Prepared {
  readonly clientSecret: string;
  readonly privateKey: string;
  /** Payment objects with encrypted cards; `paymentId` is set per store. */
  readonly templates: readonly Record<string, unknown>[];
}

async function prepare(count: number): Promise<Prepared> {
  const keys = await generateEciesKeyPair();
  const clientSecret = Array.from(
    crypto.getRandomValues(new Uint8Array(32)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
  const client = createGenstoreClient({
    gatewayUrl: "http://unused.invalid",
    clientSecret,
    publicKey: keys.publicKeySpki,
    shopDomain: SHOP_DOMAIN,
  });
  // One encryption per payment (each with a fresh ephemeral key, as Genstore does); reused across stores,
  // which are separate databases.
  const templates = Array.from(
    { length: count },
    () => client.paymentBody({ paymentId: "x", amount: AMOUNT }),
  );
  return { clientSecret, privateKey: keys.privateKeyPkcs8, templates };
}

/** Serialises and signs (untimed) the payments `prefix-0..n`. */
async function buildItems(
  prepared: Prepared,
  prefix: string,
  from: number,
  count: number,
): Promise<LoadItem[]> {
  const encoder = new TextEncoder();
  const items: LoadItem[] = [];
  for (let i = from; i < from + count; i++) {
    const id = `${prefix}-${i}`;
    const body = encoder.encode(JSON.stringify({ ...prepared.templates[i], paymentId: id }));
    items.push({
      id,
      body,
      headers: {
        "content-type": "application/json",
        "x-genstore-shop-domain": SHOP_DOMAIN,
        "x-genstore-hmac-sha256": await signBody(prepared.clientSecret, body),
      },
    });
  }
  return items;
}

function parsed(answer: LoadAnswer): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(answer.text);
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A sale answer must be 200 with a channelPaymentId and no error. */
function checkSale(_item: LoadItem, answer: LoadAnswer): string | undefined {
  const body = parsed(answer);
  if (answer.status !== 200) return `HTTP ${answer.status} ${answer.text.slice(0, 200)}`;
  if (body === undefined || typeof body.channelPaymentId !== "string" || body.channelPaymentId === "") {
    return `no channelPaymentId in ${answer.text.slice(0, 200)}`;
  }
  if (body.error !== undefined) return `error ${String(body.error)}`;
  return undefined;
}

function failLoudly(what: string, failures: readonly string[]): never {
  const shown = failures.slice(0, 10).map((line) => `    ${line}`).join("\n");
  throw new BenchFailure(
    `${what}: ${failures.length} failure(s)\n${shown}${failures.length > 10 ? "\n    ..." : ""}`,
  );
}

function summarise(
  name: string,
  unit: Measured["unit"],
  result: LoadResult,
): Measured {
  const n = result.latencies.length;
  return {
    name,
    unit,
    requests: n,
    wallMs: result.wallMs,
    throughput: n / (result.wallMs / 1000),
    answerP50Ms: percentile(result.latencies, 50),
    answerP99Ms: percentile(result.latencies, 99),
    answerMaxMs: Math.max(...result.latencies),
    cpuPercent: (result.cpuMs / result.wallMs) * 100,
    cpuMsPerRequest: result.cpuMs / n,
  };
}

async function benchEcho(options: Options, prepared: Prepared): Promise<Measured> {
  const app = new Hono();
  app.post("/echo", async (c) => {
    const body = await c.req.arrayBuffer();
    return c.json({ channelPaymentId: "ECHO000000000000", bytes: body.byteLength });
  });
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  try {
    const url = `http://127.0.0.1:${server.addr.port}/echo`;
    const warm = await runLoad(
      url,
      await buildItems(prepared, "echo-w", 0, options.warmup),
      options.concurrency,
      checkSale,
    );
    if (warm.failures.length > 0) failLoudly("echo warm-up", warm.failures);
    const items = await buildItems(prepared, "echo", options.warmup, options.requests);
    const result = await runLoad(url, items, options.concurrency, checkSale);
    if (result.failures.length > 0) failLoudly("echo", result.failures);
    return summarise("Hono echo (reference)", "req/s", result);
  } finally {
    await server.shutdown();
  }
}

async function benchGateway(
  name: string,
  prefix: string,
  options: Options,
  prepared: Prepared,
  databaseUrl?: string,
): Promise<Measured> {
  const sink = startCallbackSink();
  const dataDir = await Deno.makeTempDir({ prefix: "gateway-bench-" });
  const env: Record<string, string> = {
    MODE: "dev",
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    GENSTORE_CLIENT_ID: "bench-client",
    GENSTORE_CLIENT_SECRET: prepared.clientSecret,
    GENSTORE_API_BASE: sink.apiBase,
    ECIES_PRIVATE_KEYS: prepared.privateKey,
    MASTER_KEY: generateMasterKey(),
    CALLBACK_BURST: CALLBACK_LIMIT,
    CALLBACK_RATE_PER_SECOND: CALLBACK_LIMIT,
    LOG_LEVEL: "warn",
    ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
  };
  const config = await loadConfig((key) => env[key]);
  let warnings = 0;
  const logger = createJsonLogger({
    level: config.logLevel,
    write(line) {
      warnings++;
      if (warnings <= 5) console.error(`  [gateway log] ${line}`);
      else if (warnings === 6) console.error("  [gateway log] ... (further lines counted, not shown)");
    },
  });
  const gateway = await startGateway(config, { logger });
  try {
    const url = `${gateway.url}/v1/ext/card/payments`;
    const warmItems = await buildItems(prepared, `${prefix}-w`, 0, options.warmup);
    const warm = await runLoad(url, warmItems, options.concurrency, checkSale);
    if (warm.failures.length > 0) failLoudly(`${name} warm-up`, warm.failures);
    const warmMissing = await sink.waitFor(warmItems.map((item) => `payment/${item.id}`), CALLBACK_WAIT_MS);
    if (warmMissing.length > 0) failLoudly(`${name} warm-up callbacks missing`, warmMissing);

    const items = await buildItems(prepared, prefix, options.warmup, options.requests);
    const result = await runLoad(url, items, options.concurrency, checkSale);
    if (result.failures.length > 0) failLoudly(name, result.failures);
    const keys = items.map((item) => `payment/${item.id}`);
    const missing = await sink.waitFor(keys, CALLBACK_WAIT_MS);
    if (missing.length > 0) {
      failLoudly(`${name}: callbacks not received within ${CALLBACK_WAIT_MS} ms`, missing);
    }

    const problems: string[] = [...sink.refused];
    const callbackLatencies: number[] = [];
    let lastCallback = 0;
    let duplicates = 0;
    items.forEach((item, index) => {
      const callback = sink.received.get(`payment/${item.id}`)!;
      const answer = parsed(result.answers[index])!;
      if (callback.body.status !== true) {
        problems.push(
          `${item.id}: callback status ${JSON.stringify(callback.body.status)} ${callback.body.error ?? ""}`,
        );
      }
      if (callback.body.channelPaymentId !== answer.channelPaymentId) {
        problems.push(`${item.id}: callback channelPaymentId differs from the answer's`);
      }
      if (callback.body.amount !== AMOUNT) {
        problems.push(`${item.id}: callback amount ${callback.body.amount}`);
      }
      if (callback.count > 1) duplicates += callback.count - 1;
      callbackLatencies.push(callback.at - result.sentAt[index]);
      lastCallback = Math.max(lastCallback, callback.at);
    });
    if (problems.length > 0) failLoudly(`${name} callbacks`, problems);
    const firstSent = Math.min(...result.sentAt);
    return {
      ...summarise(name, "pay/s", result),
      callbackP50Ms: percentile(callbackLatencies, 50),
      callbackP99Ms: percentile(callbackLatencies, 99),
      callbackMaxMs: Math.max(...callbackLatencies),
      endToEndThroughput: items.length / ((lastCallback - firstSent) / 1000),
      warnings,
      duplicateCallbacks: duplicates,
    };
  } finally {
    await gateway.stop();
    await sink.close();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

/** The PostgreSQL server to use, or why there is none. */
async function findPostgres(): Promise<{ url: string } | { skipped: string }> {
  const url = Deno.env.get("DATABASE_URL") || DEFAULT_POSTGRES;
  const probe = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await probe`SELECT 1`;
    return { url };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { skipped: `no PostgreSQL answered at ${redact(url)} (${why}); set DATABASE_URL to include it` };
  } finally {
    await probe.end({ timeout: 1 }).catch(() => {});
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}

/** Creates a fresh database for the run; `drop` removes it. */
async function freshDatabase(
  serverUrl: string,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `gw_bench_${Date.now().toString(36)}_${crypto.randomUUID().slice(0, 8)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const parsedUrl = new URL(serverUrl);
  parsedUrl.pathname = `/${name}`;
  return {
    url: parsedUrl.toString(),
    name,
    async drop() {
      const dropper = postgres(serverUrl, { max: 1, onnotice: () => {} });
      try {
        await dropper.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

const ms = (value: number | undefined) => value === undefined ? "—" : `${value.toFixed(1)} ms`;

function printTable(results: readonly Measured[], echo: Measured): void {
  const header = [
    "run",
    "throughput",
    "answer p50",
    "answer p99",
    "answer max",
    "→callback p50",
    "→callback p99",
    "→callback max",
    "e2e (callbacks/s)",
    "CPU",
    "vs echo",
  ];
  const rows = results.map((r) => [
    r.name,
    `${r.throughput.toFixed(0)} ${r.unit}`,
    ms(r.answerP50Ms),
    ms(r.answerP99Ms),
    ms(r.answerMaxMs),
    ms(r.callbackP50Ms),
    ms(r.callbackP99Ms),
    ms(r.callbackMaxMs),
    r.endToEndThroughput === undefined ? "—" : `${r.endToEndThroughput.toFixed(0)}/s`,
    `${r.cpuPercent.toFixed(0)}% (${r.cpuMsPerRequest.toFixed(2)} ms/req)`,
    r === echo ? "1.000" : (r.throughput / echo.throughput).toFixed(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<number> {
  const options = parseOptions(Deno.args);
  const started = performance.now();
  console.log(
    `Benchmark: ${options.requests} requests per run after ${options.warmup} warm-up, concurrency ${options.concurrency}; ` +
      `load generator in this process (fetch, keep-alive).`,
  );
  console.log(
    `Gateway: dev mode, bundled Adyen emulator over HTTP, LOG_LEVEL=warn, callback rate limit raised to ` +
      `CALLBACK_BURST=${CALLBACK_LIMIT} CALLBACK_RATE_PER_SECOND=${CALLBACK_LIMIT} (Genstore's real 40 burst + 2/s ` +
      `per shop would otherwise be the bottleneck).`,
  );
  const postgresServer = await findPostgres();

  const total = options.warmup + options.requests;
  const prepareStarted = performance.now();
  const prepared = await prepare(total);
  console.log(
    `Prepared ${total} payments with encrypted cards (4242424242424242) in ${
      ((performance.now() - prepareStarted) / 1000).toFixed(1)
    } s; bodies ~${
      (await buildItems(prepared, "size", 0, 1))[0].body.byteLength
    } bytes, signed before timing.`,
  );

  const results: Measured[] = [];
  const notes: string[] = [];
  console.log("\n• Hono echo ...");
  const echo = await benchEcho(options, prepared);
  results.push(echo);

  console.log("• gateway on PGlite (temporary DATA_DIR on disk) ...");
  results.push(await benchGateway("gateway, PGlite (disk)", "bench-pglite", options, prepared));

  if ("url" in postgresServer) {
    const database = await freshDatabase(postgresServer.url);
    console.log(
      `• gateway on PostgreSQL (fresh database ${database.name} on ${redact(postgresServer.url)}) ...`,
    );
    try {
      results.push(await benchGateway("gateway, PostgreSQL", "bench-pg", options, prepared, database.url));
    } finally {
      await database.drop();
    }
  } else {
    notes.push(`PostgreSQL skipped: ${postgresServer.skipped}`);
  }

  console.log("");
  printTable(results, echo);
  console.log("");
  console.log(
    "throughput = requests / (first send → last synchronous answer); answer = request sent → answer body read; " +
      "→callback = request sent → payment callback received by the fake Genstore; e2e = requests / (first send → " +
      "last callback); CPU = this process's CPU time / wall time (gateway, emulator, fake Genstore and load " +
      "generator share it).",
  );
  console.log(
    "All figures come from this single run (no repetition, no median across runs): expect run-to-run noise.",
  );
  const gatewayRuns = results.filter((r) => r !== echo);
  const warned = gatewayRuns.filter((r) => (r.warnings ?? 0) > 0 || (r.duplicateCallbacks ?? 0) > 0);
  for (const r of warned) {
    notes.push(
      `${r.name}: ${r.warnings} gateway warn/error log line(s), ${r.duplicateCallbacks} duplicate callback(s)`,
    );
  }
  for (const note of notes) console.log(`Note: ${note}`);

  if (options.json !== undefined) {
    await Deno.writeTextFile(
      options.json,
      JSON.stringify(
        {
          at: new Date().toISOString(),
          singleRun: true,
          options: { concurrency: options.concurrency, requests: options.requests, warmup: options.warmup },
          callbackLimits: { burst: Number(CALLBACK_LIMIT), perSecond: Number(CALLBACK_LIMIT) },
          deno: Deno.version.deno,
          results: results.map((r) => ({ ...r, ratioToEcho: r.throughput / echo.throughput })),
          notes,
        },
        null,
        2,
      ) + "\n",
    );
    console.log(`Results written to ${options.json}`);
  }

  const summary = gatewayRuns.map((r) =>
    `${r.name.replace("gateway, ", "")} ${r.throughput.toFixed(0)} pay/s (answer p99 ${
      r.answerP99Ms.toFixed(0)
    } ms, ` +
    `callback p99 ${r.callbackP99Ms!.toFixed(0)} ms, ${
      ((r.throughput / echo.throughput) * 100).toFixed(1)
    }% of echo)`
  );
  console.log(
    `\nSUMMARY: ${summary.join("; ")}; echo ${
      echo.throughput.toFixed(0)
    } req/s; concurrency ${options.concurrency}, ` +
      `${options.requests} requests, single run, ${((performance.now() - started) / 1000).toFixed(1)} s.`,
  );
  return 0;
}

let code: number;
try {
  code = await main();
} catch (error) {
  console.error(`\nBENCH FAILED: ${error instanceof Error ? error.message : String(error)}`);
  if (!(error instanceof BenchFailure) && error instanceof Error && error.stack) console.error(error.stack);
  code = 1;
}
// Everything was stopped above; exit explicitly so a stray timer in a dependency cannot keep the process alive.
Deno.exit(code);
