/**
 * Strict Base64 for key material and ciphertext. `atob` is too forgiving for data that arrives from outside:
 * it skips whitespace and ignores non-zero padding bits, so two different texts would decode to the same
 * bytes. Here every accepted text has exactly one meaning, and anything else is refused.
 *
 * @module
 */

const STANDARD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const STANDARD_BODY = /^[A-Za-z0-9+/]*$/;
const URL_SAFE_BODY = /^[A-Za-z0-9_-]*$/;

const DECODE_TABLE = buildDecodeTable();

function buildDecodeTable(): Int8Array {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) {
    table[STANDARD_ALPHABET.charCodeAt(i)] = i;
    table[URL_SAFE_ALPHABET.charCodeAt(i)] = i;
  }
  return table;
}

/**
 * Decodes Base64 in the standard alphabet (`+/`) or the URL-safe one (`-_`), padded or not.
 *
 * Refused (returns `undefined`): whitespace or any other character, a mix of both alphabets, padding that does
 * not complete a 4-character group, more than two `=`, a dangling single character, and non-zero unused bits
 * in the last group (a non-canonical encoding).
 */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  const body = text.replace(/={1,2}$/, "");
  const padded = body.length !== text.length;
  if (padded && text.length % 4 !== 0) return undefined;
  if (body.length % 4 === 1) return undefined;
  if (!STANDARD_BODY.test(body) && !URL_SAFE_BODY.test(body)) return undefined;

  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let bits = 0;
  let bitCount = 0;
  let index = 0;
  for (let i = 0; i < body.length; i++) {
    bits = (bits << 6) | DECODE_TABLE[body.charCodeAt(i)];
    bitCount += 6;
    if (bitCount >= 8) {
      bitCount -= 8;
      out[index++] = (bits >> bitCount) & 0xff;
    }
    bits &= (1 << bitCount) - 1;
  }
  // Whatever is left over must be zero, or two texts would decode to the same bytes.
  if (bits !== 0) return undefined;
  return out;
}

/** Standard alphabet, with padding: what Genstore registers and what Java's `Base64.getEncoder()` writes. */
export function encodeBase64(bytes: Uint8Array): string {
  return encodeWith(bytes, STANDARD_ALPHABET, true);
}

/** URL-safe alphabet without padding, for values that travel in dotted tokens. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return encodeWith(bytes, URL_SAFE_ALPHABET, false);
}

function encodeWith(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + alphabet[(n >> 6) & 63] + alphabet[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + (pad ? "==" : "");
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + alphabet[(n >> 6) & 63] + (pad ? "=" : "");
  }
  return out;
}
