/**
 * The app's long-term ECIES key pair (genstore-protocol.md section 8.2): the private key stays here as PKCS#8,
 * the public key is registered with Genstore as X.509 SubjectPublicKeyInfo DER, both Base64.
 *
 * @module
 */

import { decodeBase64, encodeBase64 } from "./base64.ts";

const P256_ECDH = { name: "ECDH", namedCurve: "P-256" } as const;

export interface EciesKeyPair {
  /** Base64 PKCS#8 DER; secret. One entry of `ECIES_PRIVATE_KEYS`. */
  readonly privateKeyPkcs8: string;
  /** Base64 SPKI DER (91 bytes for P-256): exactly what is registered with Genstore. */
  readonly publicKeySpki: string;
}

/** Makes a fresh P-256 key pair for card decryption. */
export async function generateEciesKeyPair(): Promise<EciesKeyPair> {
  const pair = await crypto.subtle.generateKey(P256_ECDH, true, ["deriveBits"]);
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey));
  const privateKeyPkcs8 = encodeBase64(pkcs8);
  pkcs8.fill(0);
  return { privateKeyPkcs8, publicKeySpki: encodeBase64(spki) };
}

/**
 * Derives the Base64 SPKI public key to register with Genstore from a configured private key, so an operator
 * never has to keep the two in step by hand.
 *
 * @throws {Error} when the text is not a Base64 PKCS#8 P-256 key; the message never contains the key.
 */
export async function publicKeyFromPrivate(pkcs8B64: string): Promise<string> {
  const der = decodeBase64(pkcs8B64.trim());
  if (der === undefined) throw new Error("Private key is not valid Base64");
  let privateKey: CryptoKey;
  try {
    privateKey = await crypto.subtle.importKey("pkcs8", der, P256_ECDH, true, ["deriveBits"]);
  } catch {
    throw new Error("Private key is not a PKCS#8 P-256 key");
  } finally {
    der.fill(0);
  }
  // WebCrypto cannot export a public key from a private one directly; the JWK of a private EC key carries
  // the public point (x, y), so dropping `d` leaves the public key.
  const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", privateKey);
  const publicKey = await crypto.subtle.importKey("jwk", { kty, crv, x, y }, P256_ECDH, true, []);
  return encodeBase64(new Uint8Array(await crypto.subtle.exportKey("spki", publicKey)));
}
