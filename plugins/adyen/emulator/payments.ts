/**
 * POST /payments (raw card data or a token, with the contract's sandbox cards) and POST /paymentMethods.
 * @module
 */
import type { StateTransaction } from "../../kit/emulator/mod.ts";
import { type Caller, opens } from "./accounts.ts";
import type { Handler, Outcome } from "./api_call.ts";
import { authorise, notifyAuthorisation, notifyResult, refuse, resultBody } from "./authorisation.ts";
import type { EmulatorContext } from "./context.ts";
import { insertPayment, type PaymentRecord } from "./records.ts";
import { newPspReference, newToken } from "./references.ts";
import { invalidMerchantAccount } from "./service_error.ts";
import { type CardBehaviour, cardBehaviour, cardBrand } from "./test_cards.ts";
import {
  type CardFields,
  type Checked,
  checkPayment,
  merchantAccountOf,
  type PaymentSource,
  type ValidPayment,
} from "./validation.ts";
import { cardFingerprint, resolveToken, shopperTokens, type VaultedCard } from "./vault.ts";

type Json = Record<string, unknown>;

/** The merchant account a request names, when the caller's credential opens it (403 otherwise). */
export function ownMerchantAccount(caller: Caller, body: Json): Checked<string> {
  const merchantAccount = merchantAccountOf(body);
  if (!merchantAccount.ok) return merchantAccount;
  if (!opens(caller, merchantAccount.value)) return { ok: false, error: invalidMerchantAccount() };
  return merchantAccount;
}

/** POST /paymentMethods: the methods a merchant account offers (the plugin uses it to verify credentials). */
export const handlePaymentMethods: Handler = function paymentMethods(caller, body) {
  const merchantAccount = ownMerchantAccount(caller, body);
  if (!merchantAccount.ok) return Promise.resolve({ kind: "rejected", error: merchantAccount.error });
  return Promise.resolve({
    kind: "answered",
    answer: {
      status: 200,
      body: { paymentMethods: [{ type: "scheme", name: "Cards", brands: ["visa", "mc", "amex"] }] },
    },
  });
};

export function paymentsHandler(ctx: EmulatorContext): Handler {
  return async function payments(caller, body, tx) {
    const merchantAccount = ownMerchantAccount(caller, body);
    if (!merchantAccount.ok) return { kind: "rejected", error: merchantAccount.error };
    const checked = checkPayment(body, merchantAccount.value, ctx.now());
    if (!checked.ok) return { kind: "rejected", error: checked.error };
    const { source } = checked.value;
    if (source.kind === "card") return pay(ctx, tx, checked.value, await vaultable(tx, source.card));
    const resolved = resolveToken(
      shopperTokens(tx, merchantAccount.value, source.shopperReference),
      source.storedPaymentMethodId,
    );
    if (!resolved.ok) return { kind: "rejected", error: resolved.error };
    return pay(ctx, tx, checked.value, resolved.record.card);
  };
}

/** What the emulator keeps of a card sent in a request: never its number, holder name or CVC. */
export async function vaultable(tx: StateTransaction, card: CardFields): Promise<VaultedCard> {
  return {
    fingerprint: await cardFingerprint(tx, card.number),
    brand: cardBrand(card.number),
    lastFour: card.number.slice(-4),
    expiryMonth: card.expiryMonth,
    expiryYear: card.expiryYear,
    behaviour: cardBehaviour(card.number),
  };
}

function pay(ctx: EmulatorContext, tx: StateTransaction, request: ValidPayment, card: VaultedCard): Outcome {
  const { source } = request;
  const payment: PaymentRecord = {
    pspReference: newPspReference(),
    merchantAccount: request.merchantAccount,
    merchantReference: request.reference,
    amount: request.amount,
    manualCapture: request.manualCapture,
    returnUrl: request.returnUrl,
    brand: card.brand,
    cardSummary: card.lastFour,
    expiryDate: `${String(card.expiryMonth).padStart(2, "0")}/${card.expiryYear}`,
    shopperInteraction: request.shopperInteraction,
    shopperReference: source.kind === "stored" ? source.shopperReference : source.store?.shopperReference,
    recurringProcessingModel: source.kind === "stored"
      ? source.recurringProcessingModel
      : source.store?.recurringProcessingModel,
    storedPaymentMethodId: source.kind === "stored" ? source.storedPaymentMethodId : undefined,
    pendingStore: source.kind === "card" && source.store !== undefined
      ? {
        merchantAccount: request.merchantAccount,
        shopperReference: source.store.shopperReference,
        recurringProcessingModel: source.store.recurringProcessingModel,
        card,
      }
      : undefined,
    status: "awaiting_authentication",
    resultCode: "Received",
  };
  const outcome = decide(ctx, tx, payment, behaviourOf(card, source));
  insertPayment(tx, payment);
  return outcome;
}

/**
 * The contract's card behaviour, for card data and for the card behind a token alike. A merchant-initiated token
 * payment has no shopper to authenticate (SCA does not apply to it), so the challenge card is authorised
 * without a challenge there.
 */
function behaviourOf(card: VaultedCard, source: PaymentSource): CardBehaviour {
  if (card.behaviour.kind === "challenge" && source.kind === "stored" && !source.shopperInitiated) {
    return { kind: "authorise" };
  }
  return card.behaviour;
}

/** Applies the card's behaviour to a new payment (booked by the caller) and answers it. */
function decide(
  ctx: EmulatorContext,
  tx: StateTransaction,
  payment: PaymentRecord,
  behaviour: CardBehaviour,
): Outcome {
  switch (behaviour.kind) {
    case "authorise":
    case "authorise_then_hold": {
      authorise(tx, payment);
      // The sandbox's lost-answer cards lose their notification too (contract section 7: the gateway must
      // find out by asking the PSP), so that reconciliation, not a webhook, settles them.
      if (behaviour.kind === "authorise") notifyResult(ctx, tx, payment);
      const answer = { status: 200, body: resultBody(payment) };
      return behaviour.kind === "authorise"
        ? { kind: "answered", answer }
        : { kind: "answered", answer, delivery: { kind: "hold" } };
    }
    case "refuse":
      refuse(payment, "Refused", behaviour.refusalReason, behaviour.refusalReasonCode, "refused");
      notifyAuthorisation(ctx, tx, payment);
      return { kind: "answered", answer: { status: 200, body: resultBody(payment) } };
    case "error_then_500":
      refuse(payment, "Error", "Acquirer Error", "4", "error");
      return {
        kind: "answered",
        answer: { status: 200, body: resultBody(payment) },
        delivery: { kind: "internal_error", pspReference: payment.pspReference },
      };
    case "challenge": {
      const challengeId = newToken(18);
      payment.challengeId = challengeId;
      payment.resultCode = "RedirectShopper";
      const action = {
        paymentMethodType: "scheme",
        url: `${ctx.publicUrl}/threeds/${challengeId}`,
        method: "GET",
        type: "redirect",
      };
      const body = {
        pspReference: payment.pspReference,
        resultCode: "RedirectShopper",
        merchantReference: payment.merchantReference,
        action,
      };
      return { kind: "answered", answer: { status: 200, body } };
    }
  }
}
