/**
 * `deno task bench`: the performance benchmark, one run on this machine, printed as a table with the targets
 * beside the figures.
 *
 * Every measured program is its own process, as in production: the gateway (`main.ts`), the bundled sandbox
 * (`scripts/sandbox.ts`, the PSP emulators) and the reference, a bare Hono JSON echo. The load generator and a
 * fake Genstore receiving the callbacks share this process. A card sale is a signed POST with an encrypted
 * approved card → gateway → the sandbox's Adyen emulator over HTTP → the synchronous answer, and counts when its
 * `payment` callback arrives.
 *
 * Runs: the echo; PostgreSQL (one gateway process, closed loop; then a fixed 300 sales/s; then two processes
 * sharing the database; then 100 shops under Genstore's real per-shop limit, one of them busy); the embedded
 * store (dev mode). PostgreSQL: DATABASE_URL, or a server at postgres://postgres:postgres@127.0.0.1:5432/postgres
 * (a fresh database per run, dropped afterwards); without one the PostgreSQL runs are skipped.
 *
 * Options: `--requests N` (3000), `--concurrency N` (32), `--warmup N` (300), `--rate N` (300), `--json <path>`,
 * `--only postgres|embedded`. Exit code 0 when every answer and callback checked out, 1 otherwise.
 * @module
 */
import { parseArgs } from "node:util";
import postgres from "postgres";
import { generateEciesKeyPair } from "../adapters/crypto/keys.ts";
import { createSecretBox, generateMasterKey } from "../adapters/crypto/secret_box.ts";
import { createGenstoreClient } from "../adapters/dev/genstore_client.ts";
import { signBody } from "../adapters/genstore/signature.ts";
import { migrate } from "../adapters/store/migrate.ts";
import { connectPostgres } from "../adapters/store/postgres_driver.ts";
import { createSqlShopStore } from "../adapters/store/sql_shop_store.ts";
import { type CallbackSink, startCallbackSink } from "./_bench_genstore.ts";
import { type LoadAnswer, type LoadItem, type LoadResult, percentile, runLoad } from "./_bench_load.ts";
import {
  type Child,
  cpuMs,
  freePort,
  peakRss,
  postgresCpuMs,
  startChild,
  startTaskV8Flags,
} from "./_bench_processes.ts";

const DEFAULT_POSTGRES = "postgres://postgres:postgres@127.0.0.1:5432/postgres";
const AMOUNT = "10.00";
const UNLIMITED = "1000000";
const CALLBACK_WAIT_MS = 120_000;
const SANDBOX_CARD = JSON.parse(Deno.readTextFileSync(new URL("../sandbox.json", import.meta.url))).accounts
  .card
  .credentials as Record<string, string>;

interface Options {
  readonly requests: number;
  readonly concurrency: number;
  readonly warmup: number;
  readonly rate: number;
  readonly json?: string;
  readonly only?: string;
}

/** What one run measured. */
interface Figures {
  readonly name: string;
  readonly requests: number;
  /** Sales (or requests) per second, first send → last callback (or answer). */
  readonly throughput: number;
  readonly answerP50: number;
  readonly answerP99: number;
  readonly callbackP50?: number;
  readonly callbackP99?: number;
  /** Gateway CPU per sale, every gateway process together (ms). */
  readonly cpuPerSale?: number;
  /** CPU of each gateway process during the run, as a share of the wall time (%). */
  readonly cpuSplit?: readonly number[];
  readonly rssMb?: number;
  /** CPU per sale of the rest of the machine's work: PostgreSQL, the PSP emulator, the load generator with the fake Genstore (ms). */
  readonly otherCpuPerSale?: {
    readonly postgres?: number;
    readonly emulator?: number;
    readonly client: number;
  };
  /** PostgreSQL commits per sale, everything included (outbox, sealer, reconciliation polls). */
  readonly transactionsPerSale?: number;
  readonly extra?: Readonly<Record<string, string>>;
}

class BenchFailure extends Error {}

