/**
 * The two promises every request keeps: the asked amount and currency, exactly, and the core's idempotency
 * key, unchanged, on every request that can change something at the PSP.
 * @module
 */
import { check, describe } from "./checks.ts";
import {
  approvedPayment,
  buyerReturns,
  chargedOnce,
  headerValue,
  modificationOf,
  payQuery,
} from "./steps.ts";
import type { Scenario, World } from "./world.ts";

/**
 * Plugin calls that always change something at the PSP: each must send the call's key at least once. (A
 * buyer's return may only read the payment, as Mollie's does: its requests are checked one by one.)
 */
const CALLS_WITH_EFFECT = new Set(["pay", "capture", "void", "refund"]);

/** The requests that must carry the key: every one but GETs and the target's keyless operations. */
function idempotencyProblems(world: World): string[] {
  const header = world.target.idempotencyHeader;
  const keyless = new Set(world.target.keylessOperations ?? []);
  const problems: string[] = [];
  const keyed = new Set<string>();
  for (const exchange of world.http.exchanges) {
    const sent = headerValue(exchange.request.headers, header);
    const exempt = exchange.request.method === "GET" || keyless.has(exchange.request.operation);
    if (exempt && sent === undefined) continue;
    keyed.add(exchange.expectedKey);
    if (sent !== exchange.expectedKey) {
      problems.push(
        `${exchange.call}() sent ${header}: ${describe(sent ?? null)} on ${exchange.request.operation} ` +
          `instead of its ctx.idempotencyKey ${describe(exchange.expectedKey)}`,
      );
    }
  }
  const calls = new Map(world.http.exchanges.map((e) => [e.expectedKey, e.call]));
  for (const [key, call] of calls) {
    if (CALLS_WITH_EFFECT.has(call) && !keyed.has(key)) {
      problems.push(`${call}() changes something at the PSP but sent no request with its key`);
    }
  }
  return problems;
}

export const REQUEST_SCENARIOS: readonly Scenario[] = [
  {
    id: "sends_exact_amount_and_currency",
    title: "the PSP books exactly the asked amount and currency, in every currency the target lists",
    requires: [],
    async run(world) {
      for (const currency of world.target.currencies ?? ["EUR"]) {
        const { input } = await approvedPayment(world, "sale", world.money(1234, currency));
        chargedOnce(world, input.reference, input.amount);
      }
      if (world.capabilities.manualCapture) {
        const { input } = await approvedPayment(world, "authorize", world.money(777));
        chargedOnce(world, input.reference, input.amount);
      }
    },
  },
  {
    id: "sends_core_idempotency_key",
    title: "every request of every operation carries the call's ctx.idempotencyKey, unchanged",
    requires: [],
    async run(world) {
      const caps = world.capabilities;
      await world.verifyCredentials();
      const sale = await approvedPayment(world, "sale");
      await world.modify("refund", modificationOf(world, sale, sale.input.amount));
      if (caps.manualCapture) {
        const authorized = await approvedPayment(world, "authorize");
        await world.modify("capture", modificationOf(world, authorized, authorized.input.amount));
        if (caps.void) {
          const other = await approvedPayment(world, "authorize");
          await world.modify("void", modificationOf(world, other, undefined));
        }
      }
      if (caps.threeDSecure && !caps.redirect) await buyerReturns(world, "approve");
      if (caps.query) {
        const lost = world.payInput({ card: caps.redirect ? undefined : world.cards.approved });
        const { key } = await world.pay(lost, { fault: { kind: "drop_answer" } });
        await world.query(payQuery(lost), { key });
      }
      check(world.http.exchanges.length > 0, "the plugin sent no request at all");
      const problems = idempotencyProblems(world);
      const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : "";
      check(problems.length === 0, `${problems.slice(0, 3).join("; ")}${more}`);
    },
  },
];
