import { rejection } from "../errors.ts";
import type { Operation } from "../payment/operation.ts";
import { isFinalStatus } from "../payment/operation_machine.ts";
import type { QueryInput } from "../ports/psp_plugin.ts";
import type { GatewayDeps } from "./deps.ts";
import { pluginOf } from "./deps.ts";
import { continuePayment } from "./continue_payment.ts";
import { callContext, callPlugin } from "./psp_call.ts";
import { notificationUrl, recordOutcome, returnUrl } from "./record_outcome.ts";
import { reject } from "./settle.ts";

/**
 * One round of reconciliation: every open operation whose check is due is asked about at the PSP with the
 * idempotency key of its last call. An outcome is never guessed; an abandoned challenge is failed, which is
 * safe because the PSP only authorizes after the gateway continues the payment.
 * @returns how many operations were looked at
 */
export async function reconcileDue(deps: GatewayDeps, limit = 20): Promise<number> {
  const now = deps.clock.now();
  const due = await deps.store.claimOperationsToCheck(now, deps.settings.pspTimeoutMs * 2, limit);
  for (const operation of due) {
    try {
      await reconcileOperation(deps, operation);
    } catch (error) {
      deps.logger.error("reconcile.failed", {
        shop: operation.shop,
        reference: operation.reference,
        error: error instanceof Error ? error.message : "unknown",
      });
    }
  }
  return due.length;
}

/** Settles one open operation if the PSP can tell; marks it for review once past its deadline. */
export async function reconcileOperation(deps: GatewayDeps, operation: Operation): Promise<void> {
  const now = deps.clock.now();
  const key = { shop: operation.shop, kind: operation.kind, operationId: operation.operationId };
  const payment = await deps.store.findPayment(operation.shop, operation.paymentId);
  if (payment === undefined) return;
  const capabilities = pluginOf(deps, payment.plugin).manifest.capabilities;
  const waitingForBuyer = operation.status === "requires_action" && operation.keyFor === "request";
  const deadline = operation.actionDeadline ?? operation.updatedAt + deps.settings.actionTimeoutMs;
  const pastDeadline = waitingForBuyer && deadline <= now;
  // Where the PSP ends an unfinished payment itself (Mollie's expired), the buyer may still pay after the
  // gateway's deadline: the gateway asks the PSP instead of failing the payment on its own clock.
  if (pastDeadline && !capabilities.expiresAtPsp && capabilities.redirect) {
    // One last look before giving up: a buyer who finished at the PSP but never came back (a PayPal order
    // approved, the window closed) is continued now; if the PSP refuses that, the buyer has abandoned.
    await continuePayment(deps, operation.reference, {});
    const after = await deps.store.findOperation(key);
    if (after?.status !== "requires_action" || after.keyFor !== "request") return;
  }
  if (pastDeadline && !capabilities.expiresAtPsp) {
    await deps.store.transaction(async (tx) => {
      const { operation: current, payment } = await tx.lockWithPayment(key);
      if (current?.status !== "requires_action") return;
      const refused = reject(current, payment, rejection("authentication_abandoned"), now);
      if (refused.payment !== undefined) await tx.savePayment(refused.payment);
      await tx.saveOperation({ ...refused.operation, lastSource: "reconciliation" });
      await tx.enqueueCallback(current.shop, refused.callback);
    });
    deps.logger.info("reconcile.action_expired", { shop: operation.shop, reference: operation.reference });
    return;
  }
  // A buyer's return taken to the PSP whose request died is asked about like any call; otherwise the payment
  // simply keeps waiting for the buyer.
  if (waitingForBuyer && !pastDeadline) return;
  if (
    !waitingForBuyer && operation.reviewSince === undefined &&
    operation.createdAt + deps.settings.reconcileDeadlineMs <= now
  ) {
    await markForReview(deps, operation, now);
  }
  // A plugin that cannot be asked leaves the outcome to its notifications, or to a person.
  if (!capabilities.query) return;
  const binding = await deps.shops.findBinding(operation.shop, operation.extension);
  const credentials = operation.test ? binding?.test : binding?.live;
  if (credentials === undefined) {
    deps.logger.warn("reconcile.no_credentials", { shop: operation.shop, reference: operation.reference });
    return;
  }
  const query: QueryInput = {
    operation: operation.kind === "payment"
      ? (operation.keyFor === "continue" ? "continue" : "pay")
      : operation.kind,
    reference: operation.reference,
    pspReference: operation.pspReference,
    paymentPspReference: payment.pspReference,
    amount: operation.amount ?? payment.amount,
    captureMode: payment.captureMode,
    returnUrl: returnUrl(deps, payment.reference),
    resume: payment.resume,
    returnParams: payment.returnParams,
    description: payment.description,
    notificationUrl: notificationUrl(deps, payment.plugin, payment.reference),
  };
  const plugin = pluginOf(deps, payment.plugin);
  const outcome = await callPlugin(
    deps,
    operation.reference,
    () => plugin.query(query, callContext(deps, payment, operation, credentials, queryHasEffect(operation))),
  );
  deps.logger.info("reconcile.asked", {
    shop: operation.shop,
    reference: operation.reference,
    kind: operation.kind,
    outcome: outcome.kind,
    checks: operation.checks,
  });
  await recordOutcome(deps, key, outcome, { answer: false, source: "reconciliation" });
}

/**
 * Whether a query about this operation can itself have an effect at the PSP: a modification's query may perform
 * the modification under its key, and a continue's query replays the buyer's return; a payment's query never
 * charges (the port requires it). The claim extended `sentUntil` for these (sql claimOperationsToCheck).
 */
export function queryHasEffect(operation: Operation): boolean {
  return operation.kind !== "payment" || operation.keyFor === "continue";
}

/**
 * Past its deadline an unknown outcome goes to the review queue, where a person settles it by hand. The
 * gateway keeps asking the PSP meanwhile, at the longest delay.
 */
async function markForReview(deps: GatewayDeps, operation: Operation, now: number): Promise<void> {
  const key = { shop: operation.shop, kind: operation.kind, operationId: operation.operationId };
  await deps.store.transaction(async (tx) => {
    const current = await tx.lockOperation(key);
    if (current === undefined || current.reviewSince !== undefined || isFinalStatus(current.status)) return;
    await tx.saveOperation({ ...current, reviewSince: now });
  });
  deps.logger.warn("reconcile.review_queued", {
    shop: operation.shop,
    kind: operation.kind,
    operationId: operation.operationId,
    reference: operation.reference,
    ageMs: now - operation.createdAt,
  });
}
