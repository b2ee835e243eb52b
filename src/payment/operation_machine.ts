import { err, ok, type Result } from "../result.ts";

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

type Table = { readonly [S in OperationStatus]: Readonly<Partial<Record<OperationEvent, OperationStatus>>> };

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

export const FINAL_OPERATION_STATUSES: readonly OperationStatus[] = OPERATION_STATUSES.filter(
  (status) => Object.keys(OPERATION_TRANSITIONS[status]).length === 0,
);

export function isFinalStatus(status: OperationStatus): boolean {
  return FINAL_OPERATION_STATUSES.includes(status);
}

export interface InvalidOperationTransition {
  readonly kind: "invalid_transition";
  readonly from: OperationStatus;
  readonly event: OperationEvent;
}

export function transitionOperation(
  from: OperationStatus,
  event: OperationEvent,
): Result<OperationStatus, InvalidOperationTransition> {
  const to = OPERATION_TRANSITIONS[from][event];
  return to === undefined ? err({ kind: "invalid_transition", from, event }) : ok(to);
}
