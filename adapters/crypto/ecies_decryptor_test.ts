import { deepStrictEqual as assertEquals, ok as assert, rejects as assertRejects } from "node:assert/strict";
import fc from "fast-check";
import type { CardDecryptor, EncryptedCard } from "../../src/ports/card_decryptor.ts";
import { encryptCard, encryptPlaintext } from "../dev/ecies_encryptor.ts";
import { decodeBase64, encodeBase64 } from "./base64.ts";
import { createEciesDecryptor, ECIES_SALT, ECIES_SUITE, readEncryptedCard } from "./ecies_decryptor.ts";
import { generateEciesKeyPair } from "./keys.ts";
import {
  CARD_1,
  CARD_3,
  NODE_CARD,
  NODE_RECIPIENT_PKCS8,
  NODE_VECTOR,
  RECIPIENT_A,
  RECIPIENT_B,
  VECTOR_1,
  VECTOR_2,
  VECTOR_2_INFO,
  VECTOR_3,
} from "./testdata/ecies_vectors.ts";

// Every failure reason seen by any test, checked at the end for leaks.
const seenReasons = new Set<string>();

async function reasonOf(decryptor: CardDecryptor, pkg: EncryptedCard): Promise<string> {
  const result = await decryptor.decrypt(pkg);
  assert(!result.ok, "expected the package to be refused");
  assertEquals(result.error.kind, "undecryptable");
  seenReasons.add(result.error.reason);
  return result.error.reason;
}

function decryptorA(hkdfInfo = ""): Promise<CardDecryptor> {
  return createEciesDecryptor({ privateKeys: [RECIPIENT_A.privateKeyPkcs8], hkdfInfo });
}

/** Decodes a Base64 field, lets `change` edit the bytes, and encodes it again. */
function editBytes(b64: string, change: (bytes: Uint8Array) => Uint8Array | void): string {
  const bytes = decodeBase64(b64);
  if (bytes === undefined) throw new Error("test vector is not Base64");
  return encodeBase64(change(bytes) ?? bytes);
}

