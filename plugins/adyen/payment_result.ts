/**
 * Translates a /payments or /payments/details answer (PaymentResponse, PaymentDetailsResponse) into an outcome,
 * after checking that it is about the payment that was asked for.
 * @module
 */
import type { Money, PspOutcome, RedirectAction } from "../../src/plugin_api.ts";
import { isObject, type Json, safeText } from "../kit/mod.ts";
import { BY_REFUSAL_REASON, refusalCode, resultRule } from "./status_map.ts";
import { readStoredCard, type StoringExpectation } from "./stored_card.ts";

/** The resume key naming the shopper a card is being stored for, across a 3D Secure redirect. */
export const RESUME_STORE_FOR = "storeCardFor";

export interface ExpectedPayment {
  readonly reference: string;
  readonly amount: Money;
  /** Known for /payments/details: the answer must be about the same PSP payment. */
  readonly pspReference?: string;
  /**
   * Present when the payment asked Adyen to store the card (or may have, for a query): an Authorised answer
   * then reports the stored card. Absent, a token in the answer is ignored.
   */
  readonly storing?: StoringExpectation;
}

export function mapPaymentResult(body: Json, expected: ExpectedPayment): PspOutcome {
  const pspReference = typeof body.pspReference === "string" && body.pspReference !== ""
    ? body.pspReference
    : undefined;
  const mismatch = describeMismatch(body, expected, pspReference);
  if (mismatch !== undefined) return { kind: "unknown", detail: mismatch, pspReference };
  const resultCode = body.resultCode;
  const rule = resultRule(resultCode);
  const codeText = typeof resultCode === "string" ? safeText(resultCode, 40) : "missing";
  switch (rule.kind) {
    case "succeeded": {
      if (pspReference === undefined) return { kind: "unknown", detail: "authorised without a pspReference" };
      const storedCard = expected.storing === undefined
        ? undefined
        : readStoredCard(body.additionalData, brandOf(body.paymentMethod), expected.storing);
      return storedCard === undefined
        ? { kind: "succeeded", pspReference, amount: expected.amount }
        : { kind: "succeeded", pspReference, amount: expected.amount, storedCard };
    }
    case "failed": {
      const code = rule.code === BY_REFUSAL_REASON
        ? refusalCode(body.refusalReasonCode, body.refusalReason)
        : rule.code;
      const reason = typeof body.refusalReason === "string" && body.refusalReason !== ""
        ? safeText(body.refusalReason)
        : codeText;
      return { kind: "failed", code, message: reason, pspReference };
    }
    case "requires_action": {
      const redirect = redirectAction(body.action);
      if (redirect === undefined) {
        return {
          kind: "unknown",
          detail: `result ${codeText} without a redirect action the gateway can follow`,
          pspReference,
        };
      }
      // The card is stored when /payments/details authorises, so continue must know it asked for that.
      const storeFor = expected.storing?.shopperReference;
      return {
        kind: "requires_action",
        redirect,
        pspReference,
        resume: {
          ...(pspReference === undefined ? {} : { pspReference }),
          ...(storeFor === undefined ? {} : { [RESUME_STORE_FOR]: storeFor }),
        },
      };
    }
    case "pending":
      if (pspReference === undefined) {
        return { kind: "unknown", detail: `result ${codeText} without a pspReference` };
      }
      return { kind: "pending", pspReference };
    case "unknown":
      return { kind: "unknown", detail: `Adyen result ${codeText}: ${rule.why}`, pspReference };
  }
}

/** Why the answer cannot be about the expected payment, or undefined when it can. */
function describeMismatch(
  body: Json,
  expected: ExpectedPayment,
  pspReference: string | undefined,
): string | undefined {
  if (typeof body.merchantReference === "string" && body.merchantReference !== expected.reference) {
    return "Adyen answered about another merchant reference";
  }
  if (
    expected.pspReference !== undefined && pspReference !== undefined &&
    pspReference !== expected.pspReference
  ) {
    return "Adyen answered about another payment";
  }
  if (body.amount !== undefined && !sameAmount(body.amount, expected.amount)) {
    return "Adyen's amount differs from the requested amount";
  }
  return undefined;
}

/** PaymentResponse.paymentMethod.brand (v69 and later, Authorised answers only). */
function brandOf(paymentMethod: unknown): unknown {
  return isObject(paymentMethod) ? paymentMethod.brand : undefined;
}

export function amountOf(money: Money): { value: number; currency: string } {
  return { value: money.amountMinor, currency: money.currency };
}

/** True when an Adyen Amount object is exactly the given money. */
export function sameAmount(amount: unknown, money: Money): boolean {
  return isObject(amount) && amount.value === money.amountMinor && amount.currency === money.currency;
}

function redirectAction(action: unknown): RedirectAction | undefined {
  if (!isObject(action) || action.type !== "redirect" || typeof action.url !== "string") return undefined;
  let url: URL;
  try {
    url = new URL(action.url);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
  const method = typeof action.method === "string" && action.method.toUpperCase() === "POST" ? "POST" : "GET";
  if (method === "GET") return { url: action.url, method };
  const data: Record<string, string> = {};
  if (isObject(action.data)) {
    for (const [key, value] of Object.entries(action.data)) {
      if (typeof value === "string") data[key] = value;
    }
  }
  return { url: action.url, method, data };
}
