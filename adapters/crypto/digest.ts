/**
 * SHA-256 of a text as lower-case hex: request fingerprints, webhook delivery digests, the operator token's hash.
 * @module
 */
import { createHash } from "node:crypto";

/** `node:crypto`, synchronous: a fraction of WebCrypto's asynchronous digest for texts this small. */
export function sha256Hex(text: string): Promise<string> {
  return Promise.resolve(createHash("sha256").update(text, "utf8").digest("hex"));
}
