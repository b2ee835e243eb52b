import { type Rejection, rejection } from "../errors.ts";
import { parseAmount } from "../money/money.ts";
import type { Operation, OperationKey } from "../payment/operation.ts";
import { type Payment, reserveCapture, reserveRefund, reserveVoid } from "../payment/payment.ts";
import type { LoadedPlugin, ModificationInput } from "../ports/psp_plugin.ts";
import type { ExtensionBinding } from "../ports/shop_directory.ts";
import type { Result } from "../result.ts";
import { type GatewayDeps, pluginOf } from "./deps.ts";
import { answerDuplicate } from "./duplicates.ts";
import { draftOperation } from "./draft_operation.ts";
import { callContext, withinAnswerBudget } from "./psp_call.ts";
import { reconcileOperation } from "./reconcile.ts";
import { callAndRecord, settleAnswer } from "./record_outcome.ts";
import type { RequestOutcome } from "./request_outcome.ts";
import { reject } from "./settle.ts";

export type ModificationKind = "capture" | "void" | "refund";

/** A validated capture, void or refund request. */
export interface ModifyPayment {
  readonly binding: ExtensionBinding;
  readonly kind: ModificationKind;
  readonly operationId: string;
  readonly paymentId: string;
  /** The decimal amount as Genstore sent it; absent for a void. Parsed against the payment's currency. */
  readonly amountText?: string;
  readonly test: boolean;
  readonly fingerprint: string;
}

/**
 * Records a capture, void or refund, checks it against the payment's running sums (reserving the amount so
 * that concurrent requests cannot together exceed it), and takes it to the PSP within the answer budget.
 */
export async function modifyPayment(deps: GatewayDeps, command: ModifyPayment): Promise<RequestOutcome> {
  const { binding } = command;
  const key: OperationKey = { shop: binding.shop, kind: command.kind, operationId: command.operationId };
  const draft = draftOperation(deps, binding, {
    kind: command.kind,
    operationId: command.operationId,
    paymentId: command.paymentId,
    test: command.test,
    fingerprint: command.fingerprint,
    amountText: command.amountText,
  });
  const { reference, createdAt: now } = draft;

  // A follow-up on a payment whose own outcome is not known yet asks the PSP first (bounded), so that a
  // capture of an authorization that did happen is not refused on a guess.
  await settleUnsettledPayment(deps, binding.shop, command.paymentId);

  const begun = await deps.store.transaction(async (tx) => {
    const found = await tx.lockPayment(binding.shop, command.paymentId);
    // Live and test are separate worlds, and a payment belongs to the extension that took it.
    const payment = found?.extension === binding.extension && found.test === command.test ? found : undefined;
    let operation = draft;
    if (payment !== undefined && command.amountText !== undefined) {
      const amount = parseAmount(command.amountText, payment.amount.currency);
      if (!amount.ok) return { kind: "invalid", message: amount.error.message } as const;
      operation = { ...draft, amount: amount.value, amountText: undefined };
    }
    const inserted = await tx.insertOperation(operation);
    if (!inserted.created) return { kind: "duplicate", existing: inserted.operation } as const;

    const credentials = command.test ? binding.test : binding.live;
    const checked: Result<Payment, Rejection> = payment === undefined
      ? { ok: false, error: rejection("payment_not_found") }
      : credentials === undefined
      ? { ok: false, error: rejection("account_not_configured") }
      : reserve(command.kind, payment, operation, pluginOf(deps, payment.plugin));
    if (!checked.ok) {
      const refused = reject(operation, payment, checked.error, now);
      await tx.saveOperation({ ...refused.operation, answer: { error: refused.callback.error } });
      await tx.enqueueCallback(binding.shop, refused.callback);
      return { kind: "refused", answer: { error: refused.callback.error } } as const;
    }
    await tx.savePayment(checked.value);
    return { kind: "started", payment: checked.value, operation, credentials: credentials! } as const;
  });

  switch (begun.kind) {
    case "invalid":
      return { kind: "invalid", issues: [{ path: "amount", message: begun.message }] };
    case "duplicate":
      return await answerDuplicate(deps, key, command.fingerprint, begun.existing, async (operation) => {
        const payment = await deps.store.findPayment(binding.shop, command.paymentId);
        const credentials = command.test ? binding.test : binding.live;
        if (payment === undefined || credentials === undefined) {
          throw new Error("Cannot resume without a payment");
        }
        return await modify(deps, command.kind, operation, payment, credentials);
      });
    case "refused":
      return { kind: "answered", answer: begun.answer, replayed: false };
    case "started":
      break;
  }

  deps.failpoints.reach("after_request_stored");
  const { payment, operation } = begun;
  deps.logger.info("operation.received", {
    shop: binding.shop,
    extension: binding.extension,
    kind: command.kind,
    operationId: command.operationId,
    paymentId: command.paymentId,
    reference,
  });
  return await modify(deps, command.kind, operation, payment, begun.credentials);
}

/** Calls the PSP for a recorded capture, void or refund with its stored idempotency key, within the budget. */
async function modify(
  deps: GatewayDeps,
  kind: ModificationKind,
  operation: Operation,
  payment: Payment,
  credentials: Readonly<Record<string, unknown>>,
): Promise<RequestOutcome> {
  const key: OperationKey = { shop: operation.shop, kind, operationId: operation.operationId };
  const plugin = pluginOf(deps, payment.plugin);
  const ctx = callContext(deps, payment, operation, credentials, true);
  const input: ModificationInput = {
    reference: operation.reference,
    paymentPspReference: payment.pspReference ?? "",
    amount: operation.amount,
    paymentAmount: payment.amount,
  };
  const work = callAndRecord(deps, key, operation.reference, () => plugin[kind](input, ctx));
  const answer = await withinAnswerBudget(deps, work, () => settleAnswer(deps, key));
  return { kind: "answered", answer, replayed: false };
}

/** Asks the PSP about the payment's own outcome when it is still open and its check is due or unknown. */
async function settleUnsettledPayment(deps: GatewayDeps, shop: string, paymentId: string): Promise<void> {
  const operation = await deps.store.findOperation({ shop, kind: "payment", operationId: paymentId });
  if (operation?.status !== "unknown") return;
  await withinAnswerBudget(
    deps,
    reconcileOperation(deps, operation).then(() => undefined),
    () => Promise.resolve(undefined),
  );
}

function reserve(kind: ModificationKind, payment: Payment, operation: Operation, plugin: LoadedPlugin) {
  const rules = plugin.manifest.capabilities;
  switch (kind) {
    case "capture":
      return reserveCapture(payment, operation.amount!.amountMinor, rules);
    case "void":
      return reserveVoid(payment, rules);
    case "refund":
      return reserveRefund(payment, operation.amount!.amountMinor, rules);
  }
}
