// Card-on-file through the plugin and the emulator over real HTTP: storing a card on a first payment, charging
// it later as the customer (CIT) or the merchant (MIT), and what Adyen refuses.
import { deepStrictEqual as assertEquals, match, ok, strictEqual as equal } from "node:assert/strict";
import type { PayInput, PspCallContext, StoredCard } from "../../src/mod.ts";
import { createAdyenPlugin } from "./mod.ts";
import { RESUME_STORE_FOR } from "./payment_result.ts";
import {
  buyerAnswers,
  CARDS,
  EUR_10,
  expectKind,
  payInput,
  pluginTest,
  RETURN_URL,
  TEST_CVC,
  type World,
} from "./plugin_world.ts";
import {
  API_KEY,
  FUTURE_YEAR,
  type Harness,
  MERCHANT_ACCOUNT,
  OTHER_API_KEY,
  OTHER_MERCHANT_ACCOUNT,
} from "./test_support.ts";

const plugin = createAdyenPlugin();
const SHOPPER = "shop-demo.9f2c41d0";

type Json = Record<string, unknown>;

function storingInput(number: string, overrides: Record<string, unknown> = {}): PayInput {
  return payInput(number, { storeCard: { shopperReference: SHOPPER }, ...overrides });
}

function storedInput(
  pspToken: string,
  initiator: "customer" | "merchant",
  overrides: Record<string, unknown> = {},
): PayInput {
  return payInput(CARDS.approved, {
    card: undefined,
    storedCard: { pspToken, shopperReference: SHOPPER, initiator },
    ...overrides,
  });
}

/** The body of the n-th request the plugin sent. */
function sentBody(world: World, index: number): Json {
  return world.sent[index].request.json as Json;
}

/** Stores a card through the plugin's first payment and returns what the plugin reported. */
async function storeThroughPayment(world: World, number: string): Promise<StoredCard> {
  const outcome = expectKind(await plugin.pay(storingInput(number), world.context()), "succeeded");
  ok(outcome.storedCard !== undefined, "the card was stored");
  return outcome.storedCard;
}

/**
 * A token made by POST /storedPaymentMethods, without a payment: how a card that declines today can be on
 * file (it was fine when it was stored).
 */
async function storeDirectly(
  harness: Harness,
  number: string,
  options: { shopperReference?: string; merchantAccount?: string; apiKey?: string } = {},
): Promise<string> {
  const response = await fetch(`${harness.checkoutUrl}/storedPaymentMethods`, {
    method: "POST",
    headers: { "content-type": "application/json", "X-API-Key": options.apiKey ?? API_KEY },
    body: JSON.stringify({
      merchantAccount: options.merchantAccount ?? MERCHANT_ACCOUNT,
      shopperReference: options.shopperReference ?? SHOPPER,
      paymentMethod: { type: "scheme", number, expiryMonth: "03", expiryYear: FUTURE_YEAR, cvc: TEST_CVC },
      recurringProcessingModel: "UnscheduledCardOnFile",
    }),
  });
  equal(response.status, 201);
  return (await response.json()).id;
}

/** No card number and no CVC anywhere in a request body. */
function assertNoCardData(body: unknown): void {
  const text = JSON.stringify(body);
  for (const number of Object.values(CARDS)) ok(!text.includes(number), "a card number was sent");
  ok(!text.includes(`"${TEST_CVC}"`), "a CVC was sent");
  ok(!text.includes('"number"') && !text.includes('"cvc"'), "card fields were sent");
}

pluginTest("pay() stores the card and reports Adyen's token, brand, last4 and expiry", async (world) => {
  const input = storingInput(CARDS.approved);
  const outcome = expectKind(await plugin.pay(input, world.context()), "succeeded");
  const [vaulted] = world.harness.emulator.storedPaymentMethods();
  assertEquals(outcome.storedCard, {
    pspToken: vaulted.id,
    brand: "visa",
    last4: "4242",
    expiryMonth: "03",
    expiryYear: FUTURE_YEAR,
  });
  match(vaulted.id, /^[A-Z0-9]{16}$/);
  ok(!vaulted.id.includes(CARDS.approved) && !vaulted.id.includes(TEST_CVC), "the token holds no card data");
  equal(vaulted.shopperReference, SHOPPER);
  const sent = sentBody(world, 0);
  equal(sent.storePaymentMethod, true);
  equal(sent.shopperReference, SHOPPER);
  equal(sent.shopperInteraction, "Ecommerce");
  equal(sent.recurringProcessingModel, "CardOnFile");
  equal((sent.paymentMethod as Json).number, CARDS.approved);
});