function toUrlSafeUnpadded(b64: string): string {
  return b64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

Deno.test("known-answer vector 1 opens with the first key and yields the card", async () => {
  const result = await (await decryptorA()).decrypt(VECTOR_1);
  assertEquals(result, { ok: true, value: { card: CARD_1, keyIndex: 0 } });
});

Deno.test("known-answer vector 2 opens only with its HKDF info", async () => {
  const right = await (await decryptorA(VECTOR_2_INFO)).decrypt(VECTOR_2);
  assertEquals(right, { ok: true, value: { card: CARD_1, keyIndex: 0 } });
  assertEquals(await reasonOf(await decryptorA(), VECTOR_2), "authentication_failed");
});

Deno.test("a package for the second configured key opens with keyIndex 1 and a normalised expiry", async () => {
  const decryptor = await createEciesDecryptor({
    privateKeys: [RECIPIENT_A.privateKeyPkcs8, RECIPIENT_B.privateKeyPkcs8],
    hkdfInfo: "",
  });
  const result = await decryptor.decrypt(VECTOR_3);
  assertEquals(result, {
    ok: true,
    value: { card: { ...CARD_3, expiryMonth: "01", expiryYear: "2029" }, keyIndex: 1 },
  });
  assertEquals(await decryptor.decrypt(VECTOR_1), { ok: true, value: { card: CARD_1, keyIndex: 0 } });
});

Deno.test("a package made with Node's crypto under the `cipher` field name opens", async () => {
  const decryptor = await createEciesDecryptor({ privateKeys: [NODE_RECIPIENT_PKCS8], hkdfInfo: "" });
  const pkg = readEncryptedCard(NODE_VECTOR);
  assert(pkg !== undefined);
  assertEquals(await decryptor.decrypt(pkg), { ok: true, value: { card: NODE_CARD, keyIndex: 0 } });
});

Deno.test("random keys, cards and HKDF infos round-trip through the noble encryptor", async () => {
  const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^\\d{${min},${max}}$`));
  const card = fc.record({
    number: digits(12, 19),
    month: fc.integer({ min: 1, max: 12 }),
    padMonth: fc.boolean(),
    year: fc.integer({ min: 2000, max: 2099 }),
    shortYear: fc.boolean(),
    cvv: digits(3, 4),
    holderName: fc.option(fc.stringMatching(/^[A-Za-z][A-Za-z .'-]{0,98}[A-Za-z]$/), { nil: undefined }),
  });
  await fc.assert(
    fc.asyncProperty(card, fc.string({ maxLength: 40 }), async (c, hkdfInfo) => {
      const recipient = await generateEciesKeyPair();
      const decryptor = await createEciesDecryptor({ privateKeys: [recipient.privateKeyPkcs8], hkdfInfo });
      const pkg = encryptCard(recipient.publicKeySpki, {
        number: c.number,
        expiryMonth: c.padMonth ? String(c.month).padStart(2, "0") : String(c.month),
        expiryYear: c.shortYear ? String(c.year).slice(2) : String(c.year),
        cvv: c.cvv,
        holderName: c.holderName,
      }, { hkdfInfo });
      const result = await decryptor.decrypt(pkg);
      assertEquals(result, {
        ok: true,
        value: {
          card: {
            number: c.number,
            expiryMonth: String(c.month).padStart(2, "0"),
            expiryYear: String(c.year),
            cvv: c.cvv,
            ...(c.holderName === undefined ? {} : { holderName: c.holderName }),
          },
          keyIndex: 0,
        },
      });
    }),
    { numRuns: 30 },
  );
});

Deno.test("a wrong suite is refused, and the suite is bound into the AAD", async () => {
  const decryptor = await decryptorA();
  assertEquals(
    await reasonOf(decryptor, { ...VECTOR_1, suit: "ECIESv1|AES-256-GCM|P-256" }),
    "unsupported_suite",
  );
  assertEquals(await reasonOf(decryptor, { ...VECTOR_1, suit: `${ECIES_SUITE} ` }), "unsupported_suite");
  // Encrypted by a platform whose AAD carried another suite string, then relabelled: the tag catches it.
  const other = encryptCard(RECIPIENT_A.publicKeySpki, CARD_1, { suit: "ECIESv1|AES-128-GCM|P-256|x" });
  assertEquals(await reasonOf(decryptor, { ...other, suit: ECIES_SUITE }), "authentication_failed");
});

Deno.test("a wrong salt is refused, and a package derived with another salt does not open", async () => {
  const decryptor = await decryptorA();
  assertEquals(await reasonOf(decryptor, { ...VECTOR_1, salt: "ECIESv2-HKDF-SALT" }), "unsupported_salt");
  const other = encryptCard(RECIPIENT_A.publicKeySpki, CARD_1, { salt: "another-salt" });
  assertEquals(await reasonOf(decryptor, { ...other, salt: ECIES_SALT }), "authentication_failed");
});

Deno.test("a swapped or corrupted ephemeral key is refused", async () => {
  const decryptor = await decryptorA();
  // Another valid point: different shared secret and different AAD.
  const swapped = { ...VECTOR_1, ephemeralPublicKey: VECTOR_2.ephemeralPublicKey };
  assertEquals(await reasonOf(decryptor, swapped), "authentication_failed");
  // A DER header byte changed: no longer the P-256 SPKI form.
  const badHeader = editBytes(VECTOR_1.ephemeralPublicKey, (bytes) => {
    bytes[5] ^= 0x01;
  });
  assertEquals(
    await reasonOf(decryptor, { ...VECTOR_1, ephemeralPublicKey: badHeader }),
    "bad_ephemeral_key",
  );
  // Compressed point, raw point, truncated DER: all refused.
  const raw = editBytes(VECTOR_1.ephemeralPublicKey, (bytes) => bytes.subarray(26));
  assertEquals(await reasonOf(decryptor, { ...VECTOR_1, ephemeralPublicKey: raw }), "bad_ephemeral_key");
  const truncated = editBytes(VECTOR_1.ephemeralPublicKey, (bytes) => bytes.subarray(0, 90));
  assertEquals(
    await reasonOf(decryptor, { ...VECTOR_1, ephemeralPublicKey: truncated }),
    "bad_ephemeral_key",
  );
});

Deno.test("an ephemeral point off the curve is refused before any ECDH", async () => {
  const decryptor = await decryptorA();
  const offCurve = [
    editBytes(VECTOR_1.ephemeralPublicKey, (bytes) => {
      bytes[90] ^= 0x01; // y changed: (x, y') is not on P-256
    }),
    editBytes(VECTOR_1.ephemeralPublicKey, (bytes) => {
      bytes.fill(0, 27); // (0, 0)
    }),
    editBytes(VECTOR_1.ephemeralPublicKey, (bytes) => {
      bytes.fill(0xff, 27, 59); // x >= p
    }),
  ];
  for (const ephemeralPublicKey of offCurve) {
    assertEquals(await reasonOf(decryptor, { ...VECTOR_1, ephemeralPublicKey }), "bad_ephemeral_key");
  }
});

Deno.test("a changed IV is refused, and an IV of the wrong length is named as such", async () => {
  const decryptor = await decryptorA();
  const flipped = editBytes(VECTOR_1.iv, (bytes) => {
    bytes[0] ^= 0x01;
  });
  assertEquals(await reasonOf(decryptor, { ...VECTOR_1, iv: flipped }), "authentication_failed");
  const short = editBytes(VECTOR_1.iv, (bytes) => bytes.subarray(0, 11));
  assertEquals(await reasonOf(decryptor, { ...VECTOR_1, iv: short }), "bad_iv_length");
  assertEquals(
    await reasonOf(decryptor, { ...VECTOR_1, iv: encodeBase64(new Uint8Array(16)) }),
    "bad_iv_length",
  );
});

Deno.test("any flipped bit of the ciphertext body or the tag is refused", async () => {
  const decryptor = await decryptorA();
  const length = decodeBase64(VECTOR_1.cipherText)!.length;
  for (let i = 0; i < length; i++) {
    const cipherText = editBytes(VECTOR_1.cipherText, (bytes) => {
      bytes[i] ^= 0x80;
    });
    assertEquals(
      await reasonOf(decryptor, { ...VECTOR_1, cipherText }),
      "authentication_failed",
      `byte ${i}`,
    );
  }
});

Deno.test("a truncated ciphertext is refused", async () => {
  const decryptor = await decryptorA();
  const withoutTag = editBytes(VECTOR_1.cipherText, (bytes) => bytes.subarray(0, bytes.length - 16));
  assertEquals(await reasonOf(decryptor, { ...VECTOR_1, cipherText: withoutTag }), "authentication_failed");
  const tagOnly = editBytes(VECTOR_1.cipherText, (bytes) => bytes.subarray(bytes.length - 16));
  assertEquals(await reasonOf(decryptor, { ...VECTOR_1, cipherText: tagOnly }), "ciphertext_too_short");
  assertEquals(await reasonOf(decryptor, { ...VECTOR_1, cipherText: "" }), "ciphertext_too_short");
});

Deno.test("a package for another app's key does not open", async () => {
  const decryptor = await createEciesDecryptor({ privateKeys: [RECIPIENT_B.privateKeyPkcs8], hkdfInfo: "" });
  assertEquals(await reasonOf(decryptor, VECTOR_1), "authentication_failed");
});

Deno.test("Base64 junk is refused in every field", async () => {
  const decryptor = await decryptorA();
  const junk = [
    (s: string) => ` ${s}`,
    (s: string) => `${s.slice(0, 8)}\n${s.slice(8)}`,
    (s: string) => `${s.slice(0, 8)}*${s.slice(9)}`,
    (s: string) => `${s}=`,
    (s: string) => `${s}===`,
    (s: string) => `${s}A`,
  ];
  for (const spoil of junk) {
    assertEquals(await reasonOf(decryptor, { ...VECTOR_1, iv: spoil(VECTOR_1.iv) }), "bad_iv");
    assertEquals(
      await reasonOf(decryptor, { ...VECTOR_1, ephemeralPublicKey: spoil(VECTOR_1.ephemeralPublicKey) }),
      "bad_ephemeral_key",
    );
    assertEquals(
      await reasonOf(decryptor, { ...VECTOR_1, cipherText: spoil(VECTOR_1.cipherText) }),
      "bad_ciphertext",
    );
  }
  // Mixed alphabets: standard "+/" with URL-safe "-_" in one value.
  const mixed = VECTOR_1.cipherText.replace("+", "-");
  assert(mixed.includes("/"));
  assertEquals(await reasonOf(decryptor, { ...VECTOR_1, cipherText: mixed }), "bad_ciphertext");
  // Non-canonical last group: "AAECAwQFBgcICQoL" is 12 bytes exactly, so corrupt a padded value instead.
  const ephemeralPublicKey = VECTOR_1.ephemeralPublicKey.replace(/Q==$/, "R==");
  assertEquals(await reasonOf(decryptor, { ...VECTOR_1, ephemeralPublicKey }), "bad_ephemeral_key");
});

Deno.test("URL-safe and unpadded Base64 are accepted, as documented", async () => {
  const pkg = {
    ...VECTOR_1,
    cipherText: toUrlSafeUnpadded(VECTOR_1.cipherText),
    ephemeralPublicKey: toUrlSafeUnpadded(VECTOR_1.ephemeralPublicKey),
  };
  assert(pkg.cipherText !== VECTOR_1.cipherText);
  assertEquals(await (await decryptorA()).decrypt(pkg), { ok: true, value: { card: CARD_1, keyIndex: 0 } });
});

Deno.test("oversized fields are refused before decoding", async () => {
  const decryptor = await decryptorA();
  const huge = "A".repeat(4_000_000);
  assertEquals(await reasonOf(decryptor, { ...VECTOR_1, cipherText: huge }), "ciphertext_too_large");
  assertEquals(await reasonOf(decryptor, { ...VECTOR_1, iv: huge }), "bad_iv_length");
  assertEquals(await reasonOf(decryptor, { ...VECTOR_1, ephemeralPublicKey: huge }), "bad_ephemeral_key");
  assertEquals(await reasonOf(decryptor, { ...VECTOR_1, suit: huge }), "unsupported_suite");
});

Deno.test("fields that are not strings are refused", async () => {
  const decryptor = await decryptorA();
  const pkg = { ...VECTOR_1, iv: 12 } as unknown as EncryptedCard;
  assertEquals(await reasonOf(decryptor, pkg), "bad_package");
});

Deno.test("the plaintext is validated field by field and normalised", async (t) => {
  const decryptor = await decryptorA();
  const base = { number: "4242424242424242", expiryMonth: "12", expiryYear: "2030", cvv: "123" };
  const json = (fields: Record<string, unknown>) => new TextEncoder().encode(JSON.stringify(fields));
  const refused: [string, Uint8Array, string][] = [
    ["invalid UTF-8", Uint8Array.from([0x7b, 0xff, 0x7d]), "bad_plaintext"],
    ["not JSON", new TextEncoder().encode("number=4242424242424242"), "bad_plaintext"],
    ["a JSON array", json([] as unknown as Record<string, unknown>), "bad_plaintext"],
    ["JSON null", new TextEncoder().encode("null"), "bad_plaintext"],
    ["a PAN with spaces", json({ ...base, number: "4242 4242 4242 4242" }), "bad_card_number"],
    ["an 11-digit PAN", json({ ...base, number: "42424242424" }), "bad_card_number"],
    ["a 20-digit PAN", json({ ...base, number: "42424242424242424242" }), "bad_card_number"],
    ["a numeric PAN", json({ ...base, number: 4242424242424242 }), "bad_card_number"],
    ["a missing PAN", json({ ...base, number: undefined }), "bad_card_number"],
    ["month 13", json({ ...base, expiryMonth: "13" }), "bad_expiry_month"],
    ["month 0", json({ ...base, expiryMonth: "0" }), "bad_expiry_month"],
    ["month 00", json({ ...base, expiryMonth: "00" }), "bad_expiry_month"],
    ["month 001", json({ ...base, expiryMonth: "001" }), "bad_expiry_month"],
    ["a numeric month", json({ ...base, expiryMonth: 12 }), "bad_expiry_month"],
    ["a 3-digit year", json({ ...base, expiryYear: "203" }), "bad_expiry_year"],
    ["a 5-digit year", json({ ...base, expiryYear: "20301" }), "bad_expiry_year"],
    ["a 2-digit CVV", json({ ...base, cvv: "12" }), "bad_cvv"],
    ["a 5-digit CVV", json({ ...base, cvv: "12345" }), "bad_cvv"],
    ["a numeric CVV", json({ ...base, cvv: 123 }), "bad_cvv"],
    ["a 101-character holder", json({ ...base, holderName: "x".repeat(101) }), "bad_holder_name"],
    ["a holder with a control character", json({ ...base, holderName: "Jane\u0000Doe" }), "bad_holder_name"],
    ["a numeric holder", json({ ...base, holderName: 7 }), "bad_holder_name"],
  ];
  for (const [label, plaintext, reason] of refused) {
    await t.step(`refuses ${label}`, async () => {
      const pkg = encryptPlaintext(RECIPIENT_A.publicKeySpki, plaintext);
      assertEquals(await reasonOf(decryptor, pkg), reason);
    });
  }
  const accepted: [string, Record<string, unknown>, Record<string, string>][] = [
    ["month 1 as 01", { ...base, expiryMonth: "1" }, { ...base, expiryMonth: "01" }],
    ["month 09 as is", { ...base, expiryMonth: "09" }, { ...base, expiryMonth: "09" }],
    ["year 29 as 2029", { ...base, expiryYear: "29" }, { ...base, expiryYear: "2029" }],
    ["a null holder as absent", { ...base, holderName: null }, base],
    ["a blank holder as absent", { ...base, holderName: "   " }, base],
    ["a holder trimmed", { ...base, holderName: " Jane Doe " }, { ...base, holderName: "Jane Doe" }],
    ["a 100-character holder", { ...base, holderName: "é".repeat(100) }, {
      ...base,
      holderName: "é".repeat(100),
    }],
    ["unknown fields ignored", { ...base, brand: "visa" }, base],
    ["a 12-digit PAN", { ...base, number: "123456789012" }, { ...base, number: "123456789012" }],
    ["a 4-digit CVV", { ...base, cvv: "1234" }, { ...base, cvv: "1234" }],
  ];
  for (const [label, fields, card] of accepted) {
    await t.step(`accepts ${label}`, async () => {
      const pkg = encryptPlaintext(RECIPIENT_A.publicKeySpki, json(fields));
      assertEquals(await decryptor.decrypt(pkg), { ok: true, value: { card, keyIndex: 0 } });
    });
  }
});

Deno.test("readEncryptedCard accepts the three ciphertext field names and prefers cipherText", () => {
  const { cipherText, ...rest } = VECTOR_1;
  assertEquals(readEncryptedCard({ ...rest, cipherText }), VECTOR_1);
  assertEquals(readEncryptedCard({ ...rest, cipher: cipherText }), VECTOR_1);
  assertEquals(readEncryptedCard({ ...rest, ciphertext: cipherText }), VECTOR_1);
  assertEquals(readEncryptedCard({ ...rest, cipher: "other", ciphertext: "other", cipherText }), VECTOR_1);
  assertEquals(readEncryptedCard({ ...rest, cipher: "other", ciphertext: cipherText }), {
    ...VECTOR_1,
    cipherText: "other",
  });
  assertEquals(readEncryptedCard(rest), undefined);
  assertEquals(readEncryptedCard({ ...rest, cipherText: 5 }), undefined);
  assertEquals(readEncryptedCard({ ...VECTOR_1, iv: undefined }), undefined);
  assertEquals(readEncryptedCard({ ...VECTOR_1, salt: null }), undefined);
});

Deno.test("bad configuration fails at construction without echoing the key", async () => {
  const messages: string[] = [];
  async function expectThrow(privateKeys: string[]) {
    await assertRejects(createEciesDecryptor({ privateKeys, hkdfInfo: "" }), (error: Error) => {
      messages.push(error.message);
      return true;
    });
  }
  await expectThrow([]);
  await expectThrow([`${RECIPIENT_A.privateKeyPkcs8}!`]);
  await expectThrow([RECIPIENT_A.privateKeyPkcs8, RECIPIENT_A.publicKeySpki]);
  await expectThrow([RECIPIENT_A.privateKeyPkcs8.slice(0, 40)]);
  assertEquals(messages.slice(1), [
    "ECIES private key #1 of 1 is not valid Base64",
    "ECIES private key #2 of 2 is not a PKCS#8 P-256 private key",
    "ECIES private key #1 of 1 is not a PKCS#8 P-256 private key",
  ]);
  for (const message of messages) {
    assert(!message.includes(RECIPIENT_A.privateKeyPkcs8.slice(0, 40)), message);
    assert(!message.includes(RECIPIENT_A.publicKeySpki.slice(27, 60)), message);
  }
});

Deno.test("keys given with stray whitespace from a comma-separated variable still load", async () => {
  const decryptor = await createEciesDecryptor({
    privateKeys: [` ${RECIPIENT_B.privateKeyPkcs8}`, `${RECIPIENT_A.privateKeyPkcs8}\n`],
    hkdfInfo: "",
  });
  assertEquals(await decryptor.decrypt(VECTOR_1), { ok: true, value: { card: CARD_1, keyIndex: 1 } });
});

Deno.test("decrypt() never throws, whatever the package holds", async () => {
  const decryptor = await decryptorA();
  const field = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.base64String({ maxLength: 200 }),
    fc.constantFrom(VECTOR_1.cipherText, VECTOR_1.iv, VECTOR_1.ephemeralPublicKey, ECIES_SUITE, ECIES_SALT),
    fc.anything(),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.record({ cipherText: field, iv: field, ephemeralPublicKey: field, suit: field, salt: field }),
      async (pkg) => {
        const result = await decryptor.decrypt(pkg as unknown as EncryptedCard);
        assert(!result.ok);
        seenReasons.add(result.error.reason);
      },
    ),
    { numRuns: 300 },
  );
});

// Registered last so it sees the reasons of every test above (Deno runs a file's tests in order).
Deno.test("no failure reason carries card data, key material or ciphertext", () => {
  assert(seenReasons.size >= 12, `only ${seenReasons.size} distinct reasons were exercised`);
  const secrets = [
    CARD_1.number,
    CARD_1.cvv,
    CARD_1.holderName,
    "4242",
    RECIPIENT_A.privateKeyPkcs8.slice(40, 80),
    VECTOR_1.cipherText.slice(0, 20),
  ];
  for (const reason of seenReasons) {
    assert(/^[a-z_]+$/.test(reason), `reason ${reason} is not a plain code`);
    for (const secret of secrets) assert(!reason.includes(secret));
  }
});
