/**
 * PayPal-shaped identifiers: 17 upper-case letters and digits for orders, authorizations, captures and
 * refunds (`5O190127TN364715T`), 13 for payer ids, hex debug ids, `WH-` event ids, and opaque access tokens.
 * Random, so ids never repeat across restarts of a file-backed emulator.
 * @module
 */
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

function randomText(length: number, alphabet: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join("");
}

/** An order, authorization, capture or refund id. */
export function resourceId(): string {
  return randomText(17, UPPER);
}

/** Payer ids avoid 0, 1, I and O (Orders v2 `account_id`: `^[2-9A-HJ-NP-Z]{13}$`). */
export function payerId(): string {
  return randomText(13, "23456789ABCDEFGHJKLMNPQRSTUVWXYZ");
}

export function debugId(): string {
  return randomText(13, "0123456789abcdef");
}

export function eventId(): string {
  return `WH-${randomText(17, UPPER)}-${randomText(17, UPPER)}`;
}

/** An OAuth2 access token: opaque, long, URL-safe. */
export function accessToken(): string {
  return `A21AA${randomText(90, `${UPPER}abcdefghijklmnopqrstuvwxyz-_`)}`;
}
