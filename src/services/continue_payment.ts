import {
  continueKey,
  isGatewayReference,
  type Operation,
  type OperationKey,
  shopOfReference,
} from "../payment/operation.ts";
import { cleanText } from "../text.ts";
import type { GatewayDeps } from "./deps.ts";
import { pluginOf } from "./deps.ts";
import { leaseUntil } from "./duplicates.ts";
import { callContext, callPlugin } from "./psp_call.ts";
import { recordOutcome } from "./record_outcome.ts";

/** Where to send the buyer once the gateway has dealt with their return. */
export type ReturnOutcome =
  | { readonly kind: "redirect"; readonly url: string }
  | { readonly kind: "done"; readonly status: string }
  | { readonly kind: "not_found" };

/**
 * Buyer returns taken to the PSP per payment, at most. Past it a return still sends the buyer on, but calls
 * nothing: a script hammering the return URL cannot make the gateway hammer the PSP.
 */
export const MAX_RETURNS = 20;

/**
 * The buyer came back from a challenge or an offsite page: take what they brought to the PSP, record the PSP's
 * answer, and send the buyer on to Genstore's return URL (on success, failure and cancel alike).
 *
 * The browser is not trusted: only the PSP's answer to the continue call moves the payment. A return the PSP
 * refuses (garbled or missing parameters) leaves the payment waiting for the buyer until its action deadline,
 * so anyone who knows the return URL can neither fail nor freeze the payment. A return while a continue is in
 * flight (a refreshed page) calls nothing.
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
    if (!mayTakeReturn(deps, operation)) return { operation, payment, call: false } as const;
    // Each return gets its own idempotency key, stored before the call, so reconciliation can ask about it.
    const now = deps.clock.now();
    const lease = leaseUntil(deps, now);
    const continuing: Operation = {
      ...operation,
      returns: operation.returns + 1,
      pspIdempotencyKey: continueKey(reference, operation.returns + 1),
      keyFor: "continue",
      claimedBy: "request",
      updatedAt: now,
      nextCheckAt: lease,
      sentUntil: lease,
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
        }, callContext(deps, payment, operation, credentials, true)));
    const recorded = await recordOutcome(deps, key, outcome, { answer: false, source: "buyer_return" });
    deps.logger.info("payment.buyer_returned", {
      shop,
      reference,
      status: recorded.status,
      outcome: outcome.kind,
    });
  }
  if (payment.genstoreReturnUrl !== undefined) return { kind: "redirect", url: payment.genstoreReturnUrl };
  const latest = await deps.store.findOperation({
    shop,
    kind: "payment",
    operationId: operation.operationId,
  });
  return { kind: "done", status: latest?.status ?? operation.status };
}

/** A return is taken to the PSP while the buyer must act, no continue is in flight, and returns are left. */
function mayTakeReturn(deps: GatewayDeps, operation: Operation): boolean {
  if (operation.status !== "requires_action" || operation.returns >= MAX_RETURNS) return false;
  const continueInFlight = operation.keyFor === "continue" && operation.claimedBy === "request" &&
    operation.nextCheckAt !== undefined && operation.nextCheckAt > deps.clock.now();
  return !continueInFlight;
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
