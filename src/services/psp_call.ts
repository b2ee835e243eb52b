import type { Operation } from "../payment/operation.ts";
import type { Payment } from "../payment/payment.ts";
import type { PspCallContext, PspOutcome } from "../ports/psp_plugin.ts";
import type { GatewayDeps } from "./deps.ts";

/**
 * Builds the context of one PSP call about an operation, with its stored idempotency key. A call that can have
 * an effect at the PSP (`effect`: a pay call with the card, a modification, a continue) ends by the operation's
 * `sentUntil` at the latest, so that once it has passed no copy of the call can still be on its way.
 */
export function callContext(
  deps: GatewayDeps,
  payment: Payment,
  operation: Operation,
  credentials: Readonly<Record<string, unknown>>,
  effect: boolean,
): PspCallContext {
  const reference = operation.reference;
  const latest = deps.clock.now() + deps.settings.pspTimeoutMs;
  const deadline = effect && operation.sentUntil !== undefined
    ? Math.min(latest, operation.sentUntil)
    : latest;
  return {
    idempotencyKey: operation.pspIdempotencyKey,
    deadline,
    credentials,
    test: payment.test,
    http: deps.pspHttp({
      shop: payment.shop,
      extension: payment.extension,
      plugin: payment.plugin,
      reference,
      test: payment.test,
    }),
  };
}

/**
 * Runs a plugin operation. A plugin that throws has a bug; what the PSP did is then unknown, so the outcome
 * is `unknown`, never a guessed failure.
 */
export async function callPlugin(
  deps: GatewayDeps,
  reference: string,
  call: () => Promise<PspOutcome>,
): Promise<PspOutcome> {
  try {
    return await call();
  } catch (error) {
    deps.logger.error("plugin.threw", {
      reference,
      error: error instanceof Error ? error.name : "unknown",
    });
    return { kind: "unknown", detail: "the plugin failed while calling the PSP" };
  }
}

const BUDGET_SPENT: unique symbol = Symbol("budget spent");

/**
 * Waits for `work` for at most the answer budget. Past the budget the work goes on in the background and
 * `onBudgetSpent` answers instead.
 */
export async function withinAnswerBudget<T>(
  deps: GatewayDeps,
  work: Promise<T>,
  onBudgetSpent: () => Promise<T>,
): Promise<T> {
  const timer = new AbortController();
  let first: T | typeof BUDGET_SPENT;
  try {
    first = await Promise.race([
      work,
      deps.clock.sleep(deps.settings.answerBudgetMs, timer.signal).then((): typeof BUDGET_SPENT =>
        BUDGET_SPENT
      ),
    ]);
  } finally {
    // A plain reason: abort() without one builds a DOMException, on every request.
    timer.abort("answered");
  }
  if (first !== BUDGET_SPENT) return first;
  deps.background.track(work);
  return await onBudgetSpent();
}