pluginTest("pay() reports no stored card when the payment did not ask to store it", async (world) => {
  const outcome = expectKind(await plugin.pay(payInput(CARDS.approved), world.context()), "succeeded");
  equal(outcome.storedCard, undefined);
  const sent = sentBody(world, 0);
  for (const field of ["storePaymentMethod", "shopperReference", "recurringProcessingModel"]) {
    equal(sent[field], undefined, field);
  }
  assertEquals(world.harness.emulator.storedPaymentMethods(), []);
});

pluginTest(
  "pay() charges a stored card as the customer: ContAuth, CardOnFile, no card data",
  async (world) => {
    const stored = await storeThroughPayment(world, CARDS.approved);
    const input = storedInput(stored.pspToken, "customer");
    const outcome = expectKind(await plugin.pay(input, world.context()), "succeeded");
    equal(outcome.storedCard, undefined, "paying with a token stores nothing new");
    assertEquals(outcome.amount, EUR_10);
    const sent = sentBody(world, 1);
    assertEquals(sent.paymentMethod, { type: "scheme", storedPaymentMethodId: stored.pspToken });
    equal(sent.shopperReference, SHOPPER);
    equal(sent.shopperInteraction, "ContAuth");
    equal(sent.recurringProcessingModel, "CardOnFile");
    equal(sent.storePaymentMethod, undefined);
    // The buyer is present: 3D Secure may still apply, so the browser and the return URL go along.
    equal(sent.shopperIP, "203.0.113.7");
    ok(sent.browserInfo !== undefined);
    equal(sent.returnUrl, RETURN_URL);
    assertNoCardData(sent);
    const payment = world.harness.emulator.payments()[1];
    equal(payment.storedPaymentMethodId, stored.pspToken);
    equal(payment.merchantReference, input.reference);
    equal(payment.capturedValue, 1000);
  },
);

pluginTest("pay() charges a stored card as the merchant: ContAuth, UnscheduledCardOnFile", async (world) => {
  const stored = await storeThroughPayment(world, CARDS.approved);
  const outcome = await plugin.pay(
    storedInput(stored.pspToken, "merchant", { captureMode: "authorize" }),
    world.context(),
  );
  expectKind(outcome, "succeeded");
  const sent = sentBody(world, 1);
  assertEquals(sent.paymentMethod, { type: "scheme", storedPaymentMethodId: stored.pspToken });
  equal(sent.shopperInteraction, "ContAuth");
  equal(sent.recurringProcessingModel, "UnscheduledCardOnFile");
  assertEquals(sent.additionalData, { manualCapture: "true" });
  // No buyer is present: their browser and IP are not part of a merchant-initiated charge.
  equal(sent.browserInfo, undefined);
  equal(sent.shopperIP, undefined);
  assertNoCardData(sent);
  equal(world.harness.emulator.payments()[1].captureMode, "manual");
});

pluginTest("pay() maps a stored declining card to card_declined and insufficient_funds", async (world) => {
  const rows = [
    [CARDS.declined, "card_declined", "Refused"],
    [CARDS.insufficient, "insufficient_funds", "Not enough balance"],
  ] as const;
  for (const [number, code, message] of rows) {
    const token = await storeDirectly(world.harness, number);
    for (const initiator of ["customer", "merchant"] as const) {
      const failed = expectKind(await plugin.pay(storedInput(token, initiator), world.context()), "failed");
      equal(failed.code, code, `${number} ${initiator}`);
      equal(failed.message, message);
      ok(failed.pspReference !== undefined);
    }
  }
});

pluginTest("pay() stores nothing when the storing payment is declined", async (world) => {
  const failed = expectKind(await plugin.pay(storingInput(CARDS.declined), world.context()), "failed");
  equal(failed.code, "card_declined");
  assertEquals(world.harness.emulator.storedPaymentMethods(), []);
});

