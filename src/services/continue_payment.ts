import {
  isGatewayReference,
  type OperationKey,
  pspIdempotencyKey,
  shopOfReference,
} from "../payment/operation.ts";
import { cleanText } from "../text.ts";
import type { GatewayDeps } from "./deps.ts";
import { pluginOf } from "./deps.ts";
import { callContext, callPlugin } from "./psp_call.ts";
import { recordOutcome } from "./record_outcome.ts";

/** Where to send the buyer once the gateway has dealt with their return. */
export type ReturnOutcome =
  | { readonly kind: "redirect"; readonly url: string }
  | { readonly kind: "done"; readonly status: string }
  | { readonly kind: "not_found" };

/**
 * The buyer came back from a challenge or an offsite page: ask the PSP for the result, record it, and send
 * the buyer on to Genstore's return URL (on success, failure and cancel alike). A repeated return (a
 * refreshed page) does not call the PSP again.
 */
export async function continuePayment(
  deps: GatewayDeps,
  reference: string,
  returnParams: Readonly<Record<string, string>>,
): Promise<ReturnOutcome> {
  const shop = isGatewayReference(reference) ? shopOfReference(reference) : undefined;
  if (shop === undefined) return { kind: "not_found" };
  returnParams = cleanParams(returnParams);
  const started = await deps.store.transaction(async (tx) => {
    const { operation, payment } = await tx.lockWithPaymentByReference(shop, reference);
    if (operation === undefined || operation.kind !== "payment" || payment === undefined) return undefined;
    if (operation.status !== "requires_action") return { operation, payment, call: false } as const;
    // The continue call gets its own idempotency key, stored before the call, so reconciliation can ask about it.
    const continuing = {
      ...operation,
      pspIdempotencyKey: pspIdempotencyKey(reference, operation.attempt, "c"),
      updatedAt: deps.clock.now(),
      nextCheckAt: deps.clock.now() + deps.settings.pspTimeoutMs + deps.settings.reconcileFirstDelayMs,
    };
    await tx.saveOperation(continuing);
    await tx.savePayment({ ...payment, returnParams });
    return { operation: continuing, payment, call: true } as const;
  });
  if (started === undefined) return { kind: "not_found" };
  const { operation, payment } = started;

  if (started.call) {
    const binding = await deps.shops.findBinding(shop, operation.extension);
    const credentials = operation.test ? binding?.test : binding?.live;
    const key: OperationKey = { shop, kind: "payment", operationId: operation.operationId };
    const outcome = credentials === undefined
      ? { kind: "unknown" as const, detail: "the shop's credentials are gone" }
      : await callPlugin(deps, reference, () =>
        pluginOf(deps, payment.plugin).continueAfterRedirect({
          reference,
          amount: payment.amount,
          pspReference: payment.pspReference,
          resume: payment.resume ?? {},
          returnParams,
        }, callContext(deps, payment, credentials, operation.pspIdempotencyKey, reference)));
    const recorded = await recordOutcome(deps, key, outcome, { answer: false, source: "continue" });
    deps.logger.info("payment.buyer_returned", { shop, reference, status: recorded.status });
  }
  if (payment.genstoreReturnUrl !== undefined) return { kind: "redirect", url: payment.genstoreReturnUrl };
  const latest = await deps.store.findOperation({
    shop,
    kind: "payment",
    operationId: operation.operationId,
  });
  return { kind: "done", status: latest?.status ?? operation.status };
}

/** The PSP page a buyer must be sent to with a POST, for the gateway's forwarding page. */
export async function pendingRedirect(deps: GatewayDeps, reference: string) {
  const shop = isGatewayReference(reference) ? shopOfReference(reference) : undefined;
  if (shop === undefined) return undefined;
  const operation = await deps.store.findOperationByReference(shop, reference);
  if (operation === undefined || operation.status !== "requires_action") return undefined;
  const payment = await deps.store.findPayment(shop, operation.paymentId);
  return payment?.redirect;
}

/** What the buyer's browser brought back, bounded and cleaned before it is kept or passed to the PSP. */
function cleanParams(params: Readonly<Record<string, string>>): Record<string, string> {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(params).slice(0, 50)) {
    cleaned[cleanText(key, 100)] = cleanText(value, 8000);
  }
  return cleaned;
}
