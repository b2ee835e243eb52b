/**
 * Opens Genstore's ECIES card packages (genstore-protocol.md section 8, contract section 5): P-256 ECDH,
 * HKDF-SHA256, AES-128-GCM, with the runtime's `node:crypto` (the same native primitives as its WebCrypto,
 * called synchronously: half the CPU of WebCrypto's chain of asynchronous calls on every card payment, and the
 * shared secret and AES key are buffers this module zeroes after use).
 *
 * Every failure is returned as a short fixed `reason`, never thrown, and no reason carries key material,
 * ciphertext or card data.
 *
 * Base64 decision: Genstore's docs say only "Base64". We accept the standard alphabet and the URL-safe one,
 * padded or not, and nothing else (no whitespace, no mixed alphabets, no non-canonical last group). The
 * tolerance costs nothing: the decoded IV and ephemeral key are bound into the AAD and the ciphertext by the
 * tag, so no accepted text can change what is decrypted, and it spares us an outage if their encoder turns
 * out to be `getUrlEncoder()` or `withoutPadding()`.
 *
 * @module
 */

import type {
  CardDecryptor,
  DecryptedCard,
  DecryptionFailure,
  EncryptedCard,
} from "../../src/ports/card_decryptor.ts";
import {
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  hkdfSync,
  type KeyObject,
} from "node:crypto";
import { err, ok, type Result } from "../../src/result.ts";
import { decodeBase64 } from "./base64.ts";
import { type CardPlaintextFailure, parseCardPlaintext } from "./card_plaintext.ts";
import { isP256PublicKeySpki } from "./p256_spki.ts";

export const ECIES_SUITE = "ECIESv1|AES-128-GCM|P-256";
export const ECIES_SALT = "ECIESv1-HKDF-SALT";

/** Every reason a package can be refused for. Stable: callers may log and count them. */
export type EciesFailureReason =
  | "bad_package"
  | "unsupported_suite"
  | "unsupported_salt"
  | "bad_iv"
  | "bad_iv_length"
  | "bad_ephemeral_key"
  | "bad_ciphertext"
  | "ciphertext_too_short"
  | "ciphertext_too_large"
  | "authentication_failed"
  | CardPlaintextFailure;

export interface EciesDecryptorOptions {
  /** Base64 PKCS#8 P-256 private keys, newest first; all are tried, since a package names no key. */
  readonly privateKeys: readonly string[];
  /** HKDF `info` (UTF-8); undocumented by Genstore, empty by default in the configuration. */
  readonly hkdfInfo: string;
}

/** P-256 by its OpenSSL name, as `node:crypto` reports a key's curve. */
const P256 = "prime256v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const AES_KEY_BITS = 128;

// Limits on the Base64 text, checked before decoding so a hostile package cannot make us allocate much. A
// card's JSON is under 400 bytes even with a 100-character non-Latin holder name; 4096 characters (3 KiB)
// leaves room for fields Genstore may add.
const MAX_IV_CHARS = 32;
const MAX_EPHEMERAL_KEY_CHARS = 256;
const MAX_CIPHERTEXT_CHARS = 4096;

const encoder = new TextEncoder();
const SALT_BYTES = encoder.encode(ECIES_SALT);

/**
 * Builds a decryptor from the configured keys. Keys are imported once, here, so a bad key fails at boot.
 *
 * @throws {Error} when no key is given or one is not a Base64 PKCS#8 P-256 key; the message names the key's
 *   position, never its content.
 */
export function createEciesDecryptor(options: EciesDecryptorOptions): Promise<CardDecryptor> {
  // A bad key rejects the promise, as it did when the import was asynchronous.
  return new Promise((resolve) => resolve(openWithKeys(options)));
}

