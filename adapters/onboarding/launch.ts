/**
 * Signed browser launches from Genstore (install, OAuth callback, account authorization): the query `hmac`
 * and `timestamp` of contract section 3, and the shop they name.
 * @module
 */
import type { Context } from "hono";
import { timingSafeEqual } from "../crypto/constant_time.ts";
import { LAUNCH_PARAMS } from "../genstore/onboarding_wire.ts";
import { type QuerySignatureFailure, verifyQuerySignature } from "../genstore/signature.ts";
import { shopFromDomain } from "../genstore/wire.ts";
import type { OnboardingDeps } from "./deps.ts";

export type LaunchCheck =
  | { readonly ok: true; readonly shop: string }
  | { readonly ok: false; readonly status: 400 | 401; readonly problem: string };

/** What a failed signature check means to the person who followed the link. */
function explain(reason: QuerySignatureFailure): string {
  switch (reason) {
    case "stale_timestamp":
    case "future_timestamp":
      return "The link has expired: Genstore's links are valid for five minutes.";
    case "missing_timestamp":
    case "duplicate_timestamp":
    case "malformed_timestamp":
      return "The link carries no valid time stamp, so it cannot be from Genstore.";
    case "query_too_long":
    case "missing_hmac":
    case "duplicate_hmac":
    case "malformed_hmac":
    case "invalid_signature":
      return "The link is not signed by Genstore (its signature does not match).";
  }
}

/** Checks the launch's signature and freshness, then the shop it names (`{handle}.{shopDomain}`). */
export async function checkLaunch(c: Context, deps: OnboardingDeps): Promise<LaunchCheck> {
  const check = await verifyQuerySignature(
    deps.clientSecret,
    new URL(c.req.url).search.slice(1),
    Math.floor(deps.gateway.clock.now() / 1000),
  );
  if (!check.ok) return { ok: false, status: 401, problem: explain(check.reason) };
  const shop = shopFromDomain(c.req.query(LAUNCH_PARAMS.shop), deps.shopDomain);
  if (shop === undefined) {
    return {
      ok: false,
      status: 400,
      problem:
        `The link names no shop of ${deps.shopDomain} (the shop parameter must be {shop}.${deps.shopDomain}).`,
    };
  }
  return { ok: true, shop };
}

/** Constant-time equality of two short strings (states, tokens). */
export function sameText(a: string, b: string): boolean {
  return timingSafeEqual(new TextEncoder().encode(a), new TextEncoder().encode(b));
}
