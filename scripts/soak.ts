/**
 * `deno task soak`: two gateway processes on one PostgreSQL under mixed traffic for 10 minutes (every sandbox
 * card, 3-D Secure, authorizations with partial captures, refunds and voids, replays and conflicting
 * replays), a kill -9 of a random process every minute followed by a restart, and a Genstore outage (503,
 * then refused connections) in the middle. Then it checks what the gateway promises and prints a table:
 * every accepted operation has exactly one final result and callback body, no PSP charge is without a final
 * result, the audit chains verify, and the processes' memory stays flat.
 *
 * Options: `--minutes N` (10), `--seconds N` (overrides minutes), `--workers N` (4), `--json <path>`.
 * Needs PostgreSQL: DATABASE_URL, or a server at postgres://postgres:postgres@127.0.0.1:5432/postgres.
 * Exit code 0 when every check holds, 1 otherwise.
 * @module
 */
import { parseArgs } from "node:util";
import { actOnBuyerPage, testCard } from "../adapters/dev/genstore_client.ts";
import { sealAudit, verifyAudit } from "../adapters/store/sql_audit.ts";
import { type Cluster, type GatewayProcess, startCluster } from "../test/support/cluster.ts";

const RETURN_URL = "https://demo.genmystore.com/checkout/return";
const CARDS = {
  approved: "4242424242424242",
  declined: "4000000000000002",
  insufficient: "4000000000009995",
  challenge: "4000000000003220",
  error500: "4000000000000119",
  timeout: "4000000000006975",
};

interface Options {
  readonly seconds: number;
  readonly workers: number;
  readonly json?: string;
}

interface Sent {
  status: number;
  text: string;
  body: Record<string, unknown>;
}

/** Operations Genstore got an answer for: each must end with exactly one callback body. */
const accepted = new Map<string, { kind: string; id: string; first: string }>();
const counts = {
  requests: 0,
  answered: 0,
  retriedAfterDeath: 0,
  conflicts: 0,
  replays: 0,
  replayMismatches: 0,
  buyerReloads: 0,
};
const problems: string[] = [];

function parseOptions(): Options {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      minutes: { type: "string" },
      seconds: { type: "string" },
      workers: { type: "string" },
      json: { type: "string" },
    },
  });
  const seconds = values.seconds !== undefined ? Number(values.seconds) : Number(values.minutes ?? 10) * 60;
  return { seconds, workers: Number(values.workers ?? 4), json: values.json };
}

/** The processes that are up; a request goes to one of them, like Genstore's load balancer would. */
class Fleet {
  readonly live: GatewayProcess[] = [];
  /** Every process started, killed ones too: their logs explain a problem. */
  readonly everyone: GatewayProcess[] = [];
  constructor(readonly cluster: Cluster) {}
  pick(): GatewayProcess {
    return this.live[Math.floor(Math.random() * this.live.length)];
  }
}

/**
 * Sends like Genstore: until an answer arrives (a killed process answers nothing, so it is resent to the fleet),
 * honouring 409 request_in_progress. Bounded: two minutes per request.
 */
async function send(fleet: Fleet, route: string, body: Record<string, unknown>): Promise<Sent> {
  const deadline = Date.now() + 120_000;
  counts.requests++;
  const seen: string[] = [];
  const note = (what: string) => {
    seen.push(`${new Date().toISOString().slice(11, 23)} ${what}`);
    if (seen.length > 8) seen.shift();
  };
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const gateway = fleet.pick();
    try {
      const answer = await gateway.client.send(route, body);
      if (answer.status === 409 && answer.body.error === "request_in_progress") {
        note(`${gateway.name} 409 request_in_progress`);
        await sleep(1_000);
        continue;
      }
      if (answer.status >= 500) {
        note(`${gateway.name} ${answer.status} ${answer.text.slice(0, 120)}`);
        await sleep(500);
        continue;
      }
      counts.answered++;
      return answer;
    } catch (error) {
      note(`${gateway.name} ${error instanceof Error ? error.message.slice(0, 120) : "no answer"}`);
      counts.retriedAfterDeath++;
      await sleep(Math.min(2_000, 200 * 2 ** attempt));
    }
  }
  throw new NoAnswer(route, String(Object.values(body)[0]), seen);
}

/** Genstore gave up on a request: what it was and the last answers it got. */
class NoAnswer extends Error {
  constructor(readonly route: string, readonly id: string, readonly seen: readonly string[]) {
    super(`No answer for ${route} ${id} within two minutes; last tries: ${seen.join(" | ")}`);
  }
}

