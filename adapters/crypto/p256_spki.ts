/**
 * Validation of a P-256 public key in SubjectPublicKeyInfo DER, the form Genstore uses for the ephemeral key
 * of every card package.
 *
 * @module
 */

// SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING } header, then 0x04 (uncompressed point).
// Only this exact 91-byte form is accepted: it is what Genstore documents, and the AAD binds these exact bytes.
const P256_SPKI_PREFIX = hexToBytes("3059301306072a8648ce3d020106082a8648ce3d03010703420004");
const COORDINATE_BYTES = 32;
export const P256_SPKI_BYTES = P256_SPKI_PREFIX.length + 2 * COORDINATE_BYTES;

// Curve parameters of P-256 (FIPS 186-4 D.1.2.3); a = -3.
const P256_P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const P256_B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

/**
 * True when `der` is the 91-byte SPKI of an uncompressed P-256 point that lies on the curve.
 *
 * The explicit curve check matters: Deno's WebCrypto (2.9) imports an off-curve SPKI point without complaint,
 * and ECDH with a point off the curve is the classic invalid-curve attack, which leaks the private key a few
 * bits at a time.
 */
export function isP256PublicKeySpki(der: Uint8Array): boolean {
  if (der.length !== P256_SPKI_BYTES) return false;
  for (let i = 0; i < P256_SPKI_PREFIX.length; i++) {
    if (der[i] !== P256_SPKI_PREFIX[i]) return false;
  }
  const x = bytesToBigInt(der.subarray(P256_SPKI_PREFIX.length, P256_SPKI_PREFIX.length + COORDINATE_BYTES));
  const y = bytesToBigInt(der.subarray(P256_SPKI_PREFIX.length + COORDINATE_BYTES));
  if (x >= P256_P || y >= P256_P) return false;
  // y² = x³ - 3x + b (mod p). P-256 has cofactor 1, so every point on the curve is in the prime-order group;
  // the point at infinity has no affine encoding, so it cannot get here.
  const left = (y * y) % P256_P;
  const right = ((((x * x) % P256_P) * x - 3n * x + P256_B) % P256_P + P256_P) % P256_P;
  return left === right;
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}
