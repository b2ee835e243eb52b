import type { Operation, OperationKey } from "../payment/operation.ts";
import { isFinalStatus } from "../payment/operation_machine.ts";
import type { GatewayDeps } from "./deps.ts";
import { settleAnswer } from "./record_outcome.ts";
import type { RequestOutcome } from "./request_outcome.ts";

/**
 * Answers a request whose id is already recorded: the first answer if the body is the same (waiting a
 * bounded time while the first request is still in flight), a conflict if it is not.
 *
 * An operation with no recorded answer is answered from its state when it is final or waits for the buyer.
 * A first request whose process died before answering leaves its operation unanswered with an expired
 * lease (`nextCheckAt`). The retry then takes the work over through `takeOver`, which repeats the PSP call
 * with the operation's stored idempotency key: the PSP answers from its record if the first call reached it,
 * so the card is charged at most once.
 */
export async function answerDuplicate(
  deps: GatewayDeps,
  key: OperationKey,
  fingerprint: string,
  existing: Operation,
  takeOver: (operation: Operation) => Promise<RequestOutcome>,
): Promise<RequestOutcome> {
  if (existing.fingerprint !== fingerprint) return { kind: "conflict" };
  const deadline = deps.clock.now() + deps.settings.duplicateWaitMs;
  let operation: Operation | undefined = existing;
  let pause = 20;
  while (operation !== undefined && operation.answer === undefined) {
    // Final, or waiting for the buyer: there is an answer to give, even when reconciliation (which answers
    // nobody) recorded the state after the first request's process died. Waiting instead would hold Genstore at
    // request_in_progress until the buyer's time ran out.
    if (isFinalStatus(operation.status) || operation.status === "requires_action") {
      return { kind: "answered", answer: await settleAnswer(deps, key), replayed: true };
    }
    const claimed = await claimAbandoned(deps, key);
    if (claimed !== undefined) {
      deps.logger.warn("operation.taken_over", {
        shop: key.shop,
        kind: key.kind,
        operationId: key.operationId,
        reference: claimed.reference,
      });
      return await takeOver(claimed);
    }
    const remaining = deadline - deps.clock.now();
    if (remaining <= 0) return { kind: "in_progress" };
    await deps.clock.sleep(Math.min(pause, remaining));
    pause = Math.min(pause * 2, 250);
    operation = await deps.store.findOperation(key);
  }
  if (operation?.answer === undefined) {
    throw new Error(`Cannot find a recorded operation again: ${key.operationId}`);
  }
  return { kind: "answered", answer: operation.answer, replayed: true };
}

/**
 * Claims an unanswered operation no request is working on: its request's lease expired (the process died), or
 * only reconciliation holds it (reconciliation can only ask, and has nothing to replay for a call that was never
 * sent; the retry carries the request again, so it goes ahead). The lease is this request's from now on.
 */
async function claimAbandoned(deps: GatewayDeps, key: OperationKey): Promise<Operation | undefined> {
  const now = deps.clock.now();
  return await deps.store.transaction(async (tx) => {
    const operation = await tx.lockOperation(key);
    if (operation === undefined || operation.answer !== undefined) return undefined;
    if (operation.status !== "processing" && operation.status !== "unknown") return undefined;
    const leaseEnded = operation.nextCheckAt !== undefined && operation.nextCheckAt <= now;
    if (!leaseEnded && operation.claimedBy === "request") return undefined;
    const lease = leaseUntil(deps, now);
    const claimed: Operation = {
      ...operation,
      nextCheckAt: lease,
      sentUntil: lease,
      claimedBy: "request",
      updatedAt: now,
    };
    await tx.saveOperation(claimed);
    return claimed;
  });
}

/** How long a request owns its operation: past this, reconciliation or a retry may take over. */
export function leaseUntil(deps: GatewayDeps, now: number): number {
  return now + deps.settings.pspTimeoutMs + deps.settings.reconcileFirstDelayMs;
}