const KIND_OF_ROUTE: Record<string, string> = {
  payments: "payment",
  captures: "capture",
  refunds: "refund",
  voids: "void",
};

function accept(kind: string, id: string, answer: Sent): void {
  if (answer.status !== 200) {
    if (answer.status !== 409) problems.push(`${kind}/${id} answered ${answer.status}: ${answer.text}`);
    return;
  }
  accepted.set(`${kind}/${id}`, { kind, id, first: answer.text });
}

let sequence = 0;
function newId(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${(sequence++).toString(36)}`;
}

/** One round of one buyer and merchant: a random scenario. */
async function scenario(fleet: Fleet): Promise<void> {
  const client = fleet.pick().client;
  const roll = Math.random();
  const id = newId("SK");
  if (roll < 0.35) {
    const card =
      [CARDS.approved, CARDS.approved, CARDS.declined, CARDS.insufficient, CARDS.error500, CARDS.timeout][
        Math.floor(Math.random() * 6)
      ];
    const body = client.paymentBody({ paymentId: id, amount: "12.00", card: testCard(card) });
    const answer = await send(fleet, "payments", body);
    accept("payment", id, answer);
    if (Math.random() < 0.3) await replay(fleet, "payments", body, answer);
    if (Math.random() < 0.1) await conflict(fleet, "payments", { ...body, amount: "13.00" });
    return;
  }
  if (roll < 0.55) {
    const body = client.paymentBody({
      paymentId: id,
      amount: "20.00",
      card: testCard(CARDS.challenge),
      returnUrl: RETURN_URL,
    });
    const answer = await send(fleet, "payments", body);
    accept("payment", id, answer);
    if (typeof answer.body.redirectUrl === "string") {
      await buyerActs(answer.body.redirectUrl, Math.random() < 0.7 ? "approve" : "fail");
    }
    return;
  }
  // Authorize, then captures, refunds or a void once the authorization is reported.
  const body = client.paymentBody({ paymentId: id, amount: "100.00", manualCapture: true });
  const answer = await send(fleet, "payments", body);
  accept("payment", id, answer);
  if (answer.body.error !== undefined) return;
  await waitForCallback(fleet.cluster, "pre_authorize", id);
  if (Math.random() < 0.25) {
    const voidId = newId("SV");
    accept("void", voidId, await send(fleet, "voids", { voidId, paymentId: id, test: true }));
    return;
  }
  const captureBodies = [
    { captureId: newId("SC"), paymentId: id, amount: "30.00", test: true },
    { captureId: newId("SC"), paymentId: id, amount: "40.00", test: true },
  ];
  for (const capture of captureBodies) {
    const captured = await send(fleet, "captures", capture);
    accept("capture", capture.captureId, captured);
    if (Math.random() < 0.2) await replay(fleet, "captures", capture, captured);
  }
  await waitForCallback(fleet.cluster, "capture", captureBodies[1].captureId);
  const refund = { refundId: newId("SR"), paymentId: id, amount: "25.00", test: true };
  accept("refund", refund.refundId, await send(fleet, "refunds", refund));
  if (Math.random() < 0.2) await conflict(fleet, "refunds", { ...refund, amount: "26.00" });
}

/**
 * A buyer on the challenge page: when a page fails (the process behind it was killed), they reload it, as a
 * buyer does, and the restarted process (same address) carries on; the emulator's page, answered twice, just
 * returns to the shop. Bounded: a buyer who still cannot finish after half a minute is a problem of the run.
 */
async function buyerActs(redirectUrl: string, action: "approve" | "fail"): Promise<void> {
  for (let attempt = 0; attempt < 15; attempt++) {
    const reached = await actOnBuyerPage(redirectUrl, action, RETURN_URL).catch(() => undefined);
    if (reached?.startsWith(RETURN_URL)) return;
    counts.buyerReloads++;
    await sleep(2_000);
  }
  problems.push(`a buyer could not finish the challenge at ${redirectUrl}`);
}

async function replay(
  fleet: Fleet,
  route: string,
  body: Record<string, unknown>,
  first: Sent,
): Promise<void> {
  counts.replays++;
  const again = await send(fleet, route, body);
  if (again.text !== first.text) {
    counts.replayMismatches++;
    problems.push(`a replay of ${route} ${JSON.stringify(Object.values(body)[0])} answered differently`);
  }
}

async function conflict(fleet: Fleet, route: string, body: Record<string, unknown>): Promise<void> {
  const answer = await send(fleet, route, body);
  if (answer.status === 409 && answer.body.error === "idempotency_conflict") counts.conflicts++;
  else problems.push(`a conflicting reuse of an id on ${route} answered ${answer.status} ${answer.text}`);
}

async function waitForCallback(cluster: Cluster, kind: string, id: string): Promise<void> {
  await cluster.genstore.waitForCallback(kind, id, 180_000).catch(() => {
    problems.push(`no ${kind}/${id} callback within three minutes`);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function rssMegabytes(pid: number): number | undefined {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Runs the soak; returns the figures and the problems found. */
export async function soak(options: Options): Promise<{ rows: [string, string][]; problems: string[] }> {
  const cluster = await startCluster();
  const fleet = new Fleet(cluster);
  const started = Date.now();
  const end = started + options.seconds * 1000;
  const samples: { at: number; rss: number }[] = [];
  let kills = 0;
  try {
    fleet.live.push(await cluster.start("a"), await cluster.start("b"));
    fleet.everyone.push(...fleet.live);
    const sampler = setInterval(() => {
      for (const gateway of fleet.live) {
        const rss = rssMegabytes(gateway.pid);
        if (rss !== undefined) samples.push({ at: Date.now() - started, rss });
      }
    }, 5_000);
    const killEvery = Math.min(60_000, (options.seconds * 1000) / 3);
    const killer = (async () => {
      for (let next = started + killEvery; next < end - 5_000; next += killEvery) {
        await sleep(next - Date.now());
        const victim = fleet.live.splice(Math.floor(Math.random() * fleet.live.length), 1)[0];
        victim.kill("SIGKILL");
        await victim.status;
        kills++;
        await sleep(2_000);
        const restarted = await cluster.start(`${victim.name}'`, {}, victim.port);
        fleet.live.push(restarted);
        fleet.everyone.push(restarted);
      }
    })();
    const outage = (async () => {
      await sleep(options.seconds * 500 - Date.now() + started);
      cluster.genstore.respondWith(() => 503);
      await sleep(Math.min(15_000, options.seconds * 100));
      cluster.genstore.respondWith(() => 200);
      await cluster.genstore.down();
      await sleep(Math.min(15_000, options.seconds * 100));
      cluster.genstore.up();
    })();
    await Promise.all(
      Array.from({ length: options.workers }, async () => {
        while (Date.now() < end) {
          await scenario(fleet).catch(async (error) => {
            const where = error instanceof NoAnswer
              ? `; ${await whereItStands(cluster, fleet, `${KIND_OF_ROUTE[error.route]}/${error.id}`)}`
              : "";
            problems.push(`a scenario failed: ${error.message}${where}`);
          });
        }
      }),
    );
    await Promise.all([killer, outage]);
    clearInterval(sampler);
    await drain(cluster);
    const rows = await check(cluster, fleet, { kills, samples, seconds: (Date.now() - started) / 1000 });
    for (const gateway of fleet.live) gateway.kill("SIGTERM");
    await Promise.all(fleet.live.map((gateway) => gateway.status));
    return { rows, problems };
  } finally {
    await cluster.close();
  }
}