function parseOptions(): Options {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      requests: { type: "string" },
      concurrency: { type: "string" },
      warmup: { type: "string" },
      rate: { type: "string" },
      json: { type: "string" },
      only: { type: "string" },
    },
  });
  const number = (value: string | undefined, fallback: number) =>
    value === undefined ? fallback : Number(value);
  return {
    requests: number(values.requests, 3000),
    concurrency: number(values.concurrency, 32),
    warmup: number(values.warmup, 300),
    rate: number(values.rate, 300),
    json: values.json,
    only: values.only,
  };
}

/** Keys, secret and the encrypted cards, prepared before anything is timed. */
interface Prepared {
  readonly clientSecret: string;
  readonly privateKey: string;
  readonly publicKey: string;
  readonly masterKey: string;
  readonly operatorToken: string;
}

async function prepare(): Promise<Prepared> {
  const keys = await generateEciesKeyPair();
  const hex = (bytes: number) =>
    Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join(
      "",
    );
  return {
    clientSecret: hex(32),
    privateKey: keys.privateKeyPkcs8,
    publicKey: keys.publicKeySpki,
    masterKey: generateMasterKey(),
    operatorToken: hex(24),
  };
}

/** Signed sale requests `prefix-0..count` for a shop (each card freshly encrypted, as Genstore does). */
async function buildSales(
  prepared: Prepared,
  prefix: string,
  count: number,
  shop = "demo",
): Promise<LoadItem[]> {
  const client = createGenstoreClient({
    gatewayUrl: "http://unused.invalid",
    clientSecret: prepared.clientSecret,
    publicKey: prepared.publicKey,
    shopDomain: `${shop}.genmystore.com`,
  });
  const encoder = new TextEncoder();
  const items: LoadItem[] = [];
  for (let i = 0; i < count; i++) {
    const id = `${prefix}-${i}`;
    const body = encoder.encode(JSON.stringify(client.paymentBody({ paymentId: id, amount: AMOUNT })));
    items.push({
      id,
      body,
      headers: {
        "content-type": "application/json",
        "x-genstore-shop-domain": `${shop}.genmystore.com`,
        "x-genstore-hmac-sha256": await signBody(prepared.clientSecret, body),
      },
    });
  }
  return items;
}

function checkSale(_item: LoadItem, answer: LoadAnswer): string | undefined {
  if (answer.status !== 200) return `HTTP ${answer.status} ${answer.text.slice(0, 200)}`;
  try {
    const body = JSON.parse(answer.text);
    if (typeof body.channelPaymentId !== "string") return `no channelPaymentId: ${answer.text.slice(0, 200)}`;
    if (body.error !== undefined) return `error ${body.error}`;
  } catch {
    return `not JSON: ${answer.text.slice(0, 200)}`;
  }
  return undefined;
}

function failLoudly(what: string, failures: readonly string[]): never {
  throw new BenchFailure(
    `${what}: ${failures.length} failure(s)\n    ${failures.slice(0, 8).join("\n    ")}`,
  );
}

