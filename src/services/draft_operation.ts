import type { Money } from "../money/money.ts";
import { type Operation, type OperationKind, pspIdempotencyKey } from "../payment/operation.ts";
import type { ExtensionBinding } from "../ports/shop_directory.ts";
import type { GatewayDeps } from "./deps.ts";
import { leaseUntil } from "./duplicates.ts";

/**
 * A new operation as first recorded: processing, with its gateway reference (`{shop}.{token}`) and the
 * idempotency key of its first PSP attempt minted now, before any call. Should this process die mid-call,
 * reconciliation (or Genstore's retry) takes over once the lease in `nextCheckAt` ends.
 */
export function draftOperation(
  deps: GatewayDeps,
  binding: ExtensionBinding,
  request: {
    readonly kind: OperationKind;
    readonly operationId: string;
    readonly paymentId: string;
    readonly test: boolean;
    readonly fingerprint: string;
    readonly amount?: Money;
    readonly amountText?: string;
  },
): Operation {
  const now = deps.clock.now();
  const reference = `${binding.shop}.${deps.ids.token()}`;
  const lease = leaseUntil(deps, now);
  return {
    shop: binding.shop,
    kind: request.kind,
    operationId: request.operationId,
    paymentId: request.paymentId,
    extension: binding.extension,
    test: request.test,
    reference,
    fingerprint: request.fingerprint,
    status: "processing",
    amount: request.amount,
    amountText: request.amountText,
    attempt: 1,
    pspIdempotencyKey: pspIdempotencyKey(reference, 1),
    createdAt: now,
    updatedAt: now,
    nextCheckAt: lease,
    checks: 0,
    sentUntil: lease,
    claimedBy: "request",
    lastSource: "request",
    returns: 0,
    keyFor: "request",
  };
}
