/**
 * `deno task demo`: a guided tour of the gateway as Genstore sees it. Starts a whole gateway in this process
 * (dev mode: bundled Adyen card emulator, shop `demo`, embedded database in a temporary DATA_DIR, port 0)
 * with callbacks going to a fake Genstore, plays each scenario over HTTP, and prints what came back: the
 * synchronous answer, the callbacks received, and whether that is the expected outcome.
 *
 * Exit code 0 when every scenario matched, 1 otherwise.
 * @module
 */
import { loadConfig } from "../adapters/config/config.ts";
import {
  actOnBuyerPage,
  createGenstoreClient,
  type GenstoreClient,
  type SentRequest,
  testCard,
} from "../adapters/dev/genstore_client.ts";
import { createJsonLogger } from "../adapters/logging/json_logger.ts";
import { type RunningGateway, startGateway } from "../adapters/server/gateway.ts";
import { claimPort } from "../adapters/server/startup.ts";
import type { AdyenEmulator } from "../plugins/adyen/emulator/mod.ts";
import { type RunningSandbox, startSandbox } from "./sandbox.ts";
import { type FakeGenstore, startFakeGenstore } from "../test/support/fake_genstore.ts";

const RETURN_URL = "https://demo.genmystore.com/checkout/return?order=demo";
const CARDS = {
  approved: "4242424242424242",
  declined: "4000000000000002",
  insufficientFunds: "4000000000009995",
  threeDs: "4000000000003220",
  pspError: "4000000000000119",
  timeout: "4000000000006975",
} as const;
/** Shortened for the demo (defaults: 8000 ms budget, 10000 ms PSP timeout, 1000 ms first reconciliation). */
const TIMINGS = {
  PAYMENT_ANSWER_BUDGET_MS: "1500",
  PSP_TIMEOUT_MS: "2500",
  RECONCILE_FIRST_DELAY_MS: "300",
  RECONCILE_MAX_DELAY_MS: "1000",
  PENDING_CHECK_DELAY_MS: "1000",
};
const CALLBACK_WAIT_MS = 10_000;

interface Context {
  readonly gateway: RunningGateway;
  readonly genstore: FakeGenstore;
  readonly client: GenstoreClient;
}

interface ExpectedCallback {
  readonly kind: string;
  readonly id: string;
  readonly status: boolean;
  /** The stable error code that must lead `error` (false callbacks). */
  readonly code?: string;
  readonly timeoutMs?: number;
}

interface Step {
  readonly label: string;
  readonly answer: string;
  readonly callbacks: string;
  /** Why the step did not match; empty when it did. */
  readonly problems: readonly string[];
}

interface Scenario {
  readonly name: string;
  run(ctx: Context): Promise<Step[]>;
}

let counter = 0;
function newId(prefix: string): string {
  return `${prefix}-demo-${Date.now().toString(36)}${(counter++).toString(36)}`;
}

function errorCode(value: unknown): string | undefined {
  return typeof value === "string" ? value.split(":")[0] : undefined;
}

/** `200 {"channelPaymentId":"…","error":"card_declined: Refused"}`, long values shortened. */
function showAnswer(answer: SentRequest): string {
  const shortened = Object.fromEntries(
    Object.entries(answer.body).map(([key, value]) => {
      const text = typeof value === "string" ? value : JSON.stringify(value);
      const short = key === "redirectUrl"
        ? text.replace(/^https?:\/\/[^/]+/, "").slice(0, 26) + "…"
        : text.length > 28
        ? `${text.slice(0, 27)}…`
        : text;
      return [key, typeof value === "string" ? short : value];
    }),
  );
  const replayed = answer.headers.get("idempotent-replayed") === "true" ? " [Idempotent-Replayed]" : "";
  const body = Object.keys(answer.body).length === 0 && answer.text.trim() !== "{}"
    ? answer.text.slice(0, 40)
    : JSON
      .stringify(shortened);
  return `${answer.status} ${body}${replayed}`;
}

