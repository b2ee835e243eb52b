import { incidentFor } from "../payment/incident.ts";
import type { CardToken } from "../payment/card_token.ts";
import type { ChangeSource, Operation, OperationAnswer, OperationKey } from "../payment/operation.ts";
import type { Payment } from "../payment/payment.ts";
import type { PspOutcome } from "../ports/psp_plugin.ts";
import type { OperatorAction } from "../ports/review_store.ts";
import { type GatewayDeps, pluginOf } from "./deps.ts";
import { callPlugin } from "./psp_call.ts";
import { interpretOutcome, type SettlingOutcome } from "./interpret_outcome.ts";
import { answerOf, checkAnsweredAmount, cleanOutcome, settle } from "./settle.ts";

/** The gateway page that forwards the buyer to a PSP page needing a POST. */
export function redirectPageUrl(deps: GatewayDeps, reference: string): string {
  return `${deps.settings.appUrl}/v1/redirect/${encodeURIComponent(reference)}`;
}

/** The gateway URL a PSP notifies about one payment, for PSPs that take a notification URL per payment. */
export function notificationUrl(deps: GatewayDeps, plugin: string, reference: string): string {
  return `${deps.settings.appUrl}/v1/notifications/${encodeURIComponent(plugin)}?reference=${
    encodeURIComponent(reference)
  }`;
}

/** The gateway URL a PSP sends the buyer back to. */
export function returnUrl(deps: GatewayDeps, reference: string): string {
  return `${deps.settings.appUrl}/v1/return/${encodeURIComponent(reference)}`;
}

/** When an open operation should be looked at again, given how it stands after an outcome. */
export function nextCheckAt(
  deps: GatewayDeps,
  operation: Operation,
  outcome: SettlingOutcome,
  now: number,
): number {
  const s = deps.settings;
  switch (outcome.kind) {
    case "unknown":
      return now + Math.min(s.reconcileMaxDelayMs, s.reconcileFirstDelayMs * 2 ** operation.checks);
    case "pending":
      return now + Math.min(s.reconcileMaxDelayMs, s.pendingCheckDelayMs * 2 ** operation.checks);
    case "requires_action": {
      // Past the deadline (a PSP that expires payments itself), ask again on the pending schedule.
      const deadline = actionDeadline(deps, operation, now);
      return deadline > now
        ? deadline
        : now + Math.min(s.reconcileMaxDelayMs, s.pendingCheckDelayMs * 2 ** operation.checks);
    }
    case "succeeded":
    case "failed":
      return now;
  }
}

/** A buyer's time to act runs from the first time the PSP asked for it; nothing a browser sends extends it. */
function actionDeadline(deps: GatewayDeps, operation: Operation, now: number): number {
  return operation.actionDeadline ?? now + deps.settings.actionTimeoutMs;
}

/**
 * A request's PSP call and the recording of its outcome, as one piece of work resolving with the request's
 * answer. Its reference counts as settling meanwhile, so the PSP's notification of it waits for the outcome
 * (settling_calls.ts).
 */
export function callAndRecord(
  deps: GatewayDeps,
  key: OperationKey,
  reference: string,
  call: () => Promise<PspOutcome>,
): Promise<OperationAnswer> {
  return deps.settling.track(
    reference,
    callPlugin(deps, reference, call).then(async (outcome) => {
      deps.failpoints.reach("after_psp_call");
      const recorded = await recordOutcome(deps, key, outcome, { answer: true, source: "psp_answer" });
      deps.failpoints.reach("after_result_stored");
      // The recorded operation carries its first answer; only an operation settled meanwhile by someone
      // else (reconciliation, a notification) needs it read back.
      return recorded.answer ?? await settleAnswer(deps, key);
    }),
  );
}

/**
 * Applies a PSP outcome in one transaction: operation, payment and (when final) the callback are stored
 * together, so a final result is never sent without being stored first.
 * @param options.answer store the operation's first synchronous answer if it has none yet
 */