pluginTest(
  "pay() maps an unknown or foreign token to card_token_not_found, charging nothing",
  async (world) => {
    const mine = await storeDirectly(world.harness, CARDS.approved);
    const otherShopper = await storeDirectly(world.harness, CARDS.approved, {
      shopperReference: "shop-demo.other",
    });
    const otherAccount = await storeDirectly(world.harness, CARDS.approved, {
      merchantAccount: OTHER_MERCHANT_ACCOUNT,
      apiKey: OTHER_API_KEY,
    });
    const rows: [string, string, string, RegExp][] = [
      ["an unknown token", "ABCDEFGHIJKLMNOP", SHOPPER, /errorCode 803: PaymentDetail not found/],
      ["another shopper's token", otherShopper, SHOPPER, /errorCode 803/],
      ["another merchant account's token", otherAccount, SHOPPER, /errorCode 803/],
      ["a shopper with no stored card", mine, "shop-demo.nobody", /errorCode 800: Contract not found/],
    ];
    for (const [label, pspToken, shopperReference, message] of rows) {
      for (const initiator of ["customer", "merchant"] as const) {
        const input = payInput(CARDS.approved, {
          card: undefined,
          storedCard: { pspToken, shopperReference, initiator },
        });
        const failed = expectKind(await plugin.pay(input, world.context()), "failed");
        equal(failed.code, "card_token_not_found", `${label} (${initiator})`);
        match(failed.message, message);
      }
    }
    equal(world.harness.emulator.payments().length, 0);
  },
);

pluginTest(
  "pay() sends nothing for a stored card with card data or a short shopper reference",
  async (world) => {
    const rows: [string, PayInput][] = [
      ["card data beside the token", {
        ...storedInput("ABCDEFGHIJKLMNOP", "customer"),
        card: payInput(CARDS.approved).card,
      }],
      [
        "a short shopper reference",
        payInput(CARDS.approved, {
          card: undefined,
          storedCard: { pspToken: "ABCDEFGHIJKLMNOP", shopperReference: "ab", initiator: "merchant" },
        }),
      ],
      ["a token longer than Adyen's", storedInput("A".repeat(65), "merchant")],
      [
        "storing for a short shopper reference",
        payInput(CARDS.approved, { storeCard: { shopperReference: "x" } }),
      ],
    ];
    for (const [label, input] of rows) {
      const failed = expectKind(await plugin.pay(input, world.context()), "failed");
      equal(failed.code, "invalid_request", label);
    }
    equal(world.sent.length, 0);
  },
);

pluginTest("pay() with a stored card ignores storeCard: the card is on file already", async (world) => {
  const stored = await storeThroughPayment(world, CARDS.approved);
  const input = storedInput(stored.pspToken, "customer", { storeCard: { shopperReference: SHOPPER } });
  const outcome = expectKind(await plugin.pay(input, world.context()), "succeeded");
  equal(outcome.storedCard, undefined);
  equal(sentBody(world, 1).storePaymentMethod, undefined);
});

async function continueWith(
  world: World,
  input: PayInput,
  action: { pspReference?: string; resume: Readonly<Record<string, string>>; redirect: { url: string } },
  ctx: PspCallContext = world.context(),
) {
  const returnParams = await buyerAnswers(action.redirect.url, "approve");
  return await plugin.continueAfterRedirect({
    reference: input.reference,
    amount: input.amount,
    pspReference: action.pspReference,
    resume: action.resume,
    returnParams,
  }, ctx);
}

pluginTest("continueAfterRedirect() reports the card stored after a 3DS challenge", async (world) => {
  const input = storingInput(CARDS.challenge);
  const action = expectKind(await plugin.pay(input, world.context()), "requires_action");
  equal(action.resume[RESUME_STORE_FOR], SHOPPER);
  assertEquals(world.harness.emulator.storedPaymentMethods(), [], "nothing is stored before the challenge");
  const outcome = expectKind(await continueWith(world, input, action), "succeeded");
  const [vaulted] = world.harness.emulator.storedPaymentMethods();
  assertEquals(outcome.storedCard, {
    pspToken: vaulted.id,
    brand: "visa",
    last4: "3220",
    expiryMonth: "03",
    expiryYear: FUTURE_YEAR,
  });
});