/** Checks a synchronous answer: status, an optional reference field, an optional error code (or none). */
function checkAnswer(
  answer: SentRequest,
  expected: { status?: number; ref?: string; code?: string | null; redirect?: boolean; empty?: boolean },
): string[] {
  const problems: string[] = [];
  const status = expected.status ?? 200;
  if (answer.status !== status) problems.push(`answer status ${answer.status}, expected ${status}`);
  if (expected.ref !== undefined) {
    const ref = answer.body[expected.ref];
    if (typeof ref !== "string" || ref === "") problems.push(`answer has no ${expected.ref}`);
  }
  if (expected.code === null && answer.body.error !== undefined) {
    problems.push(`unexpected error ${String(answer.body.error)}`);
  }
  if (typeof expected.code === "string" && errorCode(answer.body.error) !== expected.code) {
    problems.push(`answer error ${String(answer.body.error ?? "none")}, expected ${expected.code}`);
  }
  if (expected.redirect === true && typeof answer.body.redirectUrl !== "string") {
    problems.push("answer has no redirectUrl");
  }
  if (expected.empty === true && answer.text.trim() !== "{}") {
    problems.push(`answer ${answer.text}, expected {}`);
  }
  return problems;
}

/** Waits for each expected callback and checks it; describes what arrived. */
async function checkCallbacks(
  genstore: FakeGenstore,
  expected: readonly ExpectedCallback[],
): Promise<{ text: string; problems: string[] }> {
  const shown: string[] = [];
  const problems: string[] = [];
  for (const want of expected) {
    try {
      const got = await genstore.waitForCallback(want.kind, want.id, want.timeoutMs ?? CALLBACK_WAIT_MS);
      const code = errorCode(got.body.error);
      shown.push(`${want.kind} ${String(got.body.status)}${code === undefined ? "" : ` ${code}`}`);
      if (got.body.status !== want.status) problems.push(`${want.kind} callback status ${got.body.status}`);
      if (want.code !== undefined && code !== want.code) {
        problems.push(`${want.kind} callback error ${code ?? "none"}, expected ${want.code}`);
      }
      if (want.status && got.body.error !== undefined) {
        problems.push(`${want.kind} callback carries an error`);
      }
    } catch {
      shown.push(`${want.kind}: none`);
      problems.push(
        `no ${want.kind} callback for ${want.id} within ${want.timeoutMs ?? CALLBACK_WAIT_MS} ms`,
      );
    }
  }
  return { text: shown.join(", ") || "—", problems };
}

/** One operation: the answer and its callbacks, checked. */
async function step(
  ctx: Context,
  label: string,
  answer: SentRequest,
  answerProblems: string[],
  callbacks: readonly ExpectedCallback[],
): Promise<Step> {
  const received = await checkCallbacks(ctx.genstore, callbacks);
  return {
    label,
    answer: showAnswer(answer),
    callbacks: received.text,
    problems: [...answerProblems, ...received.problems],
  };
}

/** The sandbox's Adyen emulator, served by this process. */
let adyen: AdyenEmulator | undefined;

async function chargeCount(gateway: RunningGateway, paymentId: string): Promise<number> {
  const rows = await gateway.db.query<{ reference: string }>(
    "SELECT reference FROM payments WHERE shop = 'demo' AND payment_id = $1",
    [paymentId],
  );
  return rows.length === 0 ? 0 : adyen!.chargeCount(rows[0].reference);
}

function deliveredCount(genstore: FakeGenstore, kind: string, id: string): number {
  return genstore.delivered().filter((a) => a.kind === kind && a.id === id).length;
}

function simpleSale(name: string, card: string, code: string | null, amount: string): Scenario {
  return {
    name,
    async run(ctx) {
      const id = newId("PI");
      const answer = await ctx.client.pay({ paymentId: id, amount, card: testCard(card) });
      return [
        await step(
          ctx,
          `sale ${amount} USD, card …${card.slice(-4)}`,
          answer,
          checkAnswer(answer, { ref: "channelPaymentId", code }),
          [
            { kind: "payment", id, status: code === null, code: code ?? undefined },
          ],
        ),
      ];
    },
  };
}

