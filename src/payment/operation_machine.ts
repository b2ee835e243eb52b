import type { Result } from "../result.ts";
import { type InvalidTransition, terminalStates, transition, type TransitionTable } from "./state_machine.ts";

/**
 * The lifecycle of one Genstore operation: a payment's own result, a capture, a void or a refund.
 * `succeeded` and `failed` are final: each is reported to Genstore exactly once and never changes.
 */
export const OPERATION_STATUSES = [
  "processing",
  "requires_action",
  "unknown",
  "succeeded",
  "failed",
] as const;
export type OperationStatus = typeof OPERATION_STATUSES[number];

export const OPERATION_EVENTS = [
  "psp_succeeded",
  "psp_failed",
  "psp_requires_action",
  "psp_pending",
  "psp_unknown",
  "rejected",
] as const;
export type OperationEvent = typeof OPERATION_EVENTS[number];

type Table = TransitionTable<OperationStatus, OperationEvent>;

/** Legal moves only; an absent edge is illegal. */
export const OPERATION_TRANSITIONS: Table = {
  processing: {
    psp_succeeded: "succeeded",
    psp_failed: "failed",
    psp_requires_action: "requires_action",
    // The PSP accepted the request and will tell later (e.g. a modification it "received").
    psp_pending: "processing",
    psp_unknown: "unknown",
    rejected: "failed",
  },
  requires_action: {
    psp_requires_action: "requires_action",
    psp_succeeded: "succeeded",
    psp_failed: "failed",
    psp_pending: "processing",
    psp_unknown: "unknown",
    rejected: "failed",
  },
  unknown: {
    psp_succeeded: "succeeded",
    psp_failed: "failed",
    psp_requires_action: "requires_action",
    psp_pending: "processing",
    // Still unknown after asking again.
    psp_unknown: "unknown",
  },
  succeeded: {},
  failed: {},
};

export const FINAL_OPERATION_STATUSES: readonly OperationStatus[] = terminalStates(
  OPERATION_STATUSES,
  OPERATION_TRANSITIONS,
);

export function isFinalStatus(status: OperationStatus): boolean {
  return FINAL_OPERATION_STATUSES.includes(status);
}

export type InvalidOperationTransition = InvalidTransition<OperationStatus, OperationEvent>;

export function transitionOperation(
  from: OperationStatus,
  event: OperationEvent,
): Result<OperationStatus, InvalidOperationTransition> {
  return transition(OPERATION_TRANSITIONS, from, event);
}
