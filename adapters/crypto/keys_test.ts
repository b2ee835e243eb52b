import { deepStrictEqual as assertEquals, ok as assert, rejects as assertRejects } from "node:assert/strict";
import { decodeBase64 } from "./base64.ts";
import { generateEciesKeyPair, publicKeyFromPrivate } from "./keys.ts";
import { NODE_RECIPIENT_PKCS8, NODE_RECIPIENT_SPKI, RECIPIENT_A } from "./testdata/ecies_vectors.ts";

const P256_SPKI_PREFIX_HEX = "3059301306072a8648ce3d020106082a8648ce3d03010703420004";

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

Deno.test("generateEciesKeyPair gives the 91-byte SPKI that Genstore registers", async () => {
  const pair = await generateEciesKeyPair();
  const spki = decodeBase64(pair.publicKeySpki);
  assert(spki !== undefined);
  assertEquals(spki.length, 91);
  assertEquals(hex(spki.subarray(0, 27)), P256_SPKI_PREFIX_HEX);
  assertEquals(await publicKeyFromPrivate(pair.privateKeyPkcs8), pair.publicKeySpki);
});

Deno.test("two generated key pairs differ", async () => {
  const [first, second] = await Promise.all([generateEciesKeyPair(), generateEciesKeyPair()]);
  assert(first.privateKeyPkcs8 !== second.privateKeyPkcs8);
  assert(first.publicKeySpki !== second.publicKeySpki);
});

Deno.test("publicKeyFromPrivate derives the stored public keys, including one made by Node's crypto", async () => {
  assertEquals(await publicKeyFromPrivate(RECIPIENT_A.privateKeyPkcs8), RECIPIENT_A.publicKeySpki);
  assertEquals(await publicKeyFromPrivate(NODE_RECIPIENT_PKCS8), NODE_RECIPIENT_SPKI);
});

Deno.test("publicKeyFromPrivate refuses what is not a PKCS#8 P-256 key, without echoing it", async () => {
  const inputs = [`${RECIPIENT_A.privateKeyPkcs8}*`, RECIPIENT_A.publicKeySpki, "AAAA"];
  for (const input of inputs) {
    await assertRejects(publicKeyFromPrivate(input), (error: Error) => {
      assert(/^Private key is not/.test(error.message), error.message);
      assert(!error.message.includes(input.slice(0, 30)));
      return true;
    });
  }
});
