import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { decodeBase64 } from "./base64.ts";
import { isP256PublicKeySpki } from "./p256_spki.ts";
import { NODE_RECIPIENT_SPKI, RECIPIENT_A, VECTOR_1 } from "./testdata/ecies_vectors.ts";

function der(b64: string): Uint8Array {
  const bytes = decodeBase64(b64);
  if (bytes === undefined) throw new Error("Test key is not Base64");
  return bytes;
}

Deno.test("isP256PublicKeySpki accepts keys from WebCrypto, Node and the noble encryptor", () => {
  for (const key of [RECIPIENT_A.publicKeySpki, NODE_RECIPIENT_SPKI, VECTOR_1.ephemeralPublicKey]) {
    assertEquals(isP256PublicKeySpki(der(key)), true);
  }
});

function withByte(index: number, change: (byte: number) => number): (bytes: Uint8Array) => Uint8Array {
  return function edit(bytes) {
    bytes[index] = change(bytes[index]);
    return bytes;
  };
}

Deno.test("isP256PublicKeySpki refuses off-curve points, coordinates out of range and other shapes", () => {
  const good = der(RECIPIENT_A.publicKeySpki);
  const edits: [string, (bytes: Uint8Array) => Uint8Array][] = [
    ["y changed", withByte(90, (byte) => byte ^ 1)],
    ["x changed", withByte(30, (byte) => byte ^ 1)],
    ["(0, 0)", (b) => b.fill(0, 27)],
    ["x = 2^256 - 1", (b) => b.fill(0xff, 27, 59)],
    ["compressed marker", withByte(26, () => 0x02)],
    ["other curve OID", withByte(22, () => 0x08)],
    ["truncated", (b) => b.subarray(0, 90)],
    ["extended", (b) => Uint8Array.from([...b, 0])],
    ["raw point only", (b) => b.subarray(26)],
  ];
  for (const [label, edit] of edits) {
    assertEquals(isP256PublicKeySpki(edit(good.slice())), false, label);
  }
});
