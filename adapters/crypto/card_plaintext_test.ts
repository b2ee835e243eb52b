import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { parseCardPlaintext } from "./card_plaintext.ts";

function bytes(fields: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(fields));
}

Deno.test("parseCardPlaintext normalises month and year and trims the holder", () => {
  const result = parseCardPlaintext(
    bytes({ number: "4242424242424242", expiryMonth: "3", expiryYear: "31", cvv: "123", holderName: " Jo " }),
  );
  assertEquals(result, {
    ok: true,
    value: {
      number: "4242424242424242",
      expiryMonth: "03",
      expiryYear: "2031",
      cvv: "123",
      holderName: "Jo",
    },
  });
});

Deno.test("parseCardPlaintext names the bad field without its value", () => {
  const base = { number: "4242424242424242", expiryMonth: "12", expiryYear: "2030", cvv: "123" };
  assertEquals(parseCardPlaintext(bytes({ ...base, cvv: "99999" })), { ok: false, error: "bad_cvv" });
  assertEquals(parseCardPlaintext(bytes({ ...base, number: "4242-4242-4242-4242" })), {
    ok: false,
    error: "bad_card_number",
  });
  assertEquals(parseCardPlaintext(new TextEncoder().encode("{")), { ok: false, error: "bad_plaintext" });
});