function openWithKeys(options: EciesDecryptorOptions): CardDecryptor {
  if (options.privateKeys.length === 0) throw new Error("At least one ECIES private key is required");
  const keys: KeyObject[] = [];
  for (const [index, text] of options.privateKeys.entries()) {
    keys.push(importPrivateKey(text, index, options.privateKeys.length));
  }
  const info = encoder.encode(options.hkdfInfo);

  function open(pkg: EncryptedCard): Result<DecryptedCard, DecryptionFailure> {
    const parsed = parsePackage(pkg);
    if (!parsed.ok) return parsed;
    const { iv, ephemeralKey, ciphertext, aad } = parsed.value;
    for (const [keyIndex, privateKey] of keys.entries()) {
      const plaintext = tryOpen(privateKey, ephemeralKey, info, iv, aad, ciphertext);
      if (plaintext === undefined) continue;
      try {
        const card = parseCardPlaintext(plaintext);
        return card.ok ? ok({ card: card.value, keyIndex }) : failure(card.error);
      } finally {
        plaintext.fill(0);
      }
    }
    return failure("authentication_failed");
  }

  return { decrypt: (pkg) => Promise.resolve(open(pkg)), fingerprint: packageFingerprint };
}

function importPrivateKey(text: string, index: number, count: number): KeyObject {
  // Trimmed because the keys come from a comma-separated environment variable, where "a, b" is a typo.
  const der = decodeBase64(text.trim());
  const position = `ECIES private key #${index + 1} of ${count}`;
  if (der === undefined) throw new Error(`${position} is not valid Base64`);
  let key: KeyObject | undefined;
  try {
    key = createPrivateKey({
      key: Buffer.from(der.buffer, der.byteOffset, der.length),
      format: "der",
      type: "pkcs8",
    });
  } catch {
    // Refused below.
  } finally {
    der.fill(0);
  }
  if (key?.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== P256) {
    throw new Error(`${position} is not a PKCS#8 P-256 private key`);
  }
  return key;
}

interface ParsedPackage {
  readonly iv: Uint8Array<ArrayBuffer>;
  readonly ephemeralKey: KeyObject;
  readonly ciphertext: Uint8Array<ArrayBuffer>;
  readonly aad: Uint8Array<ArrayBuffer>;
}

/** Validates and decodes everything that can be checked before any key is used. */
function parsePackage(pkg: EncryptedCard): Result<ParsedPackage, DecryptionFailure> {
  // Checked at run time although the port says "string": the package comes out of request JSON.
  const { cipherText, iv: ivText, ephemeralPublicKey, suit, salt } = pkg as unknown as Partial<
    Record<string, unknown>
  >;
  if (
    typeof cipherText !== "string" || typeof ivText !== "string" || typeof ephemeralPublicKey !== "string" ||
    typeof suit !== "string" || typeof salt !== "string"
  ) {
    return failure("bad_package");
  }
  // Exact matches: another suite or salt means a scheme we do not implement, and guessing would mean
  // decrypting under parameters nobody agreed on.
  if (suit !== ECIES_SUITE) return failure("unsupported_suite");
  if (salt !== ECIES_SALT) return failure("unsupported_salt");

  if (ivText.length > MAX_IV_CHARS) return failure("bad_iv_length");
  const iv = decodeBase64(ivText);
  if (iv === undefined) return failure("bad_iv");
  if (iv.length !== IV_BYTES) return failure("bad_iv_length");

  if (ephemeralPublicKey.length > MAX_EPHEMERAL_KEY_CHARS) return failure("bad_ephemeral_key");
  const ephemeralDer = decodeBase64(ephemeralPublicKey);
  if (ephemeralDer === undefined || !isP256PublicKeySpki(ephemeralDer)) return failure("bad_ephemeral_key");
  let ephemeralKey: KeyObject;
  try {
    ephemeralKey = createPublicKey({ key: Buffer.from(ephemeralDer), format: "der", type: "spki" });
  } catch {
    return failure("bad_ephemeral_key");
  }
  if (ephemeralKey.asymmetricKeyDetails?.namedCurve !== P256) return failure("bad_ephemeral_key");

  if (cipherText.length > MAX_CIPHERTEXT_CHARS) return failure("ciphertext_too_large");
  const ciphertext = decodeBase64(cipherText);
  if (ciphertext === undefined) return failure("bad_ciphertext");
  // At least one byte of body besides the tag: an empty plaintext cannot be a card.
  if (ciphertext.length < TAG_BYTES + 1) return failure("ciphertext_too_short");

  const aad = concat(
    tlv("suite", encoder.encode(suit)),
    tlv("eph", ephemeralDer),
    tlv("iv", iv),
  );
  return ok({ iv, ephemeralKey, ciphertext, aad });
}

