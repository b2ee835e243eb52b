import type { Operation, OperationKey } from "../payment/operation.ts";
import { isFinalStatus } from "../payment/operation_machine.ts";
import type { GatewayDeps } from "./deps.ts";
import { settleAnswer } from "./record_outcome.ts";
import type { RequestOutcome } from "./request_outcome.ts";

/**
 * Answers a request whose id is already recorded: the first answer if the body is the same (waiting a
 * bounded time while the first request is still in flight), a conflict if it is not. Never calls the PSP.
 */
export async function answerDuplicate(
  deps: GatewayDeps,
  key: OperationKey,
  fingerprint: string,
  existing: Operation,
): Promise<RequestOutcome> {
  if (existing.fingerprint !== fingerprint) return { kind: "conflict" };
  const deadline = deps.clock.now() + deps.settings.duplicateWaitMs;
  let operation: Operation | undefined = existing;
  let pause = 20;
  while (operation !== undefined && operation.answer === undefined) {
    if (isFinalStatus(operation.status)) {
      return { kind: "answered", answer: await settleAnswer(deps, key), replayed: true };
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
