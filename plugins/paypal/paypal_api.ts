/**
 * One authenticated PayPal REST call: the bearer token, the `PayPal-Request-Id` of calls with an effect, and
 * `Prefer: return=representation` so answers carry amounts and statuses to check. A 401 to a call made with a
 * cached token renews the token once and repeats the call: PayPal refused it as unauthenticated without
 * processing it, so repeating it (with the same PayPal-Request-Id) is the one retry a plugin may make.
 * @module
 */
import type { PspCallContext, PspHttpResult } from "../../src/plugin_api.ts";
import type { Json } from "../kit/mod.ts";
import { accessToken, type Endpoint, forgetToken } from "./access_token.ts";
import { apiBaseUrl, readCredentials } from "./credentials.ts";
import { paypalRequestId } from "./request_id.ts";

export interface PayPalRequest {
  readonly method: "GET" | "POST";
  /** The path below the base URL, with its ids already encoded. */
  readonly path: string;
  /** The JSON body; none for a POST without one (a void). */
  readonly json?: Json;
  /** Send `ctx.idempotencyKey` as PayPal-Request-Id (every POST with an effect). */
  readonly keyed: boolean;
  /** The operation name for logs, e.g. `paypal.orders.create`. */
  readonly operation: string;
}

/** The shop's endpoint for this call's mode, or undefined when the credentials do not fit the schema. */
export function resolveEndpoint(ctx: PspCallContext): Endpoint | undefined {
  const credentials = readCredentials(ctx.credentials, ctx.test);
  return credentials === undefined ? undefined : { credentials, baseUrl: apiBaseUrl(credentials, ctx.test) };
}

/**
 * Sends the request with a token. Without a token the request itself was never sent: a refused token request
 * is passed on as the answer (HTTP 401: the credentials are wrong), anything else is `not_sent`.
 */
export async function callPayPal(
  endpoint: Endpoint,
  ctx: PspCallContext,
  request: PayPalRequest,
): Promise<PspHttpResult> {
  const requestId = request.keyed ? await paypalRequestId(ctx.idempotencyKey) : undefined;
  let token = await accessToken(endpoint, ctx);
  for (let attempt = 0;; attempt++) {
    if (token.kind === "refused") return token.answer;
    if (token.kind === "unavailable") {
      return { kind: "not_sent", detail: `no PayPal access token: ${token.detail}` };
    }
    const result = await send(endpoint, ctx, request, token.accessToken, requestId);
    if (result.kind !== "response" || result.status !== 401 || !token.cached || attempt > 0) return result;
    await forgetToken(endpoint, token.accessToken);
    token = await accessToken(endpoint, ctx, true);
  }
}

async function send(
  endpoint: Endpoint,
  ctx: PspCallContext,
  request: PayPalRequest,
  bearer: string,
  requestId: string | undefined,
): Promise<PspHttpResult> {
  const headers: Record<string, string> = { Authorization: `Bearer ${bearer}` };
  if (requestId !== undefined) headers["PayPal-Request-Id"] = requestId;
  if (request.method === "POST") headers.Prefer = "return=representation";
  return await ctx.http.send({
    method: request.method,
    url: `${endpoint.baseUrl}${request.path}`,
    headers,
    json: request.json,
    operation: request.operation,
  }, ctx.deadline);
}

/** A path segment from a PayPal id (ids are upper-case alphanumerics; anything else is encoded). */
export function segment(id: string): string {
  return encodeURIComponent(id);
}
