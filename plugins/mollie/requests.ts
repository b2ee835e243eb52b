/**
 * The requests the plugin sends to Mollie's Payments API v2: where (base URL per credentials), with which
 * headers (the API key as a bearer token, the core's key as Idempotency-Key on every POST), and the bodies of
 * a payment and a refund.
 * @module
 */
import type { ModificationInput, PayInput, PspCallContext, PspHttpResult } from "../../src/plugin_api.ts";
import { decimalAmount, type Json, sha256, toHex } from "../kit/mod.ts";
import { apiBaseUrl, type MollieCredentials, readCredentials } from "./credentials.ts";

/** Mollie's absolute maximum length of a payment description; it truncates per method below that. */
const MAX_DESCRIPTION_LENGTH = 255;

/** Longer core keys are sent as their SHA-256, so a key of any length stays a plain, bounded header value. */
const MAX_KEY_LENGTH = 64;

export interface Endpoint {
  readonly credentials: MollieCredentials;
  readonly baseUrl: string;
}

export interface MollieCall {
  readonly method: "GET" | "POST";
  /** The path below the base URL, such as `/payments/tr_123/refunds`. */
  readonly path: string;
  readonly json?: Json;
  /** A short name for logs and metrics. */
  readonly operation: string;
}

/** The endpoint for the call's mode, or undefined when the credentials do not fit that mode's schema. */
export function resolveEndpoint(ctx: PspCallContext): Endpoint | undefined {
  const credentials = readCredentials(ctx.credentials, ctx.test);
  return credentials === undefined ? undefined : { credentials, baseUrl: apiBaseUrl(credentials) };
}

/**
 * Sends one call. A POST carries the core's idempotency key, so Mollie answers a repeated call from its record
 * instead of creating a second payment or refund. A GET carries none: a read changes nothing, and a query
 * repeats its reads under one key, so a read must never be answered from a record.
 */
export async function callMollie(
  endpoint: Endpoint,
  ctx: PspCallContext,
  call: MollieCall,
): Promise<PspHttpResult> {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${endpoint.credentials.apiKey}`,
    Accept: "application/hal+json",
  };
  if (call.method === "POST") headers["Idempotency-Key"] = await mollieIdempotencyKey(ctx.idempotencyKey);
  return await ctx.http.send({
    method: call.method,
    url: `${endpoint.baseUrl}${call.path}`,
    headers,
    json: call.json,
    operation: `mollie.${call.operation}`,
  }, ctx.deadline);
}

/**
 * The core's key as Mollie's Idempotency-Key: unchanged up to 64 characters, else its SHA-256 in hex. It is
 * deterministic, so a query replays exactly the key of the call it asks about.
 */
export async function mollieIdempotencyKey(key: string): Promise<string> {
  return key.length <= MAX_KEY_LENGTH ? key : toHex(await sha256(key));
}

/** A path segment for a Mollie id; ids are `tr_…`/`re_…` words, anything else is refused before sending. */
export function idSegment(id: string | undefined, prefix: "tr_" | "re_"): string | undefined {
  return id !== undefined && new RegExp(`^${prefix}[A-Za-z0-9]{1,64}$`).test(id) ? id : undefined;
}

/**
 * The create-payment body. `metadata.reference` is how every later answer, webhook and query is tied back to
 * the gateway's payment; `webhookUrl` is the gateway's notification URL for this payment (it names the
 * reference, since Mollie's webhook carries nothing but the payment id).
 */
export function paymentBody(
  input: Pick<PayInput, "reference" | "amount" | "returnUrl" | "notificationUrl" | "description">,
  method: string | undefined,
): Json {
  const body: Json = {
    amount: { currency: input.amount.currency, value: decimalAmount(input.amount) },
    description: describe(input.description, input.reference),
    redirectUrl: input.returnUrl,
    metadata: { reference: input.reference },
  };
  if (input.notificationUrl !== undefined) body.webhookUrl = input.notificationUrl;
  if (method !== undefined) body.method = method;
  return body;
}

/** The create-refund body; the refund's own gateway reference goes into its metadata. */
export function refundBody(input: Pick<ModificationInput, "reference" | "amount">): Json | undefined {
  if (input.amount === undefined) return undefined;
  return {
    amount: { currency: input.amount.currency, value: decimalAmount(input.amount) },
    metadata: { reference: input.reference },
  };
}

/** Mollie requires a description (it shows it on the buyer's bank statement); the reference stands in. */
function describe(description: string | undefined, reference: string): string {
  const printable = Array.from(description ?? "", (char) => char.charCodeAt(0) < 0x20 ? " " : char).join("")
    .trim();
  const text = printable === "" ? reference : printable;
  return Array.from(text).slice(0, MAX_DESCRIPTION_LENGTH).join("");
}