/** Sends the sales, waits for their callbacks, and computes the figures. */
async function measureSales(
  name: string,
  run: {
    gateways: readonly Child[];
    sink: CallbackSink;
    items: readonly LoadItem[];
    concurrency: number;
    rate?: number;
    db?: postgres.Sql;
    database?: string;
    /** The emulator's process, when it runs on its own. */
    sandbox?: Child;
  },
): Promise<Figures> {
  const { gateways, sink, items } = run;
  const urls = gateways.map((gateway) => `${gateway.url}/v1/ext/card/payments`);
  const cpuBefore = gateways.map((gateway) => cpuMs(gateway.pid));
  const othersBefore = otherCpu(run.sandbox);
  const rss = gateways.map((gateway) => peakRss(gateway.pid));
  const commitsBefore = await commits(run.db, run.database);
  const started = performance.now();
  const result: LoadResult = await runLoad(urls, items, run.concurrency, checkSale, 30_000, run.rate);
  if (result.failures.length > 0) {
    // What the gateways said last, for the reason behind a wrong answer.
    const said = gateways.flatMap((gateway) =>
      gateway.logs.filter((line) => /"level":"(error|warn)"/.test(line)).slice(-5).map((line) =>
        `${gateway.name}: ${line}`
      )
    );
    failLoudly(name, [...result.failures.slice(0, 8), ...said]);
  }
  const missing = await sink.waitFor(items.map((item) => `payment/${item.id}`), CALLBACK_WAIT_MS);
  if (missing.length > 0) failLoudly(`${name}: callbacks missing`, missing);
  const commitsAfter = await commits(run.db, run.database);
  const wall = performance.now() - started;
  const cpuAfter = gateways.map((gateway) => cpuMs(gateway.pid));
  const othersAfter = otherCpu(run.sandbox);
  const peaks = rss.map((sampler) => sampler.stop());
  const callbackLatencies = items.map((item, index) =>
    sink.received.get(`payment/${item.id}`)!.at - result.sentAt[index]
  );
  for (const item of items) {
    const callback = sink.received.get(`payment/${item.id}`)!;
    if (callback.body.status !== true) {
      failLoudly(name, [`${item.id}: callback ${JSON.stringify(callback.body)}`]);
    }
    if (callback.count > 1) failLoudly(name, [`${item.id}: ${callback.count} callbacks`]);
  }
  const lastCallback = Math.max(...items.map((item) => sink.received.get(`payment/${item.id}`)!.at));
  const cpu = cpuAfter.map((after, index) => after - cpuBefore[index]);
  return {
    name,
    requests: items.length,
    throughput: items.length / ((lastCallback - Math.min(...result.sentAt)) / 1000),
    answerP50: percentile(result.latencies, 50),
    answerP99: percentile(result.latencies, 99),
    callbackP50: percentile(callbackLatencies, 50),
    callbackP99: percentile(callbackLatencies, 99),
    cpuPerSale: cpu.reduce((a, b) => a + b, 0) / items.length,
    cpuSplit: cpu.map((ms) => (ms / wall) * 100),
    otherCpuPerSale: {
      postgres: perSale(othersBefore.postgres, othersAfter.postgres, items.length),
      emulator: perSale(othersBefore.emulator, othersAfter.emulator, items.length),
      client: perSale(othersBefore.client, othersAfter.client, items.length)!,
    },
    rssMb: Math.max(...peaks),
    transactionsPerSale: commitsBefore === undefined || commitsAfter === undefined
      ? undefined
      : (commitsAfter - commitsBefore) / items.length,
  };
}

/** CPU so far of what shares the machine with the gateway: PostgreSQL, the emulator, this process (ms). */
function otherCpu(sandbox: Child | undefined) {
  // The emulator runs on its own in the PostgreSQL runs; the embedded gateway carries its own store and sandbox.
  return {
    postgres: sandbox === undefined ? undefined : postgresCpuMs(),
    emulator: sandbox === undefined ? undefined : cpuMs(sandbox.pid),
    client: cpuMs(Deno.pid),
  };
}

/** CPU ms a sale between two readings, or undefined when the part was not measured. */
function perSale(before: number | undefined, after: number | undefined, sales: number): number | undefined {
  return before === undefined || after === undefined ? undefined : (after - before) / sales;
}

async function commits(
  db: postgres.Sql | undefined,
  database: string | undefined,
): Promise<number | undefined> {
  if (db === undefined || database === undefined) return undefined;
  // The statistics collector reports with a delay; ask it to refresh first.
  await db`SELECT pg_stat_clear_snapshot()`;
  const [row] = await db`SELECT xact_commit FROM pg_stat_database WHERE datname = ${database}`;
  return Number(row.xact_commit);
}

