/**
 * Identifiers the emulator mints: PSP references shaped like Adyen's (16 upper-case alphanumerics) and opaque
 * tokens for challenge pages and redirect results.
 * @module
 */

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

export function newPspReference(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  // 256 is not a multiple of 36, so this is very slightly biased; irrelevant for an emulator's references.
  return Array.from(bytes, (byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join("");
}

export function isPspReference(value: string): boolean {
  return /^[A-Z0-9]{16}$/.test(value);
}

/** A URL-safe random token carrying `bytes` bytes of entropy. */
export function newToken(bytes = 24): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
