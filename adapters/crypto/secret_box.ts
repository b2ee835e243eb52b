/**
 * Encrypts secrets at rest (PSP credentials, access tokens) under `MASTER_KEY`, with AES-256-GCM.
 *
 * Sealed format: `v1.<keyId>.<iv>.<ciphertext+tag>`, the last two base64url without padding, where `keyId`
 * is the first 8 hex digits of SHA-256 of the master key. The key id is there for rotation: a later version
 * can hold several keys and pick by id, and today a value sealed under another key is reported as such
 * instead of as a generic authentication failure. 32 bits of a hash of a 256-bit random key reveal nothing
 * useful about it.
 *
 * Rotation: `MASTER_KEY` may list several keys, comma-separated, newest first. The first seals; any of them
 * opens, picked by the key id in the sealed value; `deno task shops rotate-master-key` re-seals everything
 * under the first, after which the old key can be dropped.
 *
 * The GCM additional data is `v1.<keyId>.` followed by the caller's AAD (for example the row and column a
 * value belongs to), so a sealed value cannot be moved to another row, and the header cannot be edited.
 *
 * @module
 */

import { decodeBase64, encodeBase64, encodeBase64Url } from "./base64.ts";

const VERSION = "v1";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[0-9a-f]{8}$/;

export type SecretBoxErrorCode = "malformed" | "unknown_key" | "authentication_failed";

/** Why `open` failed. The message names the failure, never the key, the plaintext or the sealed value. */
export class SecretBoxError extends Error {
  override readonly name = "SecretBoxError";
  constructor(readonly code: SecretBoxErrorCode, message: string) {
    super(message);
  }
}

export interface SecretBox {
  /** Key id of the sealing (first) master key (first 8 hex digits of its SHA-256), for diagnostics. */
  keyId(): Promise<string>;
  /** The key ids of every configured master key, sealing key first. */
  keyIds(): Promise<readonly string[]>;
  /** Whether a sealed value was made with an older key and should be re-sealed. */
  isStale(sealed: string): Promise<boolean>;
  /** Encrypts under a fresh random IV; sealing the same plaintext twice gives different texts. */
  seal(plaintext: string, aad: string): Promise<string>;
  /** @throws {SecretBoxError} for a malformed value, another key, the wrong AAD or any tampering. */
  open(sealed: string, aad: string): Promise<string>;
}

/**
 * @param masterKeys Base64 of exactly 32 bytes (see `generateMasterKey`), or several, comma-separated, newest
 *   first.
 * @throws {Error} at construction when a key is not Base64 of 32 bytes, so a bad `MASTER_KEY` fails at boot;
 *   the message names the key's position, never its content.
 */
export function createSecretBox(masterKeys: string): SecretBox {
  const texts = masterKeys.split(",").map((text) => text.trim()).filter((text) => text !== "");
  if (texts.length === 0) throw new Error("At least one master key is required");
  // Importing is asynchronous in WebCrypto; starting it here keeps the factory synchronous for wiring, and
  // the raw bytes are wiped once both the key and its id exist.
  const all = Promise.all(texts.map((text, index) => {
    const raw = decodeBase64(text);
    if (raw === undefined || raw.length !== KEY_BYTES) {
      raw?.fill(0);
      throw new Error(`Master key #${index + 1} must be Base64 of exactly ${KEY_BYTES} bytes`);
    }
    return prepare(raw);
  }));
  // Validate lengths now (synchronously above); surface import failures on first use.
  const ready = all.then((keys) => keys[0]);
  all.catch(() => {});

  async function keyId(): Promise<string> {
    return (await ready).keyId;
  }

  async function isStale(sealed: string): Promise<boolean> {
    return sealed.split(".")[1] !== (await ready).keyId;
  }

  async function seal(plaintext: string, aad: string): Promise<string> {
    const { key, keyId } = await ready;
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const ciphertext = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: additionalData(keyId, aad) },
      key,
      new TextEncoder().encode(plaintext),
    );
    return [VERSION, keyId, encodeBase64Url(iv), encodeBase64Url(new Uint8Array(ciphertext))].join(".");
  }

  async function open(sealed: string, aad: string): Promise<string> {
    const parts = sealed.split(".");
    if (parts.length !== 4 || parts[0] !== VERSION || !KEY_ID.test(parts[1])) {
      throw new SecretBoxError("malformed", "Sealed value is not in the v1 format");
    }
    const match = (await all).find((candidate) => candidate.keyId === parts[1]);
    if (match === undefined) {
      throw new SecretBoxError(
        "unknown_key",
        `Sealed value was made with key ${parts[1]}, not a configured key`,
      );
    }
    const { key, keyId } = match;
    const iv = decodeBase64(parts[2]);
    const ciphertext = decodeBase64(parts[3]);
    if (
      iv === undefined || iv.length !== IV_BYTES || ciphertext === undefined || ciphertext.length < TAG_BYTES
    ) {
      throw new SecretBoxError("malformed", "Sealed value is not in the v1 format");
    }
    let plaintext: Uint8Array;
    try {
      plaintext = new Uint8Array(
        await crypto.subtle.decrypt(
          { name: "AES-GCM", iv, additionalData: additionalData(keyId, aad) },
          key,
          ciphertext,
        ),
      );
    } catch {
      throw new SecretBoxError(
        "authentication_failed",
        "Sealed value failed authentication (wrong key, wrong context or tampered)",
      );
    }
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(plaintext);
    } catch {
      // Unreachable for values this module sealed: only a valid UTF-8 string can have been encrypted.
      throw new SecretBoxError("malformed", "Sealed value does not hold UTF-8 text");
    } finally {
      plaintext.fill(0);
    }
  }

  async function keyIds(): Promise<readonly string[]> {
    return (await all).map((candidate) => candidate.keyId);
  }

  return { keyId, keyIds, isStale, seal, open };
}

async function prepare(raw: Uint8Array<ArrayBuffer>): Promise<{ key: CryptoKey; keyId: string }> {
  try {
    const key = await crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", raw));
    const keyId = Array.from(digest.subarray(0, 4), (byte) => byte.toString(16).padStart(2, "0")).join("");
    return { key, keyId };
  } finally {
    raw.fill(0);
  }
}

function additionalData(keyId: string, aad: string): Uint8Array<ArrayBuffer> {
  // The header has a fixed length (`v1.` + 8 hex + `.`), so the concatenation is unambiguous.
  return new TextEncoder().encode(`${VERSION}.${keyId}.${aad}`);
}

/** A fresh master key: Base64 of 32 random bytes. */
export function generateMasterKey(): string {
  return encodeBase64(crypto.getRandomValues(new Uint8Array(KEY_BYTES)));
}
