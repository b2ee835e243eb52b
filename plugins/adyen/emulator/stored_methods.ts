/**
 * Tokens without a payment: POST /storedPaymentMethods stores card details for a shopper, and
 * DELETE /storedPaymentMethods/{id}?shopperReference=...&merchantAccount=... deletes a token (204, no body).
 * @module
 */
import type { EmulatorState } from "../../kit/emulator/mod.ts";
import type { AccountBook } from "./accounts.ts";
import { opens } from "./accounts.ts";
import { type Handler, serviceError } from "./api_call.ts";
import type { EmulatorContext } from "./context.ts";
import { ownMerchantAccount, vaultable } from "./payments.ts";
import { invalidMerchantAccount, paymentDetailNotFound, UNAUTHORIZED } from "./service_error.ts";
import { checkStoreRequest } from "./validation.ts";
import { removeToken, storeToken, summarise } from "./vault.ts";

export function storePaymentMethodHandler(ctx: EmulatorContext): Handler {
  return async function storePaymentMethod(caller, body, tx) {
    const merchantAccount = ownMerchantAccount(caller, body);
    if (!merchantAccount.ok) return { kind: "rejected", error: merchantAccount.error };
    const checked = checkStoreRequest(body, merchantAccount.value, ctx.now());
    if (!checked.ok) return { kind: "rejected", error: checked.error };
    const { card, ...request } = checked.value;
    const { record } = storeToken(tx, { ...request, card: await vaultable(tx, card) });
    const summary = summarise(record);
    const answer: Record<string, unknown> = {
      id: summary.id,
      type: "scheme",
      brand: summary.brand,
      lastFour: summary.lastFour,
      expiryMonth: summary.expiryMonth,
      expiryYear: summary.expiryYear,
      shopperReference: summary.shopperReference,
    };
    // The holder name of this request: the vault does not keep it.
    if (card.holderName !== undefined) answer.holderName = card.holderName;
    return { kind: "answered", answer: { status: 201, body: answer } };
  };
}

export async function deleteStoredPaymentMethod(
  state: EmulatorState,
  accounts: AccountBook,
  request: Request,
  id: string,
): Promise<Response> {
  const caller = accounts.caller(request);
  if (caller === undefined) return serviceError(UNAUTHORIZED);
  const query = new URL(request.url).searchParams;
  const merchantAccount = query.get("merchantAccount") ?? "";
  if (!opens(caller, merchantAccount)) return serviceError(invalidMerchantAccount());
  const shopperReference = query.get("shopperReference") ?? "";
  const removed = await state.transaction((tx) => removeToken(tx, merchantAccount, shopperReference, id));
  return removed ? new Response(null, { status: 204 }) : serviceError(paymentDetailNotFound());
}
