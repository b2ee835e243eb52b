import { deepStrictEqual as assertEquals, strictEqual as equal } from "node:assert/strict";
import { parseExpiry, readStoredCard } from "./stored_card.ts";

// The additionalData of Adyen's "Card details tokenized for one-click payments" example (CheckoutService v71),
// with the card fields Adyen adds when they are enabled.
const TOKENIZED = {
  authCode: "082338",
  cardSummary: "1111",
  expiryDate: "3/2030",
  paymentMethod: "visa",
  "tokenization.shopperReference": "YOUR_SHOPPER_REFERENCE",
  "tokenization.storedPaymentMethodId": "M5N7TQ4TG5PFWR50",
  "tokenization.store.operationType": "created",
};

const CARD = { number: "4111111111111111", expiryMonth: "3", expiryYear: "30", cvv: "737" };

Deno.test("readStoredCard() reads Adyen's tokenization fields", () => {
  assertEquals(readStoredCard(TOKENIZED, "visa", { shopperReference: "YOUR_SHOPPER_REFERENCE" }), {
    pspToken: "M5N7TQ4TG5PFWR50",
    brand: "visa",
    last4: "1111",
    expiryMonth: "03",
    expiryYear: "2030",
  });
});

Deno.test("readStoredCard() falls back to the card sent when Adyen omits the card summary", () => {
  const { cardSummary: _, expiryDate: __, paymentMethod: ___, ...bare } = TOKENIZED;
  assertEquals(readStoredCard(bare, undefined, { card: CARD }), {
    pspToken: "M5N7TQ4TG5PFWR50",
    last4: "1111",
    expiryMonth: "03",
    expiryYear: "2030",
  });
  assertEquals(readStoredCard(bare, undefined, {}), { pspToken: "M5N7TQ4TG5PFWR50" });
});

Deno.test("readStoredCard() believes no token for another shopper, with card data or of a bad shape", async (t) => {
  const rows: [string, Record<string, unknown>, Parameters<typeof readStoredCard>[2]][] = [
    ["no token", { ...TOKENIZED, "tokenization.storedPaymentMethodId": undefined }, {}],
    ["another shopper", TOKENIZED, { shopperReference: "someone-else" }],
    ["the card number as token", { ...TOKENIZED, "tokenization.storedPaymentMethodId": CARD.number }, {
      card: CARD,
    }],
    ["a token with the card number inside", {
      ...TOKENIZED,
      "tokenization.storedPaymentMethodId": `tok${CARD.number}`,
    }, { card: CARD }],
    ["a token longer than 64 characters", {
      ...TOKENIZED,
      "tokenization.storedPaymentMethodId": "A".repeat(65),
    }, {}],
    ["a token with spaces", { ...TOKENIZED, "tokenization.storedPaymentMethodId": "M5N7 TQ4T" }, {}],
  ];
  for (const [label, additionalData, expectation] of rows) {
    await t.step(label, () => equal(readStoredCard(additionalData, "visa", expectation), undefined));
  }
  equal(readStoredCard(undefined, "visa", {}), undefined);
});

Deno.test("parseExpiry() accepts Adyen's expiry forms and rejects the rest", () => {
  assertEquals(parseExpiry("6/2016"), { month: "06", year: "2016" });
  assertEquals(parseExpiry("03/2030"), { month: "03", year: "2030" });
  assertEquals(parseExpiry("11/30"), { month: "11", year: "2030" });
  for (const bad of ["13/2030", "0/2030", "2030-03", "", 42, undefined]) equal(parseExpiry(bad), undefined);
});
