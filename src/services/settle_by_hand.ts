import type { OperationKey } from "../payment/operation.ts";
import { isFinalStatus } from "../payment/operation_machine.ts";
import type { PspOutcome } from "../ports/psp_plugin.ts";
import type { GatewayDeps } from "./deps.ts";
import { recordOutcome } from "./record_outcome.ts";

export interface HandSettlement {
  readonly key: OperationKey;
  /** What the operator established with the PSP (its dashboard, support, a settlement report). */
  readonly verdict: "succeeded" | "failed";
  readonly reason: string;
  readonly operator: string;
  /** The PSP's reference, when the operator found it. */
  readonly pspReference?: string;
}

export type HandSettlementResult =
  | { readonly kind: "settled"; readonly status: string }
  | { readonly kind: "not_found" }
  | { readonly kind: "already_final"; readonly status: string }
  | { readonly kind: "reason_required" };

/**
 * Settles an open operation (typically from the review queue) by hand. The result is final like any other:
 * it is reported to Genstore once, and the action is kept with its reason in the same transaction.
 */
export async function settleByHand(
  deps: GatewayDeps,
  settlement: HandSettlement,
): Promise<HandSettlementResult> {
  const reason = settlement.reason.trim();
  if (reason === "") return { kind: "reason_required" };
  const operation = await deps.store.findOperation(settlement.key);
  if (operation === undefined) return { kind: "not_found" };
  if (isFinalStatus(operation.status)) return { kind: "already_final", status: operation.status };
  const pspReference = settlement.pspReference ?? operation.pspReference ?? operation.reference;
  const outcome: PspOutcome = settlement.verdict === "succeeded"
    ? { kind: "succeeded", pspReference }
    : { kind: "failed", code: "settled_by_operator", message: reason, pspReference: settlement.pspReference };
  const settled = await recordOutcome(deps, settlement.key, outcome, {
    answer: false,
    source: "operator",
    action: {
      shop: settlement.key.shop,
      action: `settle_${settlement.verdict}`,
      target: `${settlement.key.kind}/${settlement.key.operationId}`,
      reason,
      operator: settlement.operator,
    },
  });
  return isFinalStatus(settled.status)
    ? { kind: "settled", status: settled.status }
    : { kind: "already_final", status: settled.status };
}
