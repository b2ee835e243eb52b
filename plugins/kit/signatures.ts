/**
 * Signature helpers for notifications and request signing: HMAC-SHA256, SHA-256, encodings and a
 * constant-time comparison. The hashes are the runtime's `node:crypto`, called synchronously: a fraction of
 * WebCrypto's cost for the small messages signed here (no key import, no asynchronous call).
 * @module
 */
import { createHash, createHmac } from "node:crypto";

const encoder = new TextEncoder();

function bytesOf(value: string | Uint8Array): Uint8Array<ArrayBuffer> {
  return typeof value === "string" ? encoder.encode(value) : new Uint8Array(value);
}

/** HMAC-SHA256 of `message` under `key` (raw bytes, or a string taken as UTF-8). */
export function hmacSha256(
  key: string | Uint8Array,
  message: string | Uint8Array,
): Promise<Uint8Array> {
  return Promise.resolve(
    new Uint8Array(createHmac("sha256", bytesOf(key)).update(bytesOf(message)).digest()),
  );
}

export function sha256(message: string | Uint8Array): Promise<Uint8Array> {
  return Promise.resolve(new Uint8Array(createHash("sha256").update(bytesOf(message)).digest()));
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Bytes of an even-length hex string, or undefined for anything else. */
export function fromHex(hex: string): Uint8Array | undefined {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Bytes of a standard Base64 string, or undefined when it is not one. */
export function fromBase64(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** Compares two byte strings in time that depends only on their lengths. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}

/** Whether two signature texts are equal, compared in constant time over their UTF-8 bytes. */
export function signaturesMatch(expected: string, received: string): boolean {
  return timingSafeEqual(encoder.encode(expected), encoder.encode(received));
}