function threeDs(name: string, action: "approve" | "fail"): Scenario {
  return {
    name,
    async run(ctx) {
      const id = newId("PI");
      const answer = await ctx.client.pay({
        paymentId: id,
        amount: "30.00",
        card: testCard(CARDS.threeDs),
        returnUrl: RETURN_URL,
      });
      const problems = checkAnswer(answer, { redirect: true, code: null });
      const steps: Step[] = [{
        label: "sale 30.00 USD, card …3220",
        answer: showAnswer(answer),
        callbacks: "—",
        problems,
      }];
      if (typeof answer.body.redirectUrl !== "string") return steps;
      const landed = await actOnBuyerPage(answer.body.redirectUrl, action, RETURN_URL);
      const landing = landed === RETURN_URL ? [] : [`buyer landed on ${landed}, not returnUrl`];
      steps.push({
        label: `buyer chooses "${action}" on the 3DS page`,
        answer: landed === RETURN_URL ? "303 … → returnUrl" : `ended at ${landed}`,
        ...(await checkCallbacks(ctx.genstore, [{
          kind: "payment",
          id,
          status: action === "approve",
          code: action === "approve" ? undefined : "authentication_failed",
        }]).then((r) => ({ callbacks: r.text, problems: [...landing, ...r.problems] }))),
      });
      return steps;
    },
  };
}

