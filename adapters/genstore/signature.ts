/**
 * Authenticates Genstore's requests (contract section 3, genstore-protocol.md section 7.2), and signs them the
 * same way for the dev-mode Genstore simulator.
 *
 * - POST: header `X-Genstore-Hmac-Sha256` = Base64 (or lower-case hex) of HMAC-SHA256 over the raw body.
 * - GET: query `hmac` = hex HMAC-SHA256 over the other parameters, sorted by key, joined as `key=value` with
 *   `&`, exactly as they appear in the URL (no decoding), plus a `timestamp` within ±300 s.
 *
 * Comparisons are constant-time over fixed-length (32-byte) digests.
 *
 * @module
 */

import { createHmac } from "node:crypto";
import { decodeBase64, encodeBase64 } from "../crypto/base64.ts";
import { timingSafeEqual } from "../crypto/constant_time.ts";

const DIGEST_BYTES = 32;
const HEX_DIGEST = /^[0-9a-fA-F]{64}$/;
const UNIX_SECONDS = /^\d{1,12}$/;
// Far above any real launch URL; refusing earlier keeps the cost of a hostile query bounded.
const MAX_QUERY_CHARS = 16_384;

export const DEFAULT_TIMESTAMP_WINDOW_SECONDS = 300;

export type QuerySignatureFailure =
  | "query_too_long"
  | "missing_hmac"
  | "duplicate_hmac"
  | "malformed_hmac"
  | "invalid_signature"
  | "missing_timestamp"
  | "duplicate_timestamp"
  | "malformed_timestamp"
  | "stale_timestamp"
  | "future_timestamp";

export type QuerySignatureCheck = { readonly ok: true } | {
  readonly ok: false;
  readonly reason: QuerySignatureFailure;
};

const encoder = new TextEncoder();

/** `node:crypto`, synchronous: a fraction of WebCrypto's import-and-sign for every request and callback. */
function hmacSha256(secret: string, message: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return Promise.resolve(new Uint8Array(createHmac("sha256", secret).update(message).digest()));
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * Reads the header as hex (64 characters; the contract names lower-case, upper-case costs nothing to accept)
 * or Base64 of 32 bytes (44 characters, so the two forms never overlap); anything else is no digest.
 */
function decodeBodyDigest(header: string): Uint8Array | undefined {
  if (HEX_DIGEST.test(header)) return fromHex(header);
  const bytes = decodeBase64(header);
  return bytes?.length === DIGEST_BYTES ? bytes : undefined;
}

/**
 * Checks `X-Genstore-Hmac-Sha256` against the raw body bytes (before any JSON parsing: re-serialised JSON
 * would not match). A missing or malformed header is simply `false`.
 */
export async function verifyBodySignature(
  secret: string,
  rawBody: Uint8Array,
  header: string | undefined,
): Promise<boolean> {
  const expected = await hmacSha256(secret, new Uint8Array(rawBody));
  const received = header === undefined ? undefined : decodeBodyDigest(header.trim());
  // Always compare something of the digest's length, so a malformed header costs the same as a wrong one.
  const matches = timingSafeEqual(expected, received ?? new Uint8Array(DIGEST_BYTES));
  return matches && received !== undefined;
}

/** Base64 HMAC-SHA256 of the raw body: the value of `X-Genstore-Hmac-Sha256` that Genstore sends. */
export async function signBody(secret: string, rawBody: Uint8Array): Promise<string> {
  return encodeBase64(await hmacSha256(secret, new Uint8Array(rawBody)));
}

interface RawParam {
  readonly key: string;
  readonly pair: string;
  readonly value: string;
}

/** Splits a raw query into `key=value` pairs without decoding anything; empty segments ("a=1&&b=2") carry nothing. */
function splitQuery(rawQuery: string): RawParam[] {
  return rawQuery.split("&").filter((pair) => pair !== "").map((pair) => {
    const equals = pair.indexOf("=");
    // A bare "flag" is signed as "flag=", the `key=value` form of an empty value.
    return equals === -1
      ? { key: pair, pair: `${pair}=`, value: "" }
      : { key: pair.slice(0, equals), pair, value: pair.slice(equals + 1) };
  });
}

/** Orders keys by their UTF-8 bytes, as a byte-oriented signer would; JavaScript's `<` compares UTF-16 units. */
function compareKeys(a: string, b: string): number {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i++) {
    if (left[i] !== right[i]) return left[i] - right[i];
  }
  return left.length - right.length;
}