/** Waits (bounded) until every accepted operation has its callback. */
async function drain(cluster: Cluster): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const delivered = new Set(
      cluster.genstore.delivered().map((a) => `${a.kind === "pre_authorize" ? "payment" : a.kind}/${a.id}`),
    );
    if ([...accepted.keys()].every((key) => delivered.has(key))) return;
    await sleep(1_000);
  }
}

/** Where an operation without a callback stands in the database, so a failed soak says what to look at. */
async function whereItStands(cluster: Cluster, fleet: Fleet, key: string): Promise<string> {
  const [kind, id] = key.split("/");
  const [operation] = await cluster.database.client.query<Record<string, unknown>>(
    `SELECT status, error_code, attempt, checks, claimed_by, next_check_at, sent_until, created_at, finalized_at
       FROM operations WHERE shop = 'demo' AND kind = $1 AND operation_id = $2`,
    [kind, id],
  );
  const outbox = await cluster.database.client.query<Record<string, unknown>>(
    `SELECT kind, status, attempts, next_attempt_at, claimed_until, last_status, last_error
       FROM outbox WHERE shop = 'demo' AND target_id = $1`,
    [id],
  );
  const attempts = cluster.genstore.attempts.filter((a) => a.id === id).map((a) => a.kind);
  const logs = fleet.everyone.flatMap((gateway) =>
    gateway.logs.filter((line) => line.includes(id)).map((line) => `${gateway.name}: ${line.slice(0, 300)}`)
  );
  return `operation ${JSON.stringify(operation ?? null)}; outbox ${JSON.stringify(outbox)}; ` +
    `attempts seen by Genstore ${JSON.stringify(attempts)}; logs ${JSON.stringify(logs)}`;
}

