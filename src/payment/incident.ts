import type { PspOutcome } from "../ports/psp_plugin.ts";
import type { Operation, OperationKind } from "./operation.ts";

/**
 * PSP news that contradicts a result already reported to Genstore. The reported result never changes and no
 * second callback is sent; the incident tells a person what to do.
 */
export interface Incident {
  readonly shop: string;
  readonly kind: "psp_succeeded_after_failure" | "psp_failed_after_success";
  readonly operationKind: OperationKind;
  readonly operationId: string;
  readonly reference: string;
  readonly reported: "succeeded" | "failed";
  readonly pspSays: "succeeded" | "failed";
  readonly pspReference?: string;
  readonly source: string;
  readonly recommendedAction: string;
}

const SUCCEEDED_AFTER_FAILURE: Readonly<Record<OperationKind, string>> = {
  payment: "The PSP charged a payment Genstore was told failed: refund (or void) it at the PSP",
  capture: "The PSP captured funds Genstore was told were not captured: refund the capture at the PSP",
  void:
    "The PSP voided an authorization Genstore was told is still open: tell the merchant it cannot be captured",
  refund:
    "The PSP refunded an amount Genstore was told was not refunded: tell the merchant, do not refund again",
};

const FAILED_AFTER_SUCCESS: Readonly<Record<OperationKind, string>> = {
  payment:
    "Genstore was told the payment succeeded but the PSP reports a failure: confirm at the PSP and stop " +
    "fulfilment until it is settled",
  capture: "Genstore was told the capture succeeded but the PSP reports a failure: capture again at the PSP",
  void: "Genstore was told the void succeeded but the PSP reports a failure: void again at the PSP",
  refund: "Genstore was told the refund succeeded but the PSP reports a failure: refund again at the PSP",
};

/** The incident a late outcome raises, or undefined when it agrees with the final result (or says nothing). */
export function incidentFor(operation: Operation, outcome: PspOutcome, source: string): Incident | undefined {
  const reported = operation.status;
  if (reported !== "succeeded" && reported !== "failed") return undefined;
  if (outcome.kind !== "succeeded" && outcome.kind !== "failed") return undefined;
  if (outcome.kind === reported) return undefined;
  const common = {
    shop: operation.shop,
    operationKind: operation.kind,
    operationId: operation.operationId,
    reference: operation.reference,
    reported,
    pspSays: outcome.kind,
    pspReference: outcome.pspReference ?? operation.pspReference,
    source,
  } as const;
  return outcome.kind === "succeeded"
    ? {
      ...common,
      kind: "psp_succeeded_after_failure",
      recommendedAction: SUCCEEDED_AFTER_FAILURE[operation.kind],
    }
    : {
      ...common,
      kind: "psp_failed_after_success",
      recommendedAction: FAILED_AFTER_SUCCESS[operation.kind],
    };
}