const SCENARIOS: readonly Scenario[] = [
  simpleSale("approved sale", CARDS.approved, null, "12.34"),
  simpleSale("declined", CARDS.declined, "card_declined", "5.00"),
  simpleSale("insufficient funds", CARDS.insufficientFunds, "insufficient_funds", "5.00"),
  threeDs("3DS approved", "approve"),
  threeDs("3DS failed", "fail"),
  {
    name: "authorize → partial capture → partial refund → over-refund",
    async run(ctx) {
      const { client } = ctx;
      const id = newId("PI");
      const auth = await client.pay({ paymentId: id, amount: "100.00", manualCapture: true });
      const steps = [
        await step(
          ctx,
          "authorize 100.00 USD",
          auth,
          checkAnswer(auth, { ref: "channelPaymentId", code: null }),
          [
            { kind: "pre_authorize", id, status: true },
          ],
        ),
      ];
      const captureId = newId("CA");
      const capture = await client.capture(captureId, id, "60.00");
      steps.push(
        await step(
          ctx,
          "capture 60.00",
          capture,
          checkAnswer(capture, { ref: "channelCaptureId", code: null }),
          [
            { kind: "capture", id: captureId, status: true },
          ],
        ),
      );
      const refundId = newId("RF");
      const refund = await client.refund(refundId, id, "20.00");
      steps.push(
        await step(ctx, "refund 20.00", refund, checkAnswer(refund, { ref: "channelRefundId", code: null }), [
          { kind: "refund", id: refundId, status: true },
        ]),
      );
      const overId = newId("RF");
      const over = await client.refund(overId, id, "40.01");
      steps.push(
        await step(
          ctx,
          "refund 40.01 (only 40.00 left)",
          over,
          checkAnswer(over, { code: "amount_exceeds_captured" }),
          [{ kind: "refund", id: overId, status: false, code: "amount_exceeds_captured" }],
        ),
      );
      return steps;
    },
  },
  {
    name: "authorize → void → capture after void",
    async run(ctx) {
      const { client } = ctx;
      const id = newId("PI");
      const auth = await client.pay({ paymentId: id, amount: "50.00", manualCapture: true });
      const steps = [
        await step(
          ctx,
          "authorize 50.00 USD",
          auth,
          checkAnswer(auth, { ref: "channelPaymentId", code: null }),
          [
            { kind: "pre_authorize", id, status: true },
          ],
        ),
      ];
      const voidId = newId("VO");
      const voided = await client.void(voidId, id);
      steps.push(
        await step(ctx, "void", voided, checkAnswer(voided, { ref: "channelVoidId", code: null }), [
          { kind: "void", id: voidId, status: true },
        ]),
      );
      const captureId = newId("CA");
      const capture = await client.capture(captureId, id, "10.00");
      steps.push(
        await step(
          ctx,
          "capture 10.00 after the void",
          capture,
          checkAnswer(capture, { code: "payment_not_capturable" }),
          [
            { kind: "capture", id: captureId, status: false, code: "payment_not_capturable" },
          ],
        ),
      );
      return steps;
    },
  },
  {
    name: "replay, then conflicting reuse of the id",
    async run(ctx) {
      const { client, genstore, gateway } = ctx;
      const id = newId("PI");
      const body = client.paymentBody({ paymentId: id, amount: "7.00" });
      const first = await client.send("payments", body);
      const steps = [
        await step(ctx, "sale 7.00 USD", first, checkAnswer(first, { ref: "channelPaymentId", code: null }), [
          { kind: "payment", id, status: true },
        ]),
      ];
      const again = await client.send("payments", body);
      const replayProblems = checkAnswer(again, {});
      if (again.text !== first.text) replayProblems.push("replayed answer differs from the first");
      if (again.headers.get("idempotent-replayed") !== "true") {
        replayProblems.push("no Idempotent-Replayed: true");
      }
      const charges = await chargeCount(gateway, id);
      if (charges !== 1) replayProblems.push(`the PSP was charged ${charges} times`);
      steps.push({
        label: "same body again",
        answer: showAnswer(again),
        callbacks: `none new (PSP charged ${charges}×)`,
        problems: replayProblems,
      });
      const conflict = await client.pay({ paymentId: id, amount: "9.00" });
      const conflictProblems = checkAnswer(conflict, { status: 409 });
      if (conflict.body.error !== "idempotency_conflict") {
        conflictProblems.push("error is not idempotency_conflict");
      }
      // Give a wrong second callback the time to show up before counting.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const callbacks = deliveredCount(genstore, "payment", id);
      if (callbacks !== 1) conflictProblems.push(`${callbacks} payment callbacks for ${id}`);
      steps.push({
        label: "same paymentId, amount 9.00",
        answer: showAnswer(conflict),
        callbacks: `none new (${callbacks} payment callback in all)`,
        problems: conflictProblems,
      });
      return steps;
    },
  },
  {
    name: "PSP answers 500 (settled by asking)",
    async run(ctx) {
      const id = newId("PI");
      const answer = await ctx.client.pay({ paymentId: id, amount: "11.00", card: testCard(CARDS.pspError) });
      return [
        await step(ctx, "sale 11.00 USD, card …0119", answer, checkAnswer(answer, { code: null }), [
          { kind: "payment", id, status: false, code: "processing_error", timeoutMs: 15_000 },
        ]),
      ];
    },
  },
  {
    name: "PSP timeout: {} now, settled by asking",
    async run(ctx) {
      const id = newId("PI");
      const started = Date.now();
      const answer = await ctx.client.pay({ paymentId: id, amount: "11.00", card: testCard(CARDS.timeout) });
      const answeredIn = Date.now() - started;
      const problems = checkAnswer(answer, { empty: true });
      const query = await ctx.client.query("payments", id);
      if (query.body.status !== "PROCESSING") problems.push(`status query says ${String(query.body.status)}`);
      const received = await checkCallbacks(ctx.genstore, [{
        kind: "payment",
        id,
        status: true,
        timeoutMs: 15_000,
      }]);
      const charges = await chargeCount(ctx.gateway, id);
      if (charges !== 1) problems.push(`the PSP was charged ${charges} times`);
      return [{
        label: `sale 11.00 USD, card …6975 (answered in ${(answeredIn / 1000).toFixed(1)} s)`,
        answer: `${showAnswer(answer)}; query ${String(query.body.status)}`,
        callbacks: `${received.text} after ${((Date.now() - started) / 1000).toFixed(1)} s`,
        problems: [...problems, ...received.problems],
      }];
    },
  },
];

