import { deepStrictEqual as assertEquals, ok as assert, strictEqual as equal } from "node:assert/strict";
import { errorText, rejection, type RejectionCode, REJECTIONS } from "./errors.ts";

Deno.test("rejection() uses the code's standard message unless a detail is given", () => {
  assertEquals(rejection("payment_not_found"), {
    code: "payment_not_found",
    message: "No payment with this id for this shop, extension and mode",
  });
  assertEquals(rejection("payment_not_capturable", "The payment is voided"), {
    code: "payment_not_capturable",
    message: "The payment is voided",
  });
});

Deno.test("errorText() leads with the stable code", () => {
  equal(
    errorText(rejection("card_unreadable")),
    "card_unreadable: The encrypted card data could not be decrypted",
  );
  equal(errorText({ code: "card_declined", message: "Do not honor" }), "card_declined: Do not honor");
});

Deno.test("REJECTIONS codes are snake_case with a sentence-case message without a trailing period", async (t) => {
  for (const code of Object.keys(REJECTIONS) as RejectionCode[]) {
    await t.step(code, () => {
      assert(/^[a-z]+(_[a-z0-9]+)*$/.test(code), code);
      const message = REJECTIONS[code];
      assert(/^[A-Z]/.test(message), message);
      assert(!message.endsWith("."), message);
    });
  }
});