/** The reference: a bare Hono JSON echo in its own process, driven by the same client with the same bodies. */
async function benchEcho(options: Options, prepared: Prepared): Promise<Figures> {
  const port = freePort();
  const echo = await startChild({
    name: "echo",
    script: "scripts/_bench_echo.ts",
    env: { PORT: String(port) },
    url: `http://127.0.0.1:${port}`,
    ready: "/healthz",
  });
  try {
    const url = `${echo.url}/echo`;
    await runLoad(url, await buildSales(prepared, "echo-w", options.warmup), options.concurrency, checkSale);
    const items = await buildSales(prepared, "echo", options.requests);
    const result = await runLoad(url, items, options.concurrency, checkSale);
    if (result.failures.length > 0) failLoudly("echo", result.failures);
    return {
      name: "Hono echo (reference)",
      requests: items.length,
      throughput: items.length / (result.wallMs / 1000),
      answerP50: percentile(result.latencies, 50),
      answerP99: percentile(result.latencies, 99),
    };
  } finally {
    await echo.stop();
  }
}

function gatewayEnv(prepared: Prepared, sink: CallbackSink, port: number, extra: Record<string, string>) {
  return {
    PORT: String(port),
    HOST: "127.0.0.1",
    APP_URL: `http://127.0.0.1:${port}`,
    GENSTORE_CLIENT_ID: "bench-client",
    GENSTORE_CLIENT_SECRET: prepared.clientSecret,
    GENSTORE_API_BASE: sink.apiBase,
    ECIES_PRIVATE_KEYS: prepared.privateKey,
    MASTER_KEY: prepared.masterKey,
    OPERATOR_TOKEN: prepared.operatorToken,
    CALLBACK_BURST: UNLIMITED,
    CALLBACK_RATE_PER_SECOND: UNLIMITED,
    LOG_LEVEL: "warn",
    ...extra,
  };
}

async function startSandbox(notifyPort: number): Promise<Child> {
  const port = freePort();
  return await startChild({
    name: "sandbox",
    script: "scripts/sandbox.ts",
    args: ["--port", String(port), "--notify-url", `http://127.0.0.1:${notifyPort}`],
    url: `http://127.0.0.1:${port}`,
    ready: "/healthz",
  });
}

/** A fresh database on the server, migrated, with shops demo and s1…s{shops} bound to the sandbox card account. */
async function freshDatabase(serverUrl: string, prepared: Prepared, sandboxUrl: string, shops: number) {
  const name = `gateway_bench_${Date.now().toString(36)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const client = connectPostgres(url.toString(), { max: 2 });
  await migrate(client);
  const store = createSqlShopStore(client, createSecretBox(prepared.masterKey));
  const credentials = { ...SANDBOX_CARD, baseUrl: SANDBOX_CARD.baseUrl.replace("{sandbox}", sandboxUrl) };
  for (const shop of ["demo", ...Array.from({ length: shops }, (_, i) => `s${i + 1}`)]) {
    await store.upsertShop(shop);
    await store.setAccessToken(shop, "dev-token");
    await store.bind({ shop, extension: "card", plugin: "adyen", test: credentials });
  }
  await client.close();
  return {
    url: url.toString(),
    name,
    admin,
    async drop() {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function benchPostgres(options: Options, prepared: Prepared, serverUrl: string): Promise<Figures[]> {
  const figures: Figures[] = [];
  const ports = [freePort(), freePort()];
  const sandbox = await startSandbox(ports[0]);
  const database = await freshDatabase(serverUrl, prepared, sandbox.url, 100);
  const sink = startCallbackSink();
  const gateways: Child[] = [];
  const start = async (port: number, extra: Record<string, string> = {}) => {
    const gateway = await startChild({
      name: `gateway:${port}`,
      script: "main.ts",
      env: gatewayEnv(prepared, sink, port, {
        MODE: "production",
        DATABASE_URL: database.url,
        PSP_EXTRA_TEST_HOSTS: "127.0.0.1:*",
        ...extra,
      }),
      url: `http://127.0.0.1:${port}`,
      ready: "/readyz",
    });
    gateways.push(gateway);
    return gateway;
  };
  try {
    const one = await start(ports[0]);
    const warm = await buildSales(prepared, "pg-warm", options.warmup);
    await measureSales("PostgreSQL warm-up", {
      gateways: [one],
      sink,
      items: warm,
      concurrency: options.concurrency,
    });
    figures.push(
      await measureSales("PostgreSQL, 1 process", {
        gateways: [one],
        sink,
        sandbox,
        items: await buildSales(prepared, "pg-1", options.requests),
        concurrency: options.concurrency,
        db: database.admin,
        database: database.name,
      }),
    );
    figures.push(
      await measureSales(`PostgreSQL, fixed ${options.rate}/s`, {
        gateways: [one],
        sink,
        sandbox,
        items: await buildSales(prepared, "pg-rate", options.rate * 10),
        concurrency: 256,
        rate: options.rate,
      }),
    );
    const two = await start(ports[1]);
    await measureSales("PostgreSQL warm-up (2)", {
      gateways: [two],
      sink,
      items: await buildSales(prepared, "pg-warm2", options.warmup),
      concurrency: options.concurrency,
    });
    figures.push(
      await measureSales("PostgreSQL, 2 processes", {
        gateways: [one, two],
        sink,
        sandbox,
        items: await buildSales(prepared, "pg-2", options.requests),
        concurrency: options.concurrency,
        db: database.admin,
        database: database.name,
      }),
    );
    for (const gateway of gateways.splice(0)) await gateway.stop();
    figures.push(await benchShops(prepared, database.url, sink, ports[0]));
  } finally {
    for (const gateway of gateways) await gateway.stop();
    await sink.close();
    await sandbox.stop();
    await database.drop();
  }
  return figures;
}

