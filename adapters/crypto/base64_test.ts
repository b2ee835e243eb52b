import { deepStrictEqual as assertEquals } from "node:assert/strict";
import fc from "fast-check";
import { decodeBase64, encodeBase64, encodeBase64Url } from "./base64.ts";

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

Deno.test("encodings match the RFC 4648 test vectors", () => {
  const text = new TextEncoder();
  const vectors = [["", ""], ["f", "Zg=="], ["fo", "Zm8="], ["foo", "Zm9v"], ["foob", "Zm9vYg=="], [
    "fooba",
    "Zm9vYmE=",
  ], ["foobar", "Zm9vYmFy"]];
  for (const [plain, encoded] of vectors) {
    assertEquals(encodeBase64(text.encode(plain)), encoded);
    assertEquals(decodeBase64(encoded), text.encode(plain));
  }
  assertEquals(encodeBase64Url(bytes(0xfb, 0xff)), "-_8");
  assertEquals(encodeBase64(bytes(0xfb, 0xff)), "+/8=");
});

Deno.test("standard and URL-safe alphabets, padded or not, decode the same bytes", () => {
  for (const text of ["+/8=", "+/8", "-_8=", "-_8"]) {
    assertEquals(decodeBase64(text), bytes(0xfb, 0xff), text);
  }
});

Deno.test("junk, mixed alphabets, bad padding and non-canonical endings are refused", () => {
  const refused = [
    "Zm9v YmFy", // whitespace
    "Zm9v\nYmFy",
    " Zm9v",
    "Zm9v*",
    "Zm9v!A==",
    "+_8=", // mixed alphabets
    "Zg=", // padding that does not complete a group
    "Zg===",
    "Zm8==",
    "=",
    "Z", // dangling single character
    "Zm9vY",
    "Zh==", // non-zero unused bits: "Zg==" is the canonical form
    "Zm9=",
    "Zg==Zg==", // padding in the middle
    "é",
  ];
  for (const text of refused) assertEquals(decodeBase64(text), undefined, JSON.stringify(text));
});

Deno.test("any bytes survive both encodings", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
      assertEquals(decodeBase64(encodeBase64(data)), data);
      assertEquals(decodeBase64(encodeBase64Url(data)), data);
      assertEquals(encodeBase64(data), btoa(String.fromCharCode(...data)));
    }),
  );
});