/** Returns the plaintext bytes, or `undefined` when this key does not open the package. */
function tryOpen(
  privateKey: KeyObject,
  ephemeralKey: KeyObject,
  info: Uint8Array<ArrayBuffer>,
  iv: Uint8Array<ArrayBuffer>,
  aad: Uint8Array<ArrayBuffer>,
  ciphertext: Uint8Array<ArrayBuffer>,
): Uint8Array | undefined {
  let shared: Uint8Array | undefined;
  let aesKey: Uint8Array | undefined;
  // GCM's streaming interface hands out the body before the tag is checked: zeroed unless the tag holds.
  let unchecked: Uint8Array | undefined;
  try {
    // The x-coordinate of the shared point (32 bytes), as Java's KeyAgreement("ECDH") returns it.
    shared = diffieHellman({ privateKey, publicKey: ephemeralKey });
    aesKey = new Uint8Array(hkdfSync("sha256", shared, SALT_BYTES, info, AES_KEY_BITS / 8));
    const decipher = createDecipheriv("aes-128-gcm", aesKey, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_BYTES));
    unchecked = decipher.update(ciphertext.subarray(0, ciphertext.length - TAG_BYTES));
    const rest = decipher.final();
    const plaintext = new Uint8Array(unchecked.length + rest.length);
    plaintext.set(unchecked);
    plaintext.set(rest, unchecked.length);
    rest.fill(0);
    return plaintext;
  } catch {
    // Wrong key, or a tampered package: GCM cannot tell the two apart, and neither should we.
    return undefined;
  } finally {
    shared?.fill(0);
    aesKey?.fill(0);
    unchecked?.fill(0);
  }
}

/** TLV(name, val) = u16be(len name) ‖ name ‖ u32be(len val) ‖ val (genstore-protocol.md section 8.4). */
function tlv(name: string, value: Uint8Array): Uint8Array<ArrayBuffer> {
  const nameBytes = encoder.encode(name);
  const out = new Uint8Array(2 + nameBytes.length + 4 + value.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, nameBytes.length);
  out.set(nameBytes, 2);
  view.setUint32(2 + nameBytes.length, value.length);
  out.set(value, 2 + nameBytes.length + 4);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function failure(reason: EciesFailureReason): { ok: false; error: DecryptionFailure } {
  return err({ kind: "undecryptable", reason });
}

/**
 * Picks the ECIES package out of `paymentMethod.data`. Genstore's docs name the ciphertext `cipherText` (in
 * the Payment object), `cipher` (packet example) and `ciphertext` (field list); `cipherText` wins when
 * several are present. Returns `undefined` when a field is missing or not a string.
 */
/**
 * SHA-256 (hex) of the package's ephemeral public key as decoded bytes (the text itself when it is not Base64):
 * the same for every copy of one package, different for every package Genstore makes.
 */
export function packageFingerprint(pkg: EncryptedCard): Promise<string> {
  const bytes = decodeBase64(pkg.ephemeralPublicKey.trim()) ??
    new TextEncoder().encode(pkg.ephemeralPublicKey);
  return Promise.resolve(createHash("sha256").update(bytes).digest("hex"));
}

export function readEncryptedCard(data: Record<string, unknown>): EncryptedCard | undefined {
  const cipherText = data.cipherText ?? data.cipher ?? data.ciphertext;
  const { iv, ephemeralPublicKey, suit, salt } = data;
  if (
    typeof cipherText !== "string" || typeof iv !== "string" || typeof ephemeralPublicKey !== "string" ||
    typeof suit !== "string" || typeof salt !== "string"
  ) {
    return undefined;
  }
  return { cipherText, iv, ephemeralPublicKey, suit, salt };
}
