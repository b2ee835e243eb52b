/**
 * The core's idempotency key as PayPal's `PayPal-Request-Id`.
 * @module
 */
import { sha256, toHex } from "../kit/mod.ts";

/** The longest PayPal-Request-Id Orders v2 accepts (`components.parameters.paypal_request_id.maxLength`). */
export const MAX_REQUEST_ID_LENGTH = 108;

/**
 * The key itself when PayPal accepts it (printable ASCII, at most 108 characters); otherwise its SHA-256 in
 * hex, which is deterministic, so a query sends the same PayPal-Request-Id as the call it asks about.
 */
export async function paypalRequestId(key: string): Promise<string> {
  if (key.length > 0 && key.length <= MAX_REQUEST_ID_LENGTH && /^[\x21-\x7e]+$/.test(key)) return key;
  return toHex(await sha256(key));
}
