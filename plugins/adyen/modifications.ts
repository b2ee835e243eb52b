/**
 * Captures, cancels (voids) and refunds: POST /payments/{paymentPspReference}/captures|cancels|refunds. Adyen
 * answers `status: "received"` with the modification's own pspReference; the result comes later in a CAPTURE,
 * CANCELLATION or REFUND notification, so a received modification is pending.
 * @module
 */
import type { Money, PspOutcome } from "../../src/plugin_api.ts";
import type { Json } from "../kit/mod.ts";
import { amountOf, sameAmount } from "./payment_result.ts";

export type ModificationOperation = "capture" | "void" | "refund";

export interface ModificationRequest {
  readonly operation: ModificationOperation;
  readonly merchantAccount: string;
  readonly paymentPspReference: string;
  readonly reference: string;
  readonly amount?: Money;
}

const ENDPOINTS: { readonly [O in ModificationOperation]: string } = {
  capture: "captures",
  void: "cancels",
  refund: "refunds",
};

export function modificationPath(operation: ModificationOperation, paymentPspReference: string): string {
  return `/payments/${encodeURIComponent(paymentPspReference)}/${ENDPOINTS[operation]}`;
}

export function modificationBody(request: ModificationRequest): Json {
  const body: Json = { merchantAccount: request.merchantAccount, reference: request.reference };
  if (request.operation !== "void" && request.amount !== undefined) body.amount = amountOf(request.amount);
  return body;
}

/** A received modification is pending; anything else in a 2xx answer is not understood, hence unknown. */
export function mapModificationAnswer(body: Json, request: ModificationRequest): PspOutcome {
  const pspReference = typeof body.pspReference === "string" && body.pspReference !== ""
    ? body.pspReference
    : undefined;
  if (body.status !== "received" || pspReference === undefined) {
    return {
      kind: "unknown",
      detail: "Adyen's modification answer is not a received modification",
      pspReference,
    };
  }
  if (
    typeof body.paymentPspReference === "string" && body.paymentPspReference !== request.paymentPspReference
  ) {
    return { kind: "unknown", detail: "Adyen answered about another payment", pspReference };
  }
  if (typeof body.reference === "string" && body.reference !== request.reference) {
    return { kind: "unknown", detail: "Adyen answered about another modification reference", pspReference };
  }
  if (body.amount !== undefined && request.amount !== undefined && !sameAmount(body.amount, request.amount)) {
    return { kind: "unknown", detail: "Adyen's amount differs from the requested amount", pspReference };
  }
  return { kind: "pending", pspReference };
}
