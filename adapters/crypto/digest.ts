/**
 * SHA-256 of a text as lower-case hex: request fingerprints, webhook delivery digests, the operator token's hash.
 * @module
 */
const encoder = new TextEncoder();

export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
