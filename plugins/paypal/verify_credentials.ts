/**
 * Account authorization: the app's client ID and secret must obtain a token, and the webhook ID must be one
 * of that app's webhooks (GET /v1/notifications/webhooks/{id}), since every notification is verified with it.
 * @module
 */
import type { CredentialCheck, PspCallContext } from "../../src/plugin_api.ts";
import { parseObject } from "../kit/mod.ts";
import { accessToken } from "./access_token.ts";
import { callPayPal, resolveEndpoint, segment } from "./paypal_api.ts";

export async function verifyCredentials(ctx: PspCallContext): Promise<CredentialCheck> {
  const endpoint = resolveEndpoint(ctx);
  if (endpoint === undefined) return { ok: false, reason: "the credentials do not fit PayPal's form" };
  // Never a cached token: the point is to prove that this secret works now.
  const token = await accessToken(endpoint, ctx, true);
  if (token.kind === "unavailable") {
    return { ok: false, reason: "PayPal could not be reached; try again later" };
  }
  if (token.kind === "refused") {
    return token.answer.status === 401
      ? {
        ok: false,
        reason: "PayPal refused the client ID and secret (check that they belong to one REST app)",
      }
      : { ok: false, reason: `PayPal refused to issue an access token (HTTP ${token.answer.status})` };
  }
  const { webhookId } = endpoint.credentials;
  const result = await callPayPal(endpoint, ctx, {
    method: "GET",
    path: `/v1/notifications/webhooks/${segment(webhookId)}`,
    keyed: false,
    operation: "paypal.webhooks.get",
  });
  if (result.kind !== "response") {
    return { ok: false, reason: "PayPal could not be reached; try again later" };
  }
  if (result.status === 200 && parseObject(result.body)?.id === webhookId) return { ok: true };
  if (result.status === 404) {
    return { ok: false, reason: "this REST app has no webhook with that webhook ID" };
  }
  return { ok: false, reason: `PayPal could not confirm the webhook ID (HTTP ${result.status})` };
}
