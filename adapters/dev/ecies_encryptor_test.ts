import {
  deepStrictEqual as assertEquals,
  notDeepStrictEqual as assertNotEquals,
  throws as assertThrows,
} from "node:assert/strict";
import {
  CARD_1,
  CARD_3,
  EPHEMERAL_1_HEX,
  EPHEMERAL_2_HEX,
  IV_1_HEX,
  IV_2_HEX,
  RECIPIENT_A,
  RECIPIENT_B,
  VECTOR_1,
  VECTOR_2,
  VECTOR_2_INFO,
  VECTOR_3,
} from "../crypto/testdata/ecies_vectors.ts";
import { encryptCard } from "./ecies_encryptor.ts";

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

function bytesOf(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), (char) => char.charCodeAt(0));
}

Deno.test("encryptCard reproduces the stored known-answer vectors byte for byte", () => {
  assertEquals(
    encryptCard(RECIPIENT_A.publicKeySpki, CARD_1, {
      ephemeralPrivateKey: hex(EPHEMERAL_1_HEX),
      iv: hex(IV_1_HEX),
    }),
    VECTOR_1,
  );
  assertEquals(
    encryptCard(RECIPIENT_A.publicKeySpki, CARD_1, {
      ephemeralPrivateKey: hex(EPHEMERAL_2_HEX),
      iv: hex(IV_2_HEX),
      hkdfInfo: VECTOR_2_INFO,
    }),
    VECTOR_2,
  );
  assertEquals(
    encryptCard(RECIPIENT_B.publicKeySpki, CARD_3, {
      ephemeralPrivateKey: hex(EPHEMERAL_1_HEX),
      iv: hex(IV_1_HEX),
    }),
    VECTOR_3,
  );
});

Deno.test("the package has Genstore's shape: 91-byte SPKI, 12-byte IV, body plus 16-byte tag", () => {
  const pkg = encryptCard(RECIPIENT_A.publicKeySpki, CARD_1);
  assertEquals(pkg.suit, "ECIESv1|AES-128-GCM|P-256");
  assertEquals(pkg.salt, "ECIESv1-HKDF-SALT");
  assertEquals(bytesOf(pkg.ephemeralPublicKey).length, 91);
  assertEquals(bytesOf(pkg.iv).length, 12);
  const json = JSON.stringify(CARD_1);
  assertEquals(bytesOf(pkg.cipherText).length, new TextEncoder().encode(json).length + 16);
});

Deno.test("each package gets a fresh ephemeral key and IV", () => {
  const first = encryptCard(RECIPIENT_A.publicKeySpki, CARD_1);
  const second = encryptCard(RECIPIENT_A.publicKeySpki, CARD_1);
  assertNotEquals(first.ephemeralPublicKey, second.ephemeralPublicKey);
  assertNotEquals(first.iv, second.iv);
  assertNotEquals(first.cipherText, second.cipherText);
});

Deno.test("encryptCard refuses a recipient key that is not an SPKI P-256 point on the curve", () => {
  const spki = bytesOf(RECIPIENT_A.publicKeySpki);
  spki[90] ^= 1;
  const offCurve = btoa(String.fromCharCode(...spki));
  assertThrows(() => encryptCard(offCurve, CARD_1));
  assertThrows(() => encryptCard(RECIPIENT_A.privateKeyPkcs8, CARD_1), /not an SPKI P-256 key/);
  assertThrows(() => encryptCard(RECIPIENT_A.publicKeySpki, CARD_1, { iv: new Uint8Array(16) }), /12 bytes/);
});
