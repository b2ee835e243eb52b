/**
 * Voids of an authorization: POST /v2/payments/authorizations/{id}/void. PayPal answers 204 No Content, or
 * 200 with the authorization for `Prefer: return=representation`; a void of an authorization PayPal already
 * voided (422 PREVIOUSLY_VOIDED) has what it asked for. The void's PSP reference is the authorization id.
 * @module
 */
import type {
  ModificationInput,
  PspCallContext,
  PspHttpResult,
  PspOutcome,
  QueryInput,
} from "../../src/plugin_api.ts";
import { readAnswer, safeText } from "../kit/mod.ts";
import type { Endpoint } from "./access_token.ts";
import { paypalRules } from "./answer_rules.ts";
import { getOrder } from "./lookups.ts";
import { alreadyDone, authorizationOf, cannotModify, modificationOf, notReceived } from "./modification.ts";
import { readTransaction } from "./orders.ts";
import { callPayPal, segment } from "./paypal_api.ts";
import { VOID_ISSUES, voidRule } from "./status_map.ts";

export async function voidAuthorization(
  endpoint: Endpoint,
  input: ModificationInput,
  ctx: PspCallContext,
): Promise<PspOutcome> {
  const modification = modificationOf(input);
  if (modification === undefined) return cannotModify("the payment names no PayPal order");
  const found = await getOrder(endpoint, ctx, modification.orderId);
  if (found.kind === "unknown") return found.outcome;
  const authorization = authorizationOf(found.value);
  if (authorization === undefined) {
    return { kind: "failed", code: "payment_not_voidable", message: "PayPal's order holds no authorization" };
  }
  const result = await callPayPal(endpoint, ctx, {
    method: "POST",
    path: `/v2/payments/authorizations/${segment(authorization.id)}/void`,
    keyed: true,
    operation: "paypal.authorizations.void",
  });
  return readVoidAnswer(result, authorization.id);
}

function readVoidAnswer(result: PspHttpResult, authorizationId: string): PspOutcome {
  const voided: PspOutcome = { kind: "succeeded", pspReference: authorizationId };
  if (alreadyDone(result, VOID_ISSUES)) return voided;
  if (result.kind === "response" && result.status === 204) return voided;
  const reading = readAnswer(result, "operation", paypalRules(VOID_ISSUES));
  if (reading.kind === "decided") return reading.outcome;
  const authorization = readTransaction(reading.body);
  if (authorization === undefined || authorization.id !== authorizationId) {
    return {
      kind: "unknown",
      detail: "PayPal's answer is not this authorization",
      pspReference: authorizationId,
    };
  }
  return statusOutcome(authorization.status, authorizationId);
}

function statusOutcome(status: string | undefined, authorizationId: string): PspOutcome {
  const rule = voidRule(status);
  const shown = status === undefined ? "without a status" : safeText(status, 40);
  switch (rule.kind) {
    case "succeeded":
      return { kind: "succeeded", pspReference: authorizationId };
    case "pending":
      return { kind: "pending", pspReference: authorizationId };
    case "failed":
      return {
        kind: "failed",
        code: rule.code,
        message: `PayPal authorization ${shown}`,
        pspReference: authorizationId,
      };
    case "unknown":
      return {
        kind: "unknown",
        detail: `PayPal authorization ${shown}: ${rule.why}`,
        pspReference: authorizationId,
      };
  }
}

/** A void shows in the authorization's status; an authorization that is not voided was not voided. */
export async function queryVoid(
  endpoint: Endpoint,
  input: QueryInput,
  ctx: PspCallContext,
): Promise<PspOutcome> {
  const modification = modificationOf(input);
  if (modification === undefined) return { kind: "unknown", detail: "the payment names no PayPal order" };
  const found = await getOrder(endpoint, ctx, modification.orderId);
  if (found.kind === "unknown") return found.outcome;
  const authorization = authorizationOf(found.value);
  if (authorization?.status === "VOIDED") return { kind: "succeeded", pspReference: authorization.id };
  return authorization === undefined || authorization.status !== undefined ? notReceived("void") : {
    kind: "unknown",
    detail: "PayPal's authorization has no status",
  };
}
