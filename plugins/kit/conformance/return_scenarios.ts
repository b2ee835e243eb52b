/**
 * The buyer's return, for 3-D Secure card plugins and offsite plugins alike: a browser return never decides a
 * result by itself. What the browser brings back garbled or empty is `return_refused` and changes nothing, so
 * the buyer can still approve; a continue whose answer was lost is settled by a query, without a second
 * charge.
 * @module
 */
import { check, describe, expectAccepted, expectKind } from "./checks.ts";
import { awaitingBuyer, buyerDecides, chargedOnce, continueWith } from "./steps.ts";
import type { Scenario, World } from "./world.ts";

/** Return parameters no PSP issued: the real names with other values, and a name the PSP never sends. */
function garbled(real: Readonly<Record<string, string>>): Record<string, string>[] {
  const mangled = Object.fromEntries(
    Object.entries(real).map(([name, value]) => [name, `x${value.split("").reverse().join("")}garbled`]),
  );
  return [{}, { ...mangled, unexpected: "<script>alert(1)</script>" }];
}

/** A first payment the buyer approves, to learn the names of the parameters this PSP's return carries. */
async function learnReturnNames(world: World): Promise<Record<string, string>> {
  const waiting = await awaitingBuyer(world);
  const params = await buyerDecides(world, waiting, "approve");
  const { value } = await continueWith(world, waiting, params);
  expectAccepted(value, waiting.input.amount, "continueAfterRedirect() after the buyer approved");
  return params;
}

export const RETURN_SCENARIOS: readonly Scenario[] = [
  {
    id: "return_garbled_refused_then_approved",
    title:
      "a return with empty or garbled parameters is return_refused and changes nothing: the buyer can still approve",
    requires: [],
    requiresOneOf: ["threeDSecure", "redirect"],
    async run(world) {
      const real = await learnReturnNames(world);
      const waiting = await awaitingBuyer(world);
      for (const params of garbled(real)) {
        const { value } = await continueWith(world, waiting, params);
        expectKind(
          value,
          "return_refused",
          `continueAfterRedirect() with the return ${describe(Object.keys(params))}`,
        );
      }
      const params = await buyerDecides(world, waiting, "approve");
      const { value } = await continueWith(world, waiting, params);
      expectAccepted(
        value,
        waiting.input.amount,
        "continueAfterRedirect() after refused returns, then approval",
      );
      chargedOnce(world, waiting.input.reference, waiting.input.amount);
    },
  },
  {
    id: "continue_lost_answer_query_settles",
    title:
      "a continue whose answer was lost is unknown; a query with its key finds the success, charged exactly once",
    requires: ["query"],
    requiresOneOf: ["threeDSecure", "redirect"],
    async run(world) {
      const waiting = await awaitingBuyer(world);
      const returnParams = await buyerDecides(world, waiting, "approve");
      const lost = await continueWith(world, waiting, returnParams, { fault: { kind: "drop_answer" } });
      check(
        lost.value.kind === "unknown",
        `continueAfterRedirect() whose answer was lost must be unknown (never a guess), got ${
          describe(lost.value)
        }`,
      );
      const query = {
        operation: "continue" as const,
        reference: waiting.input.reference,
        pspReference: waiting.action.pspReference,
        amount: waiting.input.amount,
        captureMode: waiting.input.captureMode,
        returnUrl: waiting.input.returnUrl,
        resume: waiting.action.resume,
        returnParams,
      };
      const first = expectAccepted(
        (await world.query(query, { key: lost.key })).value,
        waiting.input.amount,
        "query() about the continue with its key",
      );
      const again = expectKind(
        (await world.query(query, { key: lost.key })).value,
        "succeeded",
        "a second query",
      );
      check(
        again.pspReference === first.pspReference,
        "two queries about one continue name different references",
      );
      chargedOnce(world, waiting.input.reference, waiting.input.amount);
    },
  },
];
