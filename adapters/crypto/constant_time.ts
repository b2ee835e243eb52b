/**
 * Compares two byte strings in time that depends only on their length, so an attacker timing the comparison
 * of a signature cannot learn how many leading bytes were right.
 *
 * Lengths are not secret: callers compare fixed-length digests (HMAC-SHA256 is always 32 bytes), so an early
 * return on a length mismatch leaks nothing.
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) {
    difference |= a[i] ^ b[i];
  }
  return difference === 0;
}
