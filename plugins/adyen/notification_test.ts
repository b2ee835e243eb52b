import { deepStrictEqual as assertEquals, strictEqual as equal } from "node:assert/strict";
import {
  type NotificationItem,
  notificationReferences,
  notificationSigningString,
  parseNotification,
  verifyItemSignature,
} from "./notification.ts";

// Adyen's published worked example (docs.adyen.com, "Verify HMAC signatures"), reproduced by Adyen's own
// libraries' tests: key, item and expected signature.
const ADYEN_EXAMPLE_KEY = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056";
const ADYEN_EXAMPLE_ITEM = {
  additionalData: { hmacSignature: "coqCmt/IZ4E3CzPvMY8zTjQVL5hYJUiBRg8UU+iCWo0=" },
  amount: { value: 1130, currency: "EUR" },
  pspReference: "7914073381342284",
  eventCode: "AUTHORISATION",
  eventDate: "2019-05-06T17:15:34.121+02:00",
  merchantAccountCode: "TestMerchant",
  operations: ["CANCEL", "CAPTURE", "REFUND"],
  merchantReference: "TestPayment-1407325143704",
  paymentMethod: "visa",
  success: "true",
};
const CREDENTIALS = { apiKey: "k", merchantAccount: "TestMerchant", hmacKeyHex: ADYEN_EXAMPLE_KEY };

function body(...items: unknown[]): string {
  return JSON.stringify({
    live: "false",
    notificationItems: items.map((item) => ({ NotificationRequestItem: item })),
  });
}

Deno.test("notificationSigningString() matches Adyen's published example", () => {
  const item = { ...ADYEN_EXAMPLE_ITEM, hmacSignature: ADYEN_EXAMPLE_ITEM.additionalData.hmacSignature };
  equal(
    notificationSigningString(item as NotificationItem),
    "7914073381342284::TestMerchant:TestPayment-1407325143704:1130:EUR:AUTHORISATION:true",
  );
});

Deno.test("verifyItemSignature() accepts Adyen's published signature and rejects a changed amount", async () => {
  const item = {
    ...ADYEN_EXAMPLE_ITEM,
    hmacSignature: ADYEN_EXAMPLE_ITEM.additionalData.hmacSignature,
  } as NotificationItem;
  equal(await verifyItemSignature(item, ADYEN_EXAMPLE_KEY), true);
  equal(
    await verifyItemSignature({ ...item, amount: { value: 1131, currency: "EUR" } }, ADYEN_EXAMPLE_KEY),
    false,
  );
  equal(await verifyItemSignature({ ...item, hmacSignature: undefined }, ADYEN_EXAMPLE_KEY), false);
});

Deno.test("parseNotification() turns Adyen's example into a succeeded pay event", async () => {
  const parsed = await parseNotification({ headers: {}, body: body(ADYEN_EXAMPLE_ITEM) }, {
    credentials: CREDENTIALS,
  });
  assertEquals(parsed, {
    kind: "events",
    acknowledgement: "[accepted]",
    events: [{
      operation: "pay",
      reference: "TestPayment-1407325143704",
      outcome: {
        kind: "succeeded",
        pspReference: "7914073381342284",
        amount: { amountMinor: 1130, currency: "EUR" },
      },
    }],
  });
});

Deno.test("parseNotification() rejects a batch with one forged item, fail closed", async () => {
  const forged = {
    ...ADYEN_EXAMPLE_ITEM,
    pspReference: "9999999999999999",
    merchantReference: "NEVER-HAPPENED",
    additionalData: { hmacSignature: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" },
  };
  const parsed = await parseNotification(
    { headers: {}, body: body(ADYEN_EXAMPLE_ITEM, forged) },
    { credentials: CREDENTIALS },
  );
  equal(parsed.kind, "rejected");
  assertEquals(notificationReferences({ headers: {}, body: body(ADYEN_EXAMPLE_ITEM, forged) }), [
    "TestPayment-1407325143704",
    "NEVER-HAPPENED",
  ]);
});

Deno.test("parseNotification() rejects malformed bodies and items", async () => {
  const malformed = [
    "",
    "{}",
    JSON.stringify({ notificationItems: [] }),
    body({ ...ADYEN_EXAMPLE_ITEM, amount: { value: "1130", currency: "EUR" } }),
    body({ ...ADYEN_EXAMPLE_ITEM, pspReference: undefined }),
  ];
  for (const text of malformed) {
    equal(
      (await parseNotification({ headers: {}, body: text }, { credentials: CREDENTIALS })).kind,
      "rejected",
      text,
    );
  }
  const bad = await parseNotification({ headers: {}, body: body(ADYEN_EXAMPLE_ITEM) }, {
    credentials: { ...CREDENTIALS, hmacKeyHex: "zz" },
  });
  equal(bad.kind, "rejected");
});
