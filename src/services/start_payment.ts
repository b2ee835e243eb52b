import { type Rejection, rejection } from "../errors.ts";
import type { Money } from "../money/money.ts";
import type { CardToken } from "../payment/card_token.ts";
import type { Operation, OperationKey } from "../payment/operation.ts";
import { type CaptureMode, newPayment, type Payment } from "../payment/payment.ts";
import type { EncryptedCard } from "../ports/card_decryptor.ts";
import type { CardDetails, PayInput } from "../ports/psp_plugin.ts";
import type { ExtensionBinding } from "../ports/shop_directory.ts";
import { type GatewayDeps, pluginOf } from "./deps.ts";
import { answerDuplicate } from "./duplicates.ts";
import { draftOperation } from "./draft_operation.ts";
import { callContext, withinAnswerBudget } from "./psp_call.ts";
import { callAndRecord, notificationUrl, returnUrl, settleAnswer } from "./record_outcome.ts";
import type { RequestOutcome } from "./request_outcome.ts";
import { reject } from "./settle.ts";

/** A validated Genstore payment request. */
export interface StartPayment {
  readonly binding: ExtensionBinding;
  readonly paymentId: string;
  readonly amount: Money;
  readonly test: boolean;
  readonly captureMode: CaptureMode;
  readonly card?: EncryptedCard;
  readonly genstoreReturnUrl?: string;
  readonly shopper: PayInput["shopper"];
  readonly description?: string;
  /** Card-on-file, first payment: store the card and give Genstore a token for it. */
  readonly storeCard?: boolean;
  /** Card-on-file, later payment: charge the card stored under this gateway token. */
  readonly cardToken?: { readonly token: string; readonly initiator: "customer" | "merchant" };
  /** Identifies the request body, to tell a retry from a conflicting reuse of the id. */
  readonly fingerprint: string;
}

/** A card package already used by another payment (a captured request replayed to another shop or id). */
const REUSED_PACKAGE = rejection(
  "card_unreadable",
  "The encrypted card data was already used for another payment",
);

/** Rolls the request's transaction back: the operation was recorded before, by an earlier request. */
class DuplicateOperation extends Error {
  constructor(readonly existing: Operation) {
    super("The operation exists already");
  }
}

/**
 * Records a payment and takes it to the PSP within the answer budget. Every recorded payment ends with
 * exactly one final callback, whatever happens after this returns.
 */
export async function startPayment(deps: GatewayDeps, command: StartPayment): Promise<RequestOutcome> {
  const { binding } = command;
  const key: OperationKey = { shop: binding.shop, kind: "payment", operationId: command.paymentId };
  const credentials = command.test ? binding.test : binding.live;
  const draft = draftOperation(deps, binding, {
    kind: "payment",
    operationId: command.paymentId,
    paymentId: command.paymentId,
    test: command.test,
    fingerprint: command.fingerprint,
    amount: command.amount,
  });
  const { reference, createdAt: now } = draft;

  const payment = newPayment({
    shop: binding.shop,
    paymentId: command.paymentId,
    extension: binding.extension,
    plugin: binding.plugin,
    test: command.test,
    reference,
    amount: command.amount,
    captureMode: command.captureMode,
    genstoreReturnUrl: command.genstoreReturnUrl,
    storeCard: command.storeCard ? { shopperReference: `${binding.shop}.${deps.ids.token()}` } : undefined,
    description: command.description,
  });
  const stored = await storedCardOf(deps, command);
  const capabilities = pluginOf(deps, binding.plugin).manifest.capabilities;
  // The manifest is the single source of what the plugin does: what it does not declare never reaches it.
  const refusal = command.captureMode === "authorize" && !capabilities.manualCapture
    ? rejection("capture_not_supported", "This payment method takes sales only, not authorizations")
    : credentials === undefined
    ? rejection("account_not_configured", modeMessage(command.test))
    : stored.kind === "refused"
    ? stored.rejection
    : undefined;

  const packageFingerprint = command.card === undefined
    ? undefined
    : await deps.decryptor.fingerprint(command.card);
  const claimsPackage = refusal === undefined && packageFingerprint !== undefined;
  const begun = await deps.store.transaction(async (tx) => {
    // The card package's claim goes out with the operation's insert: one round trip for both. Should the
    // operation exist already, the transaction is rolled back, claim and all: a duplicate changes nothing.
    const [inserted, claim] = await Promise.all([
      tx.insertOperation(draft),
      claimsPackage
        ? tx.claimCardPackage({ fingerprint: packageFingerprint, ...keyOfPayment(key) })
        : undefined,
    ]);
    if (!inserted.created) throw new DuplicateOperation(inserted.operation);
    const reused = claim !== undefined && !isThisPayment(claim, key);
    const refusalNow = reused ? REUSED_PACKAGE : refusal;
    if (refusalNow !== undefined) {
      const refused = reject(draft, payment, refusalNow, now);
      await tx.savePayment(refused.payment ?? payment, true);
      await tx.saveOperation({ ...refused.operation, answer: { error: refused.callback.error } });
      await tx.enqueueCallback(binding.shop, refused.callback);
      return { kind: "refused", answer: { error: refused.callback.error }, reused } as const;
    }
    await tx.savePayment(payment, true);
    return { kind: "started" } as const;
  }).catch((error) => {
    if (error instanceof DuplicateOperation) return { kind: "duplicate", existing: error.existing } as const;
    throw error;
  });
  if (begun.kind === "refused") {
    if (begun.reused) {
      deps.logger.warn("payment.card_package_reused", { shop: key.shop, operationId: key.operationId });
    }
    return { kind: "answered", answer: begun.answer, replayed: false };
  }
  if (begun.kind === "duplicate") {
    return await answerDuplicate(deps, key, command.fingerprint, begun.existing, async (operation) => {
      const storedPayment = await deps.store.findPayment(key.shop, key.operationId);
      if (storedPayment === undefined || credentials === undefined || stored.kind === "refused") {
        throw new Error("Cannot resume a payment without it");
      }
      return await pay(deps, command, operation, storedPayment, credentials, stored);
    });
  }
  deps.failpoints.reach("after_request_stored");
  deps.logger.info("payment.received", {
    shop: binding.shop,
    extension: binding.extension,
    operationId: command.paymentId,
    reference,
    test: command.test,
    captureMode: command.captureMode,
  });
  return await pay(deps, command, draft, payment, credentials!, stored);
}

