/**
 * How the plugin talks to the template JSON API: paths, bodies and headers. Every request goes through
 * ctx.http (the only way out of the plugin's worker) and carries the core's idempotency key.
 * @module
 */
import type { Money, PspCallContext, PspHttpResult } from "../../src/plugin_api.ts";
import type { Json } from "../kit/mod.ts";
import type { ModificationOperation } from "./answers.ts";
import type { Endpoint } from "./credentials.ts";

// TODO(np-gbd5rszjn5): your PSP's paths for captures, voids (cancels) and refunds of a payment.
export const MODIFICATION_PATHS: { readonly [O in ModificationOperation]: string } = {
  capture: "captures",
  void: "voids",
  refund: "refunds",
};

export function modificationPath(operation: ModificationOperation, paymentId: string): string {
  return `/payments/${encodeURIComponent(paymentId)}/${MODIFICATION_PATHS[operation]}`;
}

export function paymentPath(paymentId: string): string {
  return `/payments/${encodeURIComponent(paymentId)}`;
}

/** The template API's amount object: `{value: minor units, currency: ISO 4217}`. */
export function wireAmount(money: Money): { value: number; currency: string } {
  return { value: money.amountMinor, currency: money.currency };
}

/** A capture or refund names its amount; a void names none. */
export function modificationBody(reference: string, amount: Money | undefined): Json {
  return amount === undefined ? { reference } : { reference, amount: wireAmount(amount) };
}

export interface Call {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly json?: Json;
  /** A short name for the gateway's logs and metrics. */
  readonly operation: string;
  /** Ask for the stored answer of ctx's key only; never process the request (see query() in plugin.ts). */
  readonly replayOnly?: boolean;
}

// TODO(np-gbd5rszjn5): your PSP's authentication and idempotency headers.
/** Every POST carries the core's idempotency key, unchanged: the plugin never mints one. A GET changes nothing. */
export async function send(endpoint: Endpoint, ctx: PspCallContext, call: Call): Promise<PspHttpResult> {
  const headers: Record<string, string> = { Authorization: `Bearer ${endpoint.apiKey}` };
  if (call.method === "POST") headers["Idempotency-Key"] = ctx.idempotencyKey;
  if (call.replayOnly === true) headers["Idempotency-Replay-Only"] = "true";
  return await ctx.http.send({
    method: call.method,
    url: `${endpoint.baseUrl}${call.path}`,
    headers,
    json: call.json,
    operation: `np-gbd5rszjn5.${call.operation}`,
  }, ctx.deadline);
}
