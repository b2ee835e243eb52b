/**
 * Genstore's side of the card encryption (genstore-protocol.md section 8), for the dev-mode Genstore
 * simulator and for tests.
 *
 * Deliberately independent of `adapters/crypto/ecies_decryptor.ts`: it shares no code with it (not even
 * Base64 or the AAD builder) and uses other primitives (@noble instead of WebCrypto), so a mistake on one side
 * cannot be mirrored on the other and pass the tests unnoticed.
 *
 * @module
 */

import { p256 } from "@noble/curves/nist.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { gcm } from "@noble/ciphers/aes.js";

const SUITE = "ECIESv1|AES-128-GCM|P-256";
const SALT = "ECIESv1-HKDF-SALT";

// SubjectPublicKeyInfo header for an uncompressed P-256 point: SEQUENCE { SEQUENCE { id-ecPublicKey,
// prime256v1 }, BIT STRING (66 bytes, 0 unused bits) }; the point (0x04 ‖ X ‖ Y) follows.
const SPKI_HEADER = [
  "3059", // SEQUENCE, 89 bytes
  "3013", // SEQUENCE, 19 bytes (AlgorithmIdentifier)
  "06072a8648ce3d0201", // OID 1.2.840.10045.2.1 id-ecPublicKey
  "06082a8648ce3d030107", // OID 1.2.840.10045.3.1.7 prime256v1
  "034200", // BIT STRING, 66 bytes, no unused bits
].join("");
const SPKI_HEADER_BYTES = hexToBytes(SPKI_HEADER);

/** The card JSON Genstore encrypts, as in contract section 5. */
export interface GenstoreCardPlaintext {
  readonly number: string;
  readonly expiryMonth: string;
  readonly expiryYear: string;
  readonly cvv: string;
  readonly holderName?: string;
}

/** A package as it appears in `paymentMethod.data`. */
export interface GenstoreEciesPackage {
  readonly cipherText: string;
  readonly iv: string;
  readonly ephemeralPublicKey: string;
  readonly suit: string;
  readonly salt: string;
}

export interface EncryptOptions {
  /** HKDF `info`; empty by default, like the gateway's `ECIES_HKDF_INFO`. */
  readonly hkdfInfo?: string;
  /** Fixed 32-byte ephemeral private key, for known-answer vectors only; random otherwise. */
  readonly ephemeralPrivateKey?: Uint8Array;
  /** Fixed 12-byte IV, for known-answer vectors only; random otherwise. */
  readonly iv?: Uint8Array;
  /** Suite string written to the package and bound into the AAD; to simulate a platform that differs. */
  readonly suit?: string;
  /** Salt string written to the package and used by HKDF; to simulate a platform that differs. */
  readonly salt?: string;
}

/** Encrypts a card for the app whose registered public key (Base64 SPKI DER) is given. */
export function encryptCard(
  recipientPublicKeySpkiB64: string,
  card: GenstoreCardPlaintext,
  options: EncryptOptions = {},
): GenstoreEciesPackage {
  const json = JSON.stringify({
    number: card.number,
    expiryMonth: card.expiryMonth,
    expiryYear: card.expiryYear,
    cvv: card.cvv,
    holderName: card.holderName,
  });
  return encryptPlaintext(recipientPublicKeySpkiB64, new TextEncoder().encode(json), options);
}

/** Encrypts arbitrary bytes; tests use it to send plaintexts that are not a valid card. */
export function encryptPlaintext(
  recipientPublicKeySpkiB64: string,
  plaintext: Uint8Array,
  options: EncryptOptions = {},
): GenstoreEciesPackage {
  const suit = options.suit ?? SUITE;
  const salt = options.salt ?? SALT;
  const recipientPoint = spkiToPoint(base64ToBytes(recipientPublicKeySpkiB64));

  const ephemeralSecret = options.ephemeralPrivateKey ?? p256.utils.randomSecretKey();
  if (!p256.utils.isValidSecretKey(ephemeralSecret)) throw new Error("Ephemeral private key is not valid");
  const ephemeralSpki = pointToSpki(p256.getPublicKey(ephemeralSecret, false));

  const iv = options.iv ?? randomBytes(12);
  if (iv.length !== 12) throw new Error("IV must be 12 bytes");

  // noble returns the shared point compressed (0x02/0x03 ‖ X); ECDH's shared secret is X alone.
  const sharedX = p256.getSharedSecret(ephemeralSecret, recipientPoint, true).subarray(1);
  const key = hkdf(sha256, sharedX, utf8(salt), utf8(options.hkdfInfo ?? ""), 16);

  const aad = new Uint8Array([
    ...field("suite", utf8(suit)),
    ...field("eph", ephemeralSpki),
    ...field("iv", iv),
  ]);
  const sealed = gcm(key, iv, aad).encrypt(plaintext); // body ‖ 16-byte tag

  return {
    cipherText: bytesToBase64(sealed),
    iv: bytesToBase64(iv),
    ephemeralPublicKey: bytesToBase64(ephemeralSpki),
    suit,
    salt,
  };
}

/** One AAD element: 2-byte name length, name, 4-byte value length, value (big-endian). */
function field(name: string, value: Uint8Array): number[] {
  const nameBytes = utf8(name);
  const n = nameBytes.length;
  const v = value.length;
  return [n >>> 8, n & 0xff, ...nameBytes, v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff, ...value];
}

function pointToSpki(uncompressedPoint: Uint8Array): Uint8Array {
  const out = new Uint8Array(SPKI_HEADER_BYTES.length + uncompressedPoint.length);
  out.set(SPKI_HEADER_BYTES);
  out.set(uncompressedPoint, SPKI_HEADER_BYTES.length);
  return out;
}

function spkiToPoint(spki: Uint8Array): Uint8Array {
  const header = spki.subarray(0, SPKI_HEADER_BYTES.length);
  if (spki.length !== 91 || bytesToHex(header) !== SPKI_HEADER) {
    throw new Error("Recipient public key is not an SPKI P-256 key with an uncompressed point");
  }
  const point = spki.subarray(SPKI_HEADER_BYTES.length);
  p256.Point.fromBytes(point).assertValidity(); // throws for a point off the curve
  return point;
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function base64ToBytes(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

function bytesToBase64(bytes: Uint8Array): string {
  return btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(""));
}

function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