export async function recordOutcome(
  deps: GatewayDeps,
  key: OperationKey,
  outcome: PspOutcome,
  options: { readonly answer: boolean; readonly source: ChangeSource; readonly action?: OperatorAction },
): Promise<Operation> {
  const now = deps.clock.now();
  return await deps.store.transaction(async (tx) => {
    const { operation, payment } = await tx.lockWithPayment(key);
    if (operation === undefined) {
      throw new Error(`Cannot record an outcome for a missing operation: ${key.operationId}`);
    }
    if (payment === undefined) {
      throw new Error(`Cannot record an outcome without its payment: ${operation.reference}`);
    }
    const capabilities = pluginOf(deps, payment.plugin).manifest.capabilities;
    const interpreted = interpretOutcome(operation, payment, cleanOutcome(outcome), {
      now,
      pspTimeoutMs: deps.settings.pspTimeoutMs,
      source: options.source,
      buyerActions: capabilities.threeDSecure || capabilities.redirect,
    });
    const checked = checkAnsweredAmount(operation, interpreted);
    const cardToken = newCardToken(deps, operation, payment, checked);
    const settled = settle(
      operation,
      cardToken === undefined ? payment : withCard(payment, cardToken),
      checked,
      {
        now,
        rules: pluginOf(deps, payment.plugin).manifest.capabilities,
        nextCheckAt: nextCheckAt(deps, operation, checked, now),
        redirectPageUrl: redirectPageUrl(deps, payment.reference),
      },
    );
    const log = {
      shop: operation.shop,
      extension: operation.extension,
      kind: operation.kind,
      operationId: operation.operationId,
      reference: operation.reference,
      source: options.source,
      outcome: outcome.kind === checked.kind ? checked.kind : `${outcome.kind} as ${checked.kind}`,
    };
    if (!settled.ok) {
      if (settled.error.kind === "already_final") {
        const incident = incidentFor(operation, checked, options.source);
        if (incident !== undefined) {
          await tx.recordIncident(incident);
          deps.logger.warn("incident.raised", {
            ...log,
            incident: incident.kind,
            action: incident.recommendedAction,
          });
        }
      } else {
        deps.logger.error("operation.outcome_refused", { ...log, detail: settled.error.detail });
      }
      return operation;
    }
    let next: Operation = {
      ...settled.value.operation,
      // The call is over: no request holds the operation any more, and a refused return leaves room for another.
      claimedBy: undefined,
      lastSource: options.source,
      actionDeadline: settled.value.operation.status === "requires_action"
        ? actionDeadline(deps, operation, now)
        : operation.actionDeadline,
      ...(outcome.kind === "return_refused" ? { keyFor: "request" as const } : {}),
    };
    if (options.answer && next.answer === undefined) {
      next = {
        ...next,
        answer: answerOf(next, settled.value.payment, redirectPageUrl(deps, payment.reference)),
      };
    }
    if (cardToken !== undefined && next.status === "succeeded") await tx.insertCardToken(cardToken);
    await tx.savePayment(settled.value.payment);
    await tx.saveOperation(next);
    if (options.action !== undefined) await tx.recordOperatorAction(options.action);
    if (settled.value.callback !== undefined) {
      await tx.enqueueCallback(operation.shop, settled.value.callback);
    }
    deps.logger.info("operation.state_changed", {
      ...log,
      from: operation.status,
      to: next.status,
      paymentState: settled.value.payment.state,
      errorCode: next.error?.code,
      detail: checked.kind === "unknown" ? checked.detail : undefined,
    });
    return next;
  });
}

/**
 * Card-on-file: a successful payment that asked to store the card, and whose PSP stored it, gets a gateway
 * token for Genstore. The PSP's token stays inside the gateway.
 */
function newCardToken(
  deps: GatewayDeps,
  operation: Operation,
  payment: Payment,
  outcome: PspOutcome,
): CardToken | undefined {
  if (operation.kind !== "payment" || outcome.kind !== "succeeded") return undefined;
  if (payment.storeCard === undefined || outcome.storedCard === undefined) return undefined;
  const card = outcome.storedCard;
  return {
    shop: payment.shop,
    token: `ct_${deps.ids.token()}`,
    extension: payment.extension,
    plugin: payment.plugin,
    test: payment.test,
    pspToken: card.pspToken,
    shopperReference: payment.storeCard.shopperReference,
    brand: card.brand,
    last4: card.last4,
    expiryMonth: card.expiryMonth,
    expiryYear: card.expiryYear,
    paymentId: payment.paymentId,
  };
}

function withCard(payment: Payment, token: CardToken): Payment {
  return {
    ...payment,
    card: {
      token: token.token,
      brand: token.brand,
      last4: token.last4,
      expiryMonth: token.expiryMonth,
      expiryYear: token.expiryYear,
    },
  };
}

/**
 * Returns the operation's stored first answer, storing the answer that describes it now if it has none
 * (its request outlived the answer budget, or its process died before answering).
 */
export async function settleAnswer(deps: GatewayDeps, key: OperationKey): Promise<OperationAnswer> {
  return await deps.store.transaction(async (tx) => {
    const { operation, payment } = await tx.lockWithPayment(key);
    if (operation === undefined) throw new Error(`Cannot answer for a missing operation: ${key.operationId}`);
    if (operation.answer !== undefined) return operation.answer;
    const answer = answerOf(
      operation,
      payment,
      redirectPageUrl(deps, payment?.reference ?? operation.reference),
    );
    await tx.saveOperation({ ...operation, answer });
    return answer;
  });
}