/**
 * 100 shops under Genstore's real per-shop callback limit (40 burst, 2/s): one busy shop sends a backlog far
 * above its burst while the 99 others each pay a few times. The others' callbacks must not wait behind it.
 */
async function benchShops(
  prepared: Prepared,
  databaseUrl: string,
  sink: CallbackSink,
  port: number,
): Promise<Figures> {
  const gateway = await startChild({
    name: "gateway:shops",
    script: "main.ts",
    env: gatewayEnv(prepared, sink, port, {
      MODE: "production",
      DATABASE_URL: databaseUrl,
      PSP_EXTRA_TEST_HOSTS: "127.0.0.1:*",
      CALLBACK_BURST: "40",
      CALLBACK_RATE_PER_SECOND: "2",
    }),
    url: `http://127.0.0.1:${port}`,
    ready: "/readyz",
  });
  try {
    const busy = await buildSales(prepared, "busy", 80, "s1");
    const quiet: LoadItem[] = [];
    for (let shop = 2; shop <= 100; shop++) {
      quiet.push(...await buildSales(prepared, `quiet${shop}`, 2, `s${shop}`));
    }
    const url = `${gateway.url}/v1/ext/card/payments`;
    const busyRun = runLoad(url, busy, 16, checkSale);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const quietRun = await runLoad(url, quiet, 16, checkSale);
    const busyResult = await busyRun;
    if (busyResult.failures.length + quietRun.failures.length > 0) {
      failLoudly("100 shops", [...busyResult.failures, ...quietRun.failures]);
    }
    const quietMissing = await sink.waitFor(quiet.map((item) => `payment/${item.id}`), CALLBACK_WAIT_MS);
    const busyMissing = await sink.waitFor(busy.map((item) => `payment/${item.id}`), CALLBACK_WAIT_MS);
    if (quietMissing.length + busyMissing.length > 0) {
      failLoudly("100 shops: callbacks missing", [...quietMissing, ...busyMissing]);
    }
    const quietLatencies = quiet.map((item, index) =>
      sink.received.get(`payment/${item.id}`)!.at - quietRun.sentAt[index]
    );
    const busyDrain = Math.max(...busy.map((item) => sink.received.get(`payment/${item.id}`)!.at)) -
      Math.min(...busyResult.sentAt);
    return {
      name: "100 shops, real limit (40 + 2/s)",
      requests: busy.length + quiet.length,
      throughput: NaN,
      answerP50: percentile(quietRun.latencies, 50),
      answerP99: percentile(quietRun.latencies, 99),
      callbackP50: percentile(quietLatencies, 50),
      callbackP99: percentile(quietLatencies, 99),
      extra: {
        "busy shop's 80 callbacks drained in": `${(busyDrain / 1000).toFixed(1)} s (40 at once, then 2/s)`,
      },
    };
  } finally {
    await gateway.stop();
  }
}

