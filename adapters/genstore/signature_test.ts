import { deepStrictEqual as assertEquals, rejects as assertRejects } from "node:assert/strict";
import { signBody, signQuery, verifyBodySignature, verifyQuerySignature } from "./signature.ts";

const SECRET = "hush";
const NOW = 1_700_000_000;
const BODY = new TextEncoder().encode('{"paymentId":"p_1","amount":"10.00"}');
// Computed with Node's crypto, independently of this module.
const BODY_BASE64 = "/fmYqgYzwUimJc2LR6DWAxeqW9z8owXiQzGRf19mFUI=";
const DOC_QUERY = "shop=demo.genmystore.com&shopId=1001&timestamp=1700000000";
const DOC_QUERY_HMAC = "b85fd7dcaf17a0c58be4a1ea9acec0acc5818cde44f9f4f62bd327ee8a996c46";

function base64ToHex(b64: string): string {
  return Array.from(atob(b64), (char) => char.charCodeAt(0).toString(16).padStart(2, "0")).join("");
}

async function hexHmac(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message)));
  return Array.from(mac, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

Deno.test("signBody matches an independently computed HMAC-SHA256 (RFC 4231 case 2 and a body)", async () => {
  assertEquals(
    base64ToHex(await signBody("Jefe", new TextEncoder().encode("what do ya want for nothing?"))),
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
  );
  assertEquals(await signBody(SECRET, BODY), BODY_BASE64);
});

Deno.test("a body signature is accepted as Base64 or as hex", async () => {
  assertEquals(await verifyBodySignature(SECRET, BODY, BODY_BASE64), true);
  assertEquals(await verifyBodySignature(SECRET, BODY, base64ToHex(BODY_BASE64)), true);
  assertEquals(await verifyBodySignature(SECRET, BODY, base64ToHex(BODY_BASE64).toUpperCase()), true);
  assertEquals(await verifyBodySignature(SECRET, BODY, ` ${BODY_BASE64} `), true);
});

Deno.test("a body signature is refused when missing, wrong, truncated or for another body", async () => {
  const hex = base64ToHex(BODY_BASE64);
  const refused: [string, Uint8Array, string | undefined, string][] = [
    ["missing header", BODY, undefined, SECRET],
    ["empty header", BODY, "", SECRET],
    ["wrong secret", BODY, BODY_BASE64, "other secret"],
    ["truncated Base64", BODY, BODY_BASE64.slice(0, 40), SECRET],
    ["truncated hex", BODY, hex.slice(0, 62), SECRET],
    ["extended hex", BODY, `${hex}00`, SECRET],
    ["one hex digit changed", BODY, `${hex.slice(0, 63)}${hex[63] === "0" ? "1" : "0"}`, SECRET],
    ["junk", BODY, "not a signature", SECRET],
    ["changed body", new TextEncoder().encode('{"paymentId":"p_1","amount":"99.00"}'), BODY_BASE64, SECRET],
    [
      "body with a trailing newline",
      new TextEncoder().encode(`${new TextDecoder().decode(BODY)}\n`),
      BODY_BASE64,
      SECRET,
    ],
  ];
  for (const [label, body, header, secret] of refused) {
    assertEquals(await verifyBodySignature(secret, body, header), false, label);
  }
});

Deno.test("the documented shop/shopId/timestamp query verifies against an independent HMAC", async () => {
  assertEquals(await verifyQuerySignature(SECRET, `${DOC_QUERY}&hmac=${DOC_QUERY_HMAC}`, NOW), { ok: true });
  assertEquals(
    await signQuery(SECRET, { timestamp: "1700000000", shopId: "1001", shop: "demo.genmystore.com" }),
    `${DOC_QUERY}&hmac=${DOC_QUERY_HMAC}`,
  );
});

Deno.test("parameters in any order, hmac anywhere, still verify", async () => {
  const orders = [
    `hmac=${DOC_QUERY_HMAC}&timestamp=1700000000&shopId=1001&shop=demo.genmystore.com`,
    `shopId=1001&hmac=${DOC_QUERY_HMAC}&shop=demo.genmystore.com&timestamp=1700000000`,
    `timestamp=1700000000&shop=demo.genmystore.com&shopId=1001&hmac=${DOC_QUERY_HMAC.toUpperCase()}`,
  ];
  for (const query of orders) {
    assertEquals(await verifyQuerySignature(SECRET, query, NOW), { ok: true }, query);
  }
});

Deno.test("URL-encoded values are signed as received, not decoded", async () => {
  const signedPart = "return=https%3A%2F%2Fdemo.genmystore.com%2Fa%20b&shop=demo&timestamp=1700000000";
  const query = `${signedPart}&hmac=${await hexHmac(SECRET, signedPart)}`;
  assertEquals(await verifyQuerySignature(SECRET, query, NOW), { ok: true });
  // A signer that decoded first would have produced a different hmac; it must not verify.
  const decoded = "return=https://demo.genmystore.com/a b&shop=demo&timestamp=1700000000";
  const decodedSigned = `${signedPart}&hmac=${await hexHmac(SECRET, decoded)}`;
  assertEquals(await verifyQuerySignature(SECRET, decodedSigned, NOW), {
    ok: false,
    reason: "invalid_signature",
  });
  // And signQuery encodes before signing, so its output verifies.
  const made = await signQuery(SECRET, {
    shop: "demo",
    timestamp: String(NOW),
    return: "https://x.example/a b?c=d&e",
  });
  assertEquals(await verifyQuerySignature(SECRET, made, NOW), { ok: true });
});

Deno.test("the timestamp window is ±300 s by default and configurable", async () => {
  const at = async (timestamp: number, window?: number) =>
    await verifyQuerySignature(
      SECRET,
      await signQuery(SECRET, { shop: "demo", timestamp: String(timestamp) }),
      NOW,
      window,
    );
  assertEquals(await at(NOW), { ok: true });
  assertEquals(await at(NOW - 300), { ok: true });
  assertEquals(await at(NOW + 300), { ok: true });
  assertEquals(await at(NOW - 301), { ok: false, reason: "stale_timestamp" });
  assertEquals(await at(NOW + 301), { ok: false, reason: "future_timestamp" });
  assertEquals(await at(NOW - 86_400), { ok: false, reason: "stale_timestamp" });
  assertEquals(await at(NOW - 400, 600), { ok: true });
  assertEquals(await at(NOW - 61, 60), { ok: false, reason: "stale_timestamp" });
});

Deno.test("a query without a usable timestamp is refused even when signed", async () => {
  const cases: [Record<string, string>, string][] = [
    [{ shop: "demo" }, "missing_timestamp"],
    [{ shop: "demo", timestamp: "" }, "malformed_timestamp"],
    [{ shop: "demo", timestamp: "1700000000.5" }, "malformed_timestamp"],
    [{ shop: "demo", timestamp: "-1700000000" }, "malformed_timestamp"],
    [{ shop: "demo", timestamp: "1e9" }, "malformed_timestamp"],
  ];
  for (const [params, reason] of cases) {
    assertEquals(await verifyQuerySignature(SECRET, await signQuery(SECRET, params), NOW), {
      ok: false,
      reason,
    });
  }
  const twice = "shop=demo&timestamp=1700000000&timestamp=1700000000";
  assertEquals(await verifyQuerySignature(SECRET, `${twice}&hmac=${await hexHmac(SECRET, twice)}`, NOW), {
    ok: false,
    reason: "duplicate_timestamp",
  });
});

Deno.test("a query with a missing, duplicate, malformed or wrong hmac is refused", async () => {
  const good = `${DOC_QUERY}&hmac=${DOC_QUERY_HMAC}`;
  const cases: [string, string][] = [
    [DOC_QUERY, "missing_hmac"],
    [`${DOC_QUERY}&hmac=`, "malformed_hmac"],
    [`${good}&hmac=${DOC_QUERY_HMAC}`, "duplicate_hmac"],
    [`${DOC_QUERY}&hmac=${DOC_QUERY_HMAC.slice(0, 63)}`, "malformed_hmac"],
    [`${DOC_QUERY}&hmac=${btoa("x".repeat(32))}`, "malformed_hmac"],
    [`${DOC_QUERY}&hmac=${"0".repeat(64)}`, "invalid_signature"],
    [good.replace("shopId=1001", "shopId=1002"), "invalid_signature"],
    [`${good}&extra=1`, "invalid_signature"],
    [`${good}&x=${"a".repeat(20_000)}`, "query_too_long"],
  ];
  for (const [query, reason] of cases) {
    assertEquals(await verifyQuerySignature(SECRET, query, NOW), { ok: false, reason }, reason);
  }
  assertEquals(await verifyQuerySignature("other secret", good, NOW), {
    ok: false,
    reason: "invalid_signature",
  });
});

Deno.test("keys sort by their raw bytes and repeated keys keep their order", async () => {
  // Raw, not decoded: "%C3%A9" starts with "%" (0x25), before "Z" (0x5a), before "a" (0x61).
  const signedPart = "%C3%A9=3&Z=1&a=2&a=1&timestamp=1700000000";
  const query = `a=2&%C3%A9=3&hmac=${await hexHmac(SECRET, signedPart)}&Z=1&timestamp=1700000000&a=1`;
  assertEquals(await verifyQuerySignature(SECRET, query, NOW), { ok: true });
  // UTF-8 byte order, not UTF-16: U+FF21 (EF BC A1) sorts before U+1F600 (F0 9F 98 80), though its UTF-16
  // unit (FF21) is above the surrogate D83D.
  const unicodePart = "timestamp=1700000000&\uFF21=1&\u{1F600}=2";
  const unicodeQuery = `\u{1F600}=2&\uFF21=1&timestamp=1700000000&hmac=${await hexHmac(SECRET, unicodePart)}`;
  assertEquals(await verifyQuerySignature(SECRET, unicodeQuery, NOW), { ok: true });
});

Deno.test("signQuery refuses parameters that already carry an hmac", async () => {
  await assertRejects(signQuery(SECRET, { shop: "demo", hmac: "x" }), /must not contain hmac/);
});