async function check(
  cluster: Cluster,
  fleet: Fleet,
  run: { kills: number; samples: { at: number; rss: number }[]; seconds: number },
): Promise<[string, string][]> {
  const attempts = cluster.genstore.delivered();
  const bodies = new Map<string, Set<string>>();
  for (const attempt of cluster.genstore.attempts) {
    const key = `${attempt.kind === "pre_authorize" ? "payment" : attempt.kind}/${attempt.id}`;
    const seen = bodies.get(key) ?? new Set<string>();
    seen.add(attempt.text);
    bodies.set(key, seen);
  }
  let missing = 0;
  let differing = 0;
  for (const key of accepted.keys()) {
    const seen = bodies.get(key);
    if (
      seen === undefined ||
      !attempts.some((a) => `${a.kind === "pre_authorize" ? "payment" : a.kind}/${a.id}` === key)
    ) {
      missing++;
      problems.push(`${key}: no final callback delivered; ${await whereItStands(cluster, fleet, key)}`);
    } else if (seen.size !== 1) {
      differing++;
      problems.push(`${key}: ${seen.size} different callback bodies`);
    }
  }
  const operations = await cluster.database.client.query<{ reference: string; status: string }>(
    "SELECT reference, status FROM operations WHERE shop = 'demo' AND kind = 'payment'",
  );
  const open = new Set(
    operations.filter((o) => o.status !== "succeeded" && o.status !== "failed").map((o) => o.reference),
  );
  let unsettledCharges = 0;
  for (const payment of cluster.emulator.payments()) {
    if (open.has(payment.merchantReference) && payment.status === "authorised") {
      unsettledCharges++;
      problems.push(`PSP charge ${payment.pspReference} (${payment.merchantReference}) has no final result`);
    }
  }
  await sealAudit(cluster.database.client);
  const chains = await verifyAudit(cluster.database.client);
  const broken = chains.filter((chain) => chain.problems.length > 0);
  for (const chain of broken) problems.push(`audit chain ${chain.shop}: ${chain.problems.join("; ")}`);
  const minute = (from: number, to: number) => {
    const values = run.samples.filter((s) => s.at >= from && s.at < to).map((s) => s.rss);
    return values.length === 0 ? "-" : `${Math.round(values.reduce((a, b) => a + b, 0) / values.length)} MB`;
  };
  const last = run.samples.at(-1)?.at ?? 0;
  return [
    ["duration", `${Math.round(run.seconds)} s`],
    ["requests sent (with Genstore's retries)", String(counts.requests)],
    ["resent after a killed process", String(counts.retriedAfterDeath)],
    ["buyer pages reloaded after a kill", String(counts.buyerReloads)],
    ["accepted operations", String(accepted.size)],
    ["kill -9 and restart", String(run.kills)],
    ["replays (identical answers)", `${counts.replays} (${counts.replayMismatches} different)`],
    ["conflicting replays answered 409", String(counts.conflicts)],
    ["callbacks delivered", String(attempts.length)],
    ["operations without a final callback", String(missing)],
    ["operations with differing callback bodies", String(differing)],
    ["PSP charges without a final result", String(unsettledCharges)],
    ["audit chains intact", `${chains.length - broken.length} of ${chains.length}`],
    ["RSS per process, first minute", minute(0, 60_000)],
    ["RSS per process, last minute", minute(Math.max(0, last - 60_000), last + 1)],
    ["problems", String(problems.length)],
  ];
}

if (import.meta.main) {
  if (Deno.env.get("DATABASE_URL") === undefined) {
    Deno.env.set("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/postgres");
  }
  const options = parseOptions();
  console.log(`Soak: two gateways on PostgreSQL for ${options.seconds} s, ${options.workers} workers...`);
  const { rows, problems: found } = await soak(options);
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
  for (const problem of found.slice(0, 30)) console.log(`  ! ${problem}`);
  if (options.json !== undefined) {
    await Deno.writeTextFile(options.json, JSON.stringify({ rows, problems: found }, null, 2));
  }
  Deno.exit(found.length === 0 ? 0 : 1);
}
