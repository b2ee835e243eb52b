/**
 * `deno task ops …`: operator commands on the gateway's database (the same configuration as the gateway), so
 * they work even when no gateway process is up; while a gateway runs on the embedded store, they act through
 * that gateway's admin routes. Every action needs `--reason` and is recorded with it.
 *
 *   deno task ops metrics
 *   deno task ops review
 *   deno task ops settle <shop> <payment|capture|void|refund> <id> <succeeded|failed> --reason "…" [--psp-reference R]
 *   deno task ops incidents [--all]
 *   deno task ops resolve <shop> <incident id> --reason "…"
 *   deno task ops dead-letters
 *   deno task ops redrive <shop> <seq> --reason "…"
 *   deno task ops payments [--shop S] [--payment-id P] [--psp-reference R] [--state S] [--method M] [--from D] [--to D] [--after C] [--limit N]
 *   deno task ops payment <shop> <payment id> [--json]
 * @module
 */
import { prometheus } from "../adapters/http/admin_routes.ts";
import type { OperationKind } from "../src/mod.ts";
import { option, runCli, UsageError } from "./_cli.ts";
import { openOperations } from "./_operations.ts";
import { readPaymentSearch } from "../adapters/operations/payment_search.ts";
import { formatPaymentPage, formatPaymentStory } from "../adapters/operations/payment_story_text.ts";

const SEARCH_OPTIONS = {
  shop: "--shop",
  paymentId: "--payment-id",
  pspReference: "--psp-reference",
  state: "--state",
  method: "--method",
  from: "--from",
  to: "--to",
  after: "--after",
  limit: "--limit",
} as const;
const USAGE = `usage:
  deno task ops metrics
  deno task ops review
  deno task ops settle <shop> <payment|capture|void|refund> <id> <succeeded|failed> --reason "…" [--psp-reference R]
  deno task ops incidents [--all]
  deno task ops resolve <shop> <incident id> --reason "…"
  deno task ops dead-letters
  deno task ops redrive <shop> <seq> --reason "…"
  deno task ops payments [--shop S] [--payment-id P] [--psp-reference R] [--state S] [--method M]
                         [--from 2026-12-01] [--to 2026-12-02] [--after <cursor>] [--limit N]
  deno task ops payment <shop> <payment id> [--json]
Options: --operator <name> (default: $USER)`;

function reasonOf(args: string[]): string {
  const reason = option(args, "--reason")?.trim();
  if (!reason) throw new UsageError('Operator actions need --reason "…"');
  return reason;
}

async function main(args: string[]): Promise<void> {
  const command = args.shift();
  if (command === undefined || command === "help" || command === "--help") {
    console.log(USAGE);
    return;
  }
  const operator = option(args, "--operator") ?? Deno.env.get("USER") ?? "operator";
  const opened = await openOperations("deno task ops", operator);
  const ops = opened.operations;
  try {
    const now = Date.now();
    switch (command) {
      case "metrics":
        console.log(prometheus(await ops.metrics()).trimEnd());
        return;
      case "review": {
        const queue = await ops.reviewQueue();
        if (queue.length === 0) console.log("The review queue is empty.");
        for (const op of queue) {
          const age = Math.round((now - op.createdAt) / 60_000);
          console.log(
            `${op.shop} ${op.kind}/${op.operationId}  ${op.status}  ${age} min old  reference ${op.reference}` +
              (op.pspReference ? `  psp ${op.pspReference}` : ""),
          );
        }
        return;
      }
      case "settle": {
        const reason = reasonOf(args);
        const pspReference = option(args, "--psp-reference");
        const [shop, kind, id, verdict] = args;
        if (!["payment", "capture", "void", "refund"].includes(kind) || id === undefined) {
          throw new UsageError("settle needs <shop> <kind> <id> <succeeded|failed>");
        }
        if (verdict !== "succeeded" && verdict !== "failed") {
          throw new UsageError("The verdict is succeeded or failed");
        }
        const result = await ops.settle({
          shop,
          kind: kind as OperationKind,
          operationId: id,
          verdict,
          reason,
          operator,
          pspReference,
        });
        if (result.kind === "settled") {
          console.log(`${kind}/${id} of ${shop} is ${result.status}; Genstore will be told.`);
        } else if (result.kind === "not_found") throw new UsageError(`No ${kind} ${id} for shop ${shop}`);
        else if (result.kind === "already_final") {
          throw new UsageError(`${kind}/${id} is already ${result.status}`);
        } else throw new UsageError("A reason is required");
        return;
      }
      case "incidents": {
        const all = args.includes("--all");
        const list = await ops.incidents({ all });
        if (list.length === 0) console.log(all ? "No incidents." : "No open incidents.");
        for (const i of list) {
          console.log(
            `${i.shop} #${i.id} ${i.kind}: ${i.operationKind}/${i.operationId} reported ${i.reported}, PSP says ` +
              `${i.pspSays} (${i.source})${
                i.resolvedAt ? ` — resolved: ${i.resolution}` : ""
              }\n  → ${i.recommendedAction}`,
          );
        }
        return;
      }
      case "resolve": {
        const reason = reasonOf(args);
        const [shop, id] = args;
        const resolved = await ops.resolveIncident({ shop, id: Number(id), reason, operator });
        if (!resolved) throw new UsageError(`No open incident ${id} for shop ${shop}`);
        console.log(`Incident ${id} of ${shop} resolved.`);
        return;
      }
      case "dead-letters": {
        const dead = await ops.deadLetters();
        if (dead.length === 0) console.log("No dead letters.");
        for (const d of dead) {
          console.log(
            `${d.shop} seq ${d.seq}  ${d.kind}/${d.targetId}  ${d.attempts} attempts, last ${
              d.lastStatus ?? d.lastError ?? "?"
            }`,
          );
        }
        return;
      }
      case "redrive": {
        const reason = reasonOf(args);
        const [shop, seq] = args;
        if (!await ops.redrive({ shop, seq: Number(seq), reason, operator })) {
          throw new UsageError(`No dead letter ${seq} for ${shop}`);
        }
        console.log(`Callback ${seq} of ${shop} queued again.`);
        return;
      }
      case "payments": {
        const fields = Object.fromEntries(
          Object.entries(SEARCH_OPTIONS).map(([field, flag]) => [field, option(args, flag)]),
        );
        const check = readPaymentSearch(fields);
        if (!check.ok) {
          throw new UsageError(check.issues.map((issue) => `${issue.path}: ${issue.message}`).join("; "));
        }
        console.log(formatPaymentPage(await ops.payments(check.search)));
        return;
      }
      case "payment": {
        const json = args.includes("--json");
        const [shop, paymentId] = args.filter((arg) => arg !== "--json");
        if (shop === undefined || paymentId === undefined) {
          throw new UsageError("payment needs <shop> <payment id>");
        }
        const story = await ops.payment({ shop, paymentId });
        if (story === undefined) throw new UsageError(`No payment ${paymentId} for shop ${shop}`);
        console.log(json ? JSON.stringify(story, null, 2) : formatPaymentStory(story));
        return;
      }
      default:
        throw new UsageError(`Unknown command ${command}`);
    }
  } finally {
    await opened.close();
  }
}

await runCli(USAGE, main);