/** The signed message: every parameter but `hmac`, sorted by key (stable, so repeated keys keep their order). */
function canonicalQuery(params: readonly RawParam[]): string {
  return params
    .filter((param) => param.key !== "hmac")
    .sort((a, b) => compareKeys(a.key, b.key))
    .map((param) => param.pair)
    .join("&");
}

/**
 * Verifies Genstore's query `hmac` and the freshness of `timestamp`.
 *
 * @param rawQuery the query string exactly as received, without the leading `?`.
 * @param nowSeconds the current time in unix seconds (from the injected clock).
 */
export async function verifyQuerySignature(
  secret: string,
  rawQuery: string,
  nowSeconds: number,
  windowSeconds: number = DEFAULT_TIMESTAMP_WINDOW_SECONDS,
): Promise<QuerySignatureCheck> {
  if (rawQuery.length > MAX_QUERY_CHARS) return { ok: false, reason: "query_too_long" };
  const params = splitQuery(rawQuery);

  const hmacs = params.filter((param) => param.key === "hmac");
  if (hmacs.length === 0) return { ok: false, reason: "missing_hmac" };
  // Two hmac values would let a framework that keeps "the first" and one that keeps "the last" disagree.
  if (hmacs.length > 1) return { ok: false, reason: "duplicate_hmac" };
  if (!HEX_DIGEST.test(hmacs[0].value)) return { ok: false, reason: "malformed_hmac" };

  const expected = await hmacSha256(secret, encoder.encode(canonicalQuery(params)));
  if (!timingSafeEqual(expected, fromHex(hmacs[0].value))) return { ok: false, reason: "invalid_signature" };

  // The timestamp is checked after the signature, so only a genuine (if old) request learns why it failed.
  const timestamps = params.filter((param) => param.key === "timestamp");
  if (timestamps.length === 0) return { ok: false, reason: "missing_timestamp" };
  if (timestamps.length > 1) return { ok: false, reason: "duplicate_timestamp" };
  if (!UNIX_SECONDS.test(timestamps[0].value)) return { ok: false, reason: "malformed_timestamp" };
  const age = nowSeconds - Number(timestamps[0].value);
  if (age > windowSeconds) return { ok: false, reason: "stale_timestamp" };
  if (age < -windowSeconds) return { ok: false, reason: "future_timestamp" };
  return { ok: true };
}

/**
 * Builds a signed query string the way Genstore does, for the simulator. Keys and values are given decoded;
 * they are percent-encoded here, and the encoded text is what gets signed, because that is what the receiver
 * sees and verifies without decoding.
 *
 * @returns the query string without `?`, parameters sorted by key, `hmac` last.
 * @throws {Error} when `params` already holds an `hmac`.
 */
export async function signQuery(secret: string, params: Readonly<Record<string, string>>): Promise<string> {
  if (Object.hasOwn(params, "hmac")) throw new Error("Parameters to sign must not contain hmac");
  const pairs = Object.entries(params).map(([key, value]) => {
    const encodedKey = encodeURIComponent(key);
    const encodedValue = encodeURIComponent(value);
    return { key: encodedKey, pair: `${encodedKey}=${encodedValue}`, value: encodedValue };
  });
  const query = canonicalQuery(pairs);
  const hmac = toHex(await hmacSha256(secret, encoder.encode(query)));
  return query === "" ? `hmac=${hmac}` : `${query}&hmac=${hmac}`;
}
