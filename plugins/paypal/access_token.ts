/**
 * OAuth2 client credentials (`POST /v1/oauth2/token`, HTTP Basic with the app's client ID and secret): every
 * PayPal REST call carries the bearer token it returns.
 *
 * Tokens are kept in this module, per base URL and client ID *and secret* (a SHA-256 of the three, so the
 * secret is not kept in the clear and a wrong secret never finds the right secret's token), until shortly
 * before `expires_in`. The worker serves every shop, so the cache holds many apps' tokens: bounded, oldest
 * evicted first.
 * @module
 */
import type { PspCallContext, PspHttpResult } from "../../src/plugin_api.ts";
import { parseObject, sha256, toBase64, toHex } from "../kit/mod.ts";
import type { PayPalCredentials } from "./credentials.ts";

export interface Endpoint {
  readonly credentials: PayPalCredentials;
  /** The API base URL, e.g. https://api-m.sandbox.paypal.com. */
  readonly baseUrl: string;
}

export type TokenResult =
  | { readonly kind: "token"; readonly accessToken: string; readonly cached: boolean }
  /** PayPal answered the token request with an error (401 invalid_client: the credentials are wrong). */
  | { readonly kind: "refused"; readonly answer: Extract<PspHttpResult, { kind: "response" }> }
  /** No token: PayPal did not answer, answered 5xx, or answered something that is not a token. */
  | { readonly kind: "unavailable"; readonly detail: string };

export const TOKEN_OPERATION = "paypal.oauth2.token";

const MAX_CACHED_TOKENS = 500;
/** Renew this long before PayPal's expiry, so a call never starts with a token about to lapse. */
const RENEW_MARGIN_MS = 60_000;

interface CachedToken {
  readonly accessToken: string;
  readonly renewAt: number;
}

const TOKENS = new Map<string, CachedToken>();

async function cacheKey(endpoint: Endpoint): Promise<string> {
  const { clientId, clientSecret } = endpoint.credentials;
  return toHex(await sha256(`${endpoint.baseUrl}\n${clientId}\n${clientSecret}`));
}

/**
 * A bearer token for the endpoint's app: the cached one unless `fresh`, else a new one from PayPal.
 * @param fresh ask PayPal even when a cached token exists (after a 401, or to prove the credentials work)
 */
export async function accessToken(
  endpoint: Endpoint,
  ctx: PspCallContext,
  fresh = false,
): Promise<TokenResult> {
  const key = await cacheKey(endpoint);
  const cached = TOKENS.get(key);
  if (!fresh && cached !== undefined && cached.renewAt > Date.now()) {
    return { kind: "token", accessToken: cached.accessToken, cached: true };
  }
  TOKENS.delete(key);
  const { clientId, clientSecret } = endpoint.credentials;
  const result = await ctx.http.send({
    method: "POST",
    url: `${endpoint.baseUrl}/v1/oauth2/token`,
    headers: { Authorization: `Basic ${toBase64(new TextEncoder().encode(`${clientId}:${clientSecret}`))}` },
    form: { grant_type: "client_credentials" },
    operation: TOKEN_OPERATION,
  }, ctx.deadline);
  if (result.kind !== "response") return { kind: "unavailable", detail: result.detail };
  if (result.status >= 400 && result.status < 500) return { kind: "refused", answer: result };
  if (result.status !== 200) return { kind: "unavailable", detail: `PayPal answered HTTP ${result.status}` };
  const body = parseObject(result.body);
  const token = body?.access_token;
  const expiresIn = body?.expires_in;
  if (typeof token !== "string" || token === "" || typeof expiresIn !== "number" || !(expiresIn > 0)) {
    return { kind: "unavailable", detail: "PayPal's token answer has no access_token and expires_in" };
  }
  remember(key, token, expiresIn);
  return { kind: "token", accessToken: token, cached: false };
}

/** Forgets a token PayPal refused (HTTP 401 to a call that carried it). */
export async function forgetToken(endpoint: Endpoint, accessToken: string): Promise<void> {
  const key = await cacheKey(endpoint);
  if (TOKENS.get(key)?.accessToken === accessToken) TOKENS.delete(key);
}

function remember(key: string, accessToken: string, expiresInSeconds: number): void {
  const lifetime = expiresInSeconds * 1000;
  // A short-lived token (tests, emulators) is renewed at half its life instead of a minute before it ends.
  const margin = Math.min(RENEW_MARGIN_MS, lifetime / 2);
  while (TOKENS.size >= MAX_CACHED_TOKENS) {
    const oldest = TOKENS.keys().next().value;
    if (oldest === undefined) break;
    TOKENS.delete(oldest);
  }
  TOKENS.set(key, { accessToken, renewAt: Date.now() + lifetime - margin });
}

/** Tests only: forgets every cached token. */
export function clearTokenCache(): void {
  TOKENS.clear();
}