pluginTest("a customer's stored-card payment can get a 3DS challenge; a merchant's cannot", async (world) => {
  const token = await storeDirectly(world.harness, CARDS.challenge);
  const customer = storedInput(token, "customer");
  const action = expectKind(await plugin.pay(customer, world.context()), "requires_action");
  equal(action.resume[RESUME_STORE_FOR], undefined, "paying with a token stores nothing");
  const outcome = expectKind(await continueWith(world, customer, action), "succeeded");
  equal(outcome.pspReference, action.pspReference);
  equal(outcome.storedCard, undefined);
  const merchant = expectKind(await plugin.pay(storedInput(token, "merchant"), world.context()), "succeeded");
  ok(merchant.pspReference !== action.pspReference);
});

pluginTest("query() settles a timed-out storing payment and reports its stored card", async (world) => {
  const input = storingInput(CARDS.timeout);
  const ctx = world.context({ deadline: Date.now() + 300 });
  expectKind(await plugin.pay(input, ctx), "unknown");
  const outcome = await plugin.query(
    { operation: "pay", reference: input.reference, amount: input.amount, returnUrl: RETURN_URL },
    { ...ctx, deadline: Date.now() + 5_000 },
  );
  const settled = expectKind(outcome, "succeeded");
  equal(settled.storedCard?.pspToken, world.harness.emulator.storedPaymentMethods()[0].id);
  equal(settled.storedCard?.last4, "6975");
  equal(world.harness.emulator.chargeCount(input.reference), 1);
});

pluginTest("query() of a stored-card payment replays it and can never charge", async (world) => {
  const token = await storeDirectly(world.harness, CARDS.timeout);
  const input = storedInput(token, "merchant");
  const ctx = world.context({ deadline: Date.now() + 300 });
  expectKind(await plugin.pay(input, ctx), "unknown");
  const query = { operation: "pay" as const, reference: input.reference, amount: input.amount };
  const settled = expectKind(
    await plugin.query(query, { ...ctx, deadline: Date.now() + 5_000 }),
    "succeeded",
  );
  equal(settled.pspReference, world.harness.emulator.payments()[0].pspReference);
  equal(world.harness.emulator.chargeCount(input.reference), 1);
  // The query names neither the token nor the shopper: if Adyen had never seen the key, there would be
  // nothing in it to charge.
  const asked = sentBody(world, 1);
  assertEquals(asked.paymentMethod, { type: "scheme" });
  equal(asked.shopperReference, undefined);
  equal(asked.recurringProcessingModel, undefined);
  equal(asked.shopperInteraction, "Ecommerce");
  ok(!JSON.stringify(asked).includes(token));
  const never = expectKind(
    await plugin.query({ operation: "pay", reference: "pay_never_sent", amount: EUR_10 }, world.context()),
    "not_received",
  );
  match(never.detail, /no record of this call/);
  equal(world.harness.emulator.payments().length, 1);
});

pluginTest(
  "parseNotification() reports the stored card of an AUTHORISATION; RECURRING_CONTRACT has no event",
  async (world) => {
    const credentials = world.context().credentials;
    const outcome = expectKind(await plugin.pay(storingInput(CARDS.approved), world.context()), "succeeded");
    const authorisation = await world.harness.waitForWebhook((item) =>
      item.pspReference === outcome.pspReference
    );
    const parsed = await plugin.parseNotification(
      { headers: {}, body: authorisation.body },
      world.context({ credentials }),
    );
    if (parsed.kind !== "events") throw new Error(`rejected: ${parsed.reason}`);
    assertEquals(expectKind(parsed.events[0].outcome, "succeeded").storedCard, outcome.storedCard);
    const contract = await world.harness.waitForWebhook((item) => item.eventCode === "RECURRING_CONTRACT");
    const raw = { headers: {}, body: contract.body };
    const recurring = await plugin.parseNotification(raw, world.context({ credentials }));
    assertEquals(recurring, { kind: "events", events: [], acknowledgement: "[accepted]" });
  },
);