/** Decrypts the card and calls the PSP with the operation's stored idempotency key, within the budget. */
async function pay(
  deps: GatewayDeps,
  command: StartPayment,
  operation: Operation,
  payment: Payment,
  credentials: Readonly<Record<string, unknown>>,
  stored: StoredCardLookup,
): Promise<RequestOutcome> {
  const key: OperationKey = { shop: operation.shop, kind: "payment", operationId: operation.operationId };
  const card = stored.kind === "token" ? undefined : await openCard(deps, command, key);
  if (card === "refused") return { kind: "answered", answer: await settleAnswer(deps, key), replayed: false };
  const plugin = pluginOf(deps, payment.plugin);
  const ctx = callContext(deps, payment, operation, credentials, true);
  const work = callAndRecord(deps, key, operation.reference, () =>
    plugin.pay({
      reference: operation.reference,
      amount: payment.amount,
      captureMode: payment.captureMode,
      card,
      storeCard: payment.storeCard,
      storedCard: stored.kind === "token"
        ? {
          pspToken: stored.token.pspToken,
          shopperReference: stored.token.shopperReference,
          initiator: command.cardToken?.initiator ?? "customer",
        }
        : undefined,
      returnUrl: returnUrl(deps, operation.reference),
      notificationUrl: notificationUrl(deps, payment.plugin, operation.reference),
      shopper: command.shopper,
      description: command.description,
    }, ctx));
  const answer = await withinAnswerBudget(
    deps,
    work,
    () => settleAnswer(deps, key),
  );
  return { kind: "answered", answer, replayed: false };
}

type StoredCardLookup =
  | { readonly kind: "none" }
  | { readonly kind: "token"; readonly token: CardToken }
  | { readonly kind: "refused"; readonly rejection: Rejection };

/**
 * Card-on-file needs a plugin that stores cards; a token must belong to this shop, extension and mode (a
 * token of another shop is simply not found: tokens never cross shops).
 */
async function storedCardOf(deps: GatewayDeps, command: StartPayment): Promise<StoredCardLookup> {
  const wantsCardOnFile = command.storeCard === true || command.cardToken !== undefined;
  if (wantsCardOnFile && !pluginOf(deps, command.binding.plugin).manifest.capabilities.cardOnFile) {
    return { kind: "refused", rejection: rejection("card_on_file_not_supported") };
  }
  if (command.cardToken === undefined) return { kind: "none" };
  const token = await deps.store.findCardToken(command.binding.shop, command.cardToken.token);
  const usable = token !== undefined && token.extension === command.binding.extension &&
    token.test === command.test && token.plugin === command.binding.plugin;
  return usable
    ? { kind: "token", token }
    : { kind: "refused", rejection: rejection("card_token_not_found") };
}

function keyOfPayment(key: OperationKey): { shop: string; paymentId: string } {
  return { shop: key.shop, paymentId: key.operationId };
}

function isThisPayment(claim: { shop: string; paymentId: string }, key: OperationKey): boolean {
  return claim.shop === key.shop && claim.paymentId === key.operationId;
}

function modeMessage(test: boolean): string {
  return test
    ? "The shop has no test credentials for this extension"
    : "The shop has no live credentials for this extension";
}

/** Decrypts the card in memory; an unreadable package fails the payment with card_unreadable. */
async function openCard(
  deps: GatewayDeps,
  command: StartPayment,
  key: OperationKey,
): Promise<CardDetails | undefined | "refused"> {
  if (command.card === undefined) return undefined;
  const opened = await deps.decryptor.decrypt(command.card);
  if (opened.ok) {
    // Which configured key opened it (its position), so a rotation can tell when the old key is unused.
    deps.logger.info("card.decrypted", {
      shop: key.shop,
      operationId: key.operationId,
      keyIndex: opened.value.keyIndex,
    });
    return opened.value.card;
  }
  deps.logger.warn("card.undecryptable", {
    shop: key.shop,
    operationId: key.operationId,
    reason: opened.error.reason,
  });
  await deps.store.transaction(async (tx) => {
    const { operation, payment } = await tx.lockWithPayment(key);
    if (operation === undefined || payment === undefined) {
      throw new Error("Cannot find the payment just recorded");
    }
    // Only an operation that never reached the PSP may be refused; an unknown one waits for the PSP.
    if (operation.status !== "processing") return;
    const refused = reject(operation, payment, rejection("card_unreadable"), deps.clock.now());
    if (refused.payment !== undefined) await tx.savePayment(refused.payment);
    await tx.saveOperation(refused.operation);
    await tx.enqueueCallback(key.shop, refused.callback);
  });
  return "refused";
}