async function benchEmbedded(options: Options, prepared: Prepared): Promise<Figures> {
  const port = freePort();
  const dataDir = await Deno.makeTempDir({ prefix: "gateway-bench-" });
  const sink = startCallbackSink();
  const gateway = await startChild({
    name: "gateway:embedded",
    script: "main.ts",
    env: gatewayEnv(prepared, sink, port, {
      MODE: "dev",
      DATA_DIR: dataDir,
      SANDBOX_PORT: String(freePort()),
    }),
    url: `http://127.0.0.1:${port}`,
    ready: "/readyz",
  });
  try {
    await measureSales("embedded warm-up", {
      gateways: [gateway],
      sink,
      items: await buildSales(prepared, "em-warm", options.warmup),
      concurrency: options.concurrency,
    });
    return await measureSales("embedded (PGlite), 1 process", {
      gateways: [gateway],
      sink,
      items: await buildSales(prepared, "em", options.requests),
      concurrency: options.concurrency,
    });
  } finally {
    await gateway.stop();
    await sink.close();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

async function postgresServer(): Promise<string | undefined> {
  const url = Deno.env.get("DATABASE_URL") ?? DEFAULT_POSTGRES;
  const probe = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await probe`SELECT 1`;
    return url;
  } catch {
    return undefined;
  } finally {
    await probe.end({ timeout: 1 });
  }
}

function fixed(value: number | undefined, digits = 1): string {
  return value === undefined || Number.isNaN(value) ? "-" : value.toFixed(digits);
}

/** The table: figures, then the targets of issue #10 beside them. */
function report(echo: Figures, runs: readonly Figures[]): string[] {
  const lines: string[] = [];
  const head = [
    "run",
    "sales/s",
    "ratio",
    "answer p50/p99 ms",
    "callback p50/p99 ms",
    "CPU ms/sale",
    "others' CPU ms/sale: PG / PSP / client",
    "CPU % per process",
    "RSS MB",
    "tx/sale",
  ];
  const rows = [echo, ...runs].map((f) => [
    f.name,
    fixed(f.throughput, 0),
    f === echo ? "1" : fixed(f.throughput / echo.throughput, 3),
    `${fixed(f.answerP50)} / ${fixed(f.answerP99)}`,
    f.callbackP50 === undefined ? "-" : `${fixed(f.callbackP50)} / ${fixed(f.callbackP99)}`,
    fixed(f.cpuPerSale, 2),
    f.otherCpuPerSale === undefined
      ? "-"
      : [f.otherCpuPerSale.postgres, f.otherCpuPerSale.emulator, f.otherCpuPerSale.client].map((ms) =>
        fixed(ms, 2)
      )
        .join(" / "),
    f.cpuSplit === undefined ? "-" : f.cpuSplit.map((share) => share.toFixed(0)).join(" + "),
    fixed(f.rssMb, 0),
    fixed(f.transactionsPerSale, 2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join(" | ");
  lines.push(line(head), widths.map((w) => "-".repeat(w)).join("-+-"), ...rows.map(line));
  for (const run of runs) {
    for (const [label, value] of Object.entries(run.extra ?? {})) {
      lines.push(`  ${run.name}: ${label} ${value}`);
    }
  }
  const find = (prefix: string) => runs.find((run) => run.name.startsWith(prefix));
  const pg = find("PostgreSQL, 1 process");
  const rate = find("PostgreSQL, fixed");
  const embedded = find("embedded");
  const shops = find("100 shops");
  const target = (what: string, figure: string, goal: string, met: boolean | undefined) =>
    `  ${met === undefined ? "  " : met ? "ok" : "NO"}  ${what.padEnd(44)} ${
      figure.padEnd(16)
    } target ${goal}`;
  lines.push("", "Targets (issue #10):");
  lines.push(
    target(
      "PostgreSQL card sales/s end to end",
      fixed(pg?.throughput, 0),
      "≥ 1000 (aim 1500)",
      pg && pg.throughput >= 1000,
    ),
  );
  lines.push(
    target(
      "ratio to the echo",
      fixed(pg && pg.throughput / echo.throughput, 3),
      "≥ 0.1",
      pg && pg.throughput / echo.throughput >= 0.1,
    ),
  );
  lines.push(
    target(
      "embedded sales/s",
      fixed(embedded?.throughput, 0),
      "≥ 500",
      embedded && embedded.throughput >= 500,
    ),
  );
  lines.push(
    target(
      `answer p99 at a fixed rate`,
      `${fixed(rate?.answerP99)} ms`,
      "≤ 20 ms",
      rate && rate.answerP99 <= 20,
    ),
  );
  lines.push(
    target(
      `callback p50 at a fixed rate`,
      `${fixed(rate?.callbackP50)} ms`,
      "≤ 25 ms",
      rate && rate.callbackP50! <= 25,
    ),
  );
  // The gateway's own memory: the PostgreSQL runs. The embedded store's database lives in the gateway's
  // process, so its figure is the two together, shown beside the target rather than held to it.
  const postgresRuns = runs.filter((run) => run.name.startsWith("PostgreSQL") && run.rssMb !== undefined);
  const rss = postgresRuns.length === 0 ? undefined : Math.max(...postgresRuns.map((run) => run.rssMb!));
  lines.push(
    target(
      "RSS per gateway process under load",
      rss === undefined ? "-" : `${fixed(rss, 0)} MB`,
      `≤ 200 MB${
        embedded?.rssMb === undefined ? "" : ` (embedded, database inside: ${fixed(embedded.rssMb, 0)} MB)`
      }`,
      rss === undefined ? undefined : rss <= 200,
    ),
  );
  lines.push(
    target(
      "gateway transactions per sale (all, amortized)",
      fixed(pg?.transactionsPerSale, 2),
      "≤ 3",
      pg?.transactionsPerSale !== undefined ? pg.transactionsPerSale <= 3 : undefined,
    ),
  );
  lines.push(
    target(
      "100 shops: quiet shops' callback p99",
      `${fixed(shops?.callbackP99, 0)} ms`,
      "not behind the busy shop",
      shops && shops.callbackP99! < 1_000,
    ),
  );
  return lines;
}

async function main(): Promise<number> {
  const options = parseOptions();
  const prepared = await prepare();
  console.log(
    `Benchmark: ${options.requests} card sales at ${options.concurrency} in flight (after ${options.warmup} to warm up), on ${navigator.hardwareConcurrency} cores; the gateway runs as \`deno task start\` does (${
      startTaskV8Flags().join(" ") || "no V8 flags"
    }).`,
  );
  const echo = await benchEcho(options, prepared);
  console.log(`  echo: ${echo.throughput.toFixed(0)} req/s`);
  const runs: Figures[] = [];
  if (options.only !== "embedded") {
    const server = await postgresServer();
    if (server === undefined) console.log("  PostgreSQL: no server answers, skipped (set DATABASE_URL)");
    else runs.push(...await benchPostgres(options, prepared, server));
  }
  if (options.only !== "postgres") runs.push(await benchEmbedded(options, prepared));
  const lines = report(echo, runs);
  console.log(`\n${lines.join("\n")}`);
  if (options.json !== undefined) {
    await Deno.writeTextFile(options.json, JSON.stringify({ echo, runs }, null, 2));
  }
  return 0;
}

try {
  Deno.exit(await main());
} catch (error) {
  if (!(error instanceof BenchFailure)) throw error;
  console.error(`Benchmark failed: ${error.message}`);
  Deno.exit(1);
}