function printTable(results: readonly { scenario: Scenario; steps: Step[] }[]): void {
  const rows: string[][] = [];
  results.forEach(({ scenario, steps }, index) => {
    steps.forEach((s, i) => {
      rows.push([
        i === 0 ? `${index + 1}. ${scenario.name}` : "",
        s.label,
        s.answer,
        s.callbacks,
        s.problems.length === 0 ? "✓" : "✗",
      ]);
    });
  });
  const header = ["scenario", "step", "synchronous answer", "callback(s) received", "ok"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => [...row[i]].length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => cell + " ".repeat(widths[i] - [...cell].length)).join(" │ ").trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => "─".repeat(w)).join("─┼─"));
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<number> {
  const started = Date.now();
  const dataDir = await Deno.makeTempDir({ prefix: "gateway-demo-" });
  const genstore = startFakeGenstore();
  const env: Record<string, string> = {
    MODE: "dev",
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    GENSTORE_API_BASE: genstore.apiBase,
    ...TIMINGS,
  };
  const logs: string[] = [];
  let gateway: RunningGateway | undefined;
  let sandbox: RunningSandbox | undefined;
  try {
    const config = await loadConfig((name) => env[name]);
    // The sandbox in this process, so the tour can count what the emulator booked.
    const listener = claimPort(0, "127.0.0.1");
    sandbox = await startSandbox({
      port: 0,
      notifyUrl: `http://127.0.0.1:${listener.port}`,
      config: new URL("../sandbox.json", import.meta.url),
    });
    adyen = sandbox.programs.get("adyen") as AdyenEmulator;
    gateway = await startGateway(config, {
      listener,
      sandboxUrl: sandbox.url,
      logger: createJsonLogger({ level: "info", write: (line) => logs.push(line) }),
      reconcileIntervalMs: 100,
      outboxPollMs: 50,
    });
    const client = createGenstoreClient({
      gatewayUrl: gateway.url,
      clientSecret: config.clientSecret,
      publicKey: gateway.publicKey,
      shopDomain: "demo.genmystore.com",
    });
    console.log(
      `Gateway (dev mode) on ${gateway.url}: bundled Adyen card emulator, shop "demo", embedded database`,
    );
    console.log(`in ${dataDir}, callbacks to a fake Genstore at ${genstore.apiBase.replace("/{shop}", "")}.`);
    console.log(
      `Shortened for the demo: answer budget ${TIMINGS.PAYMENT_ANSWER_BUDGET_MS} ms (default 8000), PSP timeout ` +
        `${TIMINGS.PSP_TIMEOUT_MS} ms (default 10000), first reconciliation ${TIMINGS.RECONCILE_FIRST_DELAY_MS} ms ` +
        `after the timeout, reconciliation every 100 ms.\n`,
    );

    const ctx: Context = { gateway, genstore, client };
    const results: { scenario: Scenario; steps: Step[] }[] = [];
    for (const scenario of SCENARIOS) {
      let steps: Step[];
      try {
        steps = await scenario.run(ctx);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        steps = [{ label: "(crashed)", answer: "—", callbacks: "—", problems: [message] }];
      }
      results.push({ scenario, steps });
    }

    // Contract: every accepted operation ends with exactly one final callback.
    const seen = new Map<string, number>();
    for (const attempt of genstore.delivered()) {
      const key = `${attempt.kind}/${attempt.id}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const duplicated = [...seen].filter(([, count]) => count > 1).map(([key, count]) => `${key} ×${count}`);
    const refused = genstore.attempts.filter((a) =>
      !((a.status >= 200 && a.status < 300) || a.status === 409)
    );
    results.push({
      scenario: { name: "exactly one callback per operation", run: () => Promise.resolve([]) },
      steps: [{
        label: `${seen.size} operations`,
        answer: "—",
        callbacks: `${genstore.delivered().length} delivered, ${refused.length} refused`,
        problems: duplicated.map((d) => `duplicate callback ${d}`),
      }],
    });

    printTable(results);
    const failed = results.filter((r) => r.steps.some((s) => s.problems.length > 0));
    console.log("");
    for (const r of failed) {
      for (const s of r.steps) {
        for (const problem of s.problems) console.log(`✗ ${r.scenario.name} / ${s.label}: ${problem}`);
      }
    }
    if (failed.length > 0) {
      const noisy = logs.filter((line) => /"level":"(warn|error)"/.test(line)).slice(-10);
      if (noisy.length > 0) console.log(`\nLast gateway warnings/errors:\n${noisy.join("\n")}`);
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `${
        results.length - failed.length
      }/${results.length} scenarios matched the expected outcome (${seconds} s).`,
    );
    return failed.length === 0 ? 0 : 1;
  } finally {
    await gateway?.stop();
    await sandbox?.close();
    await genstore.close();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

let code: number;
try {
  code = await main();
} catch (error) {
  console.error(
    `Demo failed to run: ${error instanceof Error ? error.stack ?? error.message : String(error)}`,
  );
  code = 1;
}
Deno.exit(code);
