/**
 * Opens Genstore's ECIES card packages (genstore-protocol.md section 8, contract section 5) with WebCrypto
 * only: P-256 ECDH, HKDF-SHA256, AES-128-GCM.
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

const P256_ECDH = { name: "ECDH", namedCurve: "P-256" } as const;
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
export async function createEciesDecryptor(options: EciesDecryptorOptions): Promise<CardDecryptor> {
  if (options.privateKeys.length === 0) throw new Error("At least one ECIES private key is required");
  const keys: CryptoKey[] = [];
  for (const [index, text] of options.privateKeys.entries()) {
    keys.push(await importPrivateKey(text, index, options.privateKeys.length));
  }
  const info = encoder.encode(options.hkdfInfo);

  async function decrypt(pkg: EncryptedCard): Promise<Result<DecryptedCard, DecryptionFailure>> {
    const parsed = await parsePackage(pkg);
    if (!parsed.ok) return parsed;
    const { iv, ephemeralKey, ciphertext, aad } = parsed.value;
    for (const [keyIndex, privateKey] of keys.entries()) {
      const plaintext = await tryOpen(privateKey, ephemeralKey, info, iv, aad, ciphertext);
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

  return { decrypt, fingerprint: packageFingerprint };
}

async function importPrivateKey(text: string, index: number, count: number): Promise<CryptoKey> {
  // Trimmed because the keys come from a comma-separated environment variable, where "a, b" is a typo.
  const der = decodeBase64(text.trim());
  const position = `ECIES private key #${index + 1} of ${count}`;
  if (der === undefined) throw new Error(`${position} is not valid Base64`);
  try {
    return await crypto.subtle.importKey("pkcs8", der, P256_ECDH, false, ["deriveBits"]);
  } catch {
    throw new Error(`${position} is not a PKCS#8 P-256 private key`);
  } finally {
    der.fill(0);
  }
}

interface ParsedPackage {
  readonly iv: Uint8Array<ArrayBuffer>;
  readonly ephemeralKey: CryptoKey;
  readonly ciphertext: Uint8Array<ArrayBuffer>;
  readonly aad: Uint8Array<ArrayBuffer>;
}

/** Validates and decodes everything that can be checked before any key is used. */
async function parsePackage(pkg: EncryptedCard): Promise<Result<ParsedPackage, DecryptionFailure>> {
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
  let ephemeralKey: CryptoKey;
  try {
    ephemeralKey = await crypto.subtle.importKey("spki", ephemeralDer, P256_ECDH, false, []);
  } catch {
    return failure("bad_ephemeral_key");
  }

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
async function tryOpen(
  privateKey: CryptoKey,
  ephemeralKey: CryptoKey,
  info: Uint8Array<ArrayBuffer>,
  iv: Uint8Array<ArrayBuffer>,
  aad: Uint8Array<ArrayBuffer>,
  ciphertext: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array | undefined> {
  let shared: Uint8Array<ArrayBuffer> | undefined;
  try {
    // 256 bits = the x-coordinate of the shared point, as Java's KeyAgreement("ECDH") returns it.
    shared = new Uint8Array(
      await crypto.subtle.deriveBits({ name: "ECDH", public: ephemeralKey }, privateKey, 256),
    );
    const ikm = await crypto.subtle.importKey("raw", shared, "HKDF", false, ["deriveKey"]);
    const aesKey = await crypto.subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt: SALT_BYTES, info },
      ikm,
      { name: "AES-GCM", length: AES_KEY_BITS },
      false,
      ["decrypt"],
    );
    const plaintext = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv, additionalData: aad, tagLength: TAG_BYTES * 8 },
      aesKey,
      ciphertext,
    );
    return new Uint8Array(plaintext);
  } catch {
    // Wrong key, or a tampered package: GCM cannot tell the two apart, and neither should we.
    return undefined;
  } finally {
    shared?.fill(0);
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
export async function packageFingerprint(pkg: EncryptedCard): Promise<string> {
  const bytes = decodeBase64(pkg.ephemeralPublicKey.trim()) ??
    new TextEncoder().encode(pkg.ephemeralPublicKey);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(bytes)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
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
