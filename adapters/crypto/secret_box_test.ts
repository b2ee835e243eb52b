import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  notDeepStrictEqual as assertNotEquals,
  ok as assert,
  rejects as assertRejects,
  throws as assertThrows,
} from "node:assert/strict";
import { decodeBase64 } from "./base64.ts";
import { createSecretBox, generateMasterKey, SecretBoxError, type SecretBoxErrorCode } from "./secret_box.ts";

const SECRET = "sk_test_51HxYzAbCdEf-psp-api-key";

async function expectOpenFailure(
  promise: Promise<unknown>,
  code: SecretBoxErrorCode,
  forbidden: readonly string[],
): Promise<void> {
  await assertRejects(promise, (error: unknown) => {
    assert(error instanceof SecretBoxError);
    assertEquals(error.code, code);
    for (const text of forbidden) assert(!error.message.includes(text), `message leaks ${text}`);
    return true;
  });
}

Deno.test("generateMasterKey gives Base64 of 32 random bytes", () => {
  const key = generateMasterKey();
  assertEquals(decodeBase64(key)?.length, 32);
  assertNotEquals(key, generateMasterKey());
});

Deno.test("a sealed value opens with the same key and AAD", async () => {
  const box = createSecretBox(generateMasterKey());
  for (const plaintext of [SECRET, "", "ünïcødé ✓", "x".repeat(10_000)]) {
    const sealed = await box.seal(plaintext, "shop:demo/ext:card/test");
    assertEquals(await box.open(sealed, "shop:demo/ext:card/test"), plaintext);
  }
});

Deno.test("the sealed format is v1.<keyId>.<iv>.<ciphertext+tag> with the key's id", async () => {
  const box = createSecretBox(generateMasterKey());
  const sealed = await box.seal(SECRET, "aad");
  assertMatch(sealed, /^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
  const [, keyId, iv, ciphertext] = sealed.split(".");
  assertEquals(keyId, await box.keyId());
  assertEquals(decodeBase64(iv)?.length, 12);
  assertEquals(decodeBase64(ciphertext)?.length, new TextEncoder().encode(SECRET).length + 16);
  assert(!sealed.includes(SECRET));
});

Deno.test("the key id is the first 8 hex digits of SHA-256 of the key", async () => {
  const masterKey = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; // 32 zero bytes
  // sha256(32 zero bytes) = 66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925
  assertEquals(await createSecretBox(masterKey).keyId(), "66687aad");
});

Deno.test("two seals of the same plaintext differ", async () => {
  const box = createSecretBox(generateMasterKey());
  const first = await box.seal(SECRET, "aad");
  const second = await box.seal(SECRET, "aad");
  assertNotEquals(first, second);
  assertEquals(await box.open(first, "aad"), await box.open(second, "aad"));
});

Deno.test("the wrong AAD fails with a typed error that names no secret", async () => {
  const box = createSecretBox(generateMasterKey());
  const sealed = await box.seal(SECRET, "shop:demo/live");
  await expectOpenFailure(box.open(sealed, "shop:demo/test"), "authentication_failed", [SECRET, sealed]);
  await expectOpenFailure(box.open(sealed, ""), "authentication_failed", [SECRET]);
});

Deno.test("another key fails, whether or not the key id is forged", async () => {
  const masterKey = generateMasterKey();
  const box = createSecretBox(masterKey);
  const other = createSecretBox(generateMasterKey());
  const sealed = await box.seal(SECRET, "aad");
  await expectOpenFailure(other.open(sealed, "aad"), "unknown_key", [SECRET, masterKey]);
  // Relabelled with the other key's id: GCM still refuses it.
  const [version, , iv, ciphertext] = sealed.split(".");
  const relabelled = [version, await other.keyId(), iv, ciphertext].join(".");
  await expectOpenFailure(other.open(relabelled, "aad"), "authentication_failed", [SECRET, masterKey]);
});

Deno.test("a tampered or malformed value fails", async () => {
  const box = createSecretBox(generateMasterKey());
  const sealed = await box.seal(SECRET, "aad");
  const [version, keyId, iv, ciphertext] = sealed.split(".");
  const flip = (text: string) => (text[0] === "A" ? "B" : "A") + text.slice(1);
  await expectOpenFailure(
    box.open([version, keyId, flip(iv), ciphertext].join("."), "aad"),
    "authentication_failed",
    [
      SECRET,
    ],
  );
  await expectOpenFailure(
    box.open([version, keyId, iv, flip(ciphertext)].join("."), "aad"),
    "authentication_failed",
    [SECRET],
  );
  const malformed = [
    "",
    SECRET,
    `v2.${keyId}.${iv}.${ciphertext}`,
    `v1.${keyId}.${iv}`,
    `v1.${keyId}.${iv}.${ciphertext}.extra`,
    // Upper-case hex is not a key id (`A` never is, whatever the random id's digits are).
    `v1.A${keyId.slice(1)}.${iv}.${ciphertext}`,
    `v1.${keyId}.${iv}A.${ciphertext}`,
    `v1.${keyId}.${iv}.${ciphertext.slice(0, 10)}`,
    `v1.${keyId}.${iv}.${ciphertext}*`,
  ];
  for (const value of malformed) {
    await expectOpenFailure(box.open(value, "aad"), "malformed", [SECRET]);
  }
});

Deno.test("a master key that is not Base64 of 32 bytes is refused at construction", () => {
  const tooShort = btoa("x".repeat(16));
  assertThrows(() => createSecretBox(""), (error: Error) => {
    assertEquals(error.message, "At least one master key is required");
    return true;
  });
  for (const key of [tooShort, "not base64!", `${generateMasterKey()}AAAA`]) {
    assertThrows(() => createSecretBox(key), (error: Error) => {
      assertEquals(error.message, "Master key #1 must be Base64 of exactly 32 bytes");
      return true;
    });
  }
  assertThrows(() => createSecretBox(`${generateMasterKey()},${tooShort}`), (error: Error) => {
    assertEquals(error.message, "Master key #2 must be Base64 of exactly 32 bytes");
    return true;
  });
});

Deno.test("createSecretBox() seals with the first key and opens with any listed key, by key id", async () => {
  const oldKey = generateMasterKey();
  const newKey = generateMasterKey();
  const before = createSecretBox(oldKey);
  const sealedOld = await before.seal("secret", "row-1");
  const during = createSecretBox(`${newKey},${oldKey}`);
  assertEquals(await during.open(sealedOld, "row-1"), "secret");
  assertEquals(await during.isStale(sealedOld), true);
  const sealedNew = await during.seal("secret", "row-1");
  assertEquals(await during.isStale(sealedNew), false);
  const after = createSecretBox(newKey);
  assertEquals(await after.open(sealedNew, "row-1"), "secret");
  await assertRejects(() => after.open(sealedOld, "row-1"), SecretBoxError);
});
