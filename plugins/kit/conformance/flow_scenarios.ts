/**
 * The basic flows of the catalogue: sale, decline, capture, refund, void, 3-D Secure and card-on-file. Card
 * scenarios pay with the target's cards; the others pay as the plugin pays (card, or the buyer approving
 * offsite).
 * @module
 */
import { check, describe, expectAccepted, expectKind, SNAKE_CASE } from "./checks.ts";
import { approvedPayment, buyerReturns, chargedOnce, modification } from "./steps.ts";
import type { Scenario } from "./world.ts";

export const FLOW_SCENARIOS: readonly Scenario[] = [
  {
    id: "sale_approved",
    title: "a sale with the approving card succeeds with a PSP reference, booked once for the asked amount",
    requires: [],
    payments: "card",
    async run(world) {
      const { input } = await approvedPayment(world, "sale");
      chargedOnce(world, input.reference, input.amount);
    },
  },
  {
    id: "sale_declined_with_stable_code",
    title: "a sale with the declining card fails with the card's stable snake_case code",
    requires: [],
    payments: "card",
    async run(world) {
      const { card, code } = world.cards.declined;
      const outcome = (await world.pay(world.payInput({ card }))).value;
      const failed = expectKind(outcome, "failed", "pay() with the declining card");
      check(SNAKE_CASE.test(failed.code), `code ${describe(failed.code)} is not snake_case`);
      check(failed.code === code, `code is ${describe(failed.code)}, the card's code is ${describe(code)}`);
      check(typeof failed.message === "string" && failed.message !== "", "a failure needs a message");
    },
  },
  {
    id: "authorize_then_capture",
    title: "an authorization succeeds, a capture of the whole amount is taken, then the payment is refunded",
    requires: ["manualCapture"],
    async run(world) {
      const { input, pspReference } = await approvedPayment(world, "authorize");
      const payment = { pspReference, amount: input.amount };
      await modification(world, "capture", payment, input.amount);
      await modification(world, "refund", payment, input.amount);
    },
  },
  {
    id: "multiple_partial_captures",
    title: "two partial captures of one authorization are both taken, then part of the payment is refunded",
    requires: ["manualCapture", "multiplePartialCaptures"],
    async run(world) {
      const { input, pspReference } = await approvedPayment(world, "authorize");
      const payment = { pspReference, amount: input.amount };
      await modification(world, "capture", payment, world.money(400));
      await modification(world, "capture", payment, world.money(600));
      await modification(
        world,
        "refund",
        payment,
        world.money(world.capabilities.partialRefunds ? 300 : 1000),
      );
    },
  },
  {
    id: "refund_full",
    title: "a sale is refunded in full",
    requires: [],
    async run(world) {
      const { input, pspReference } = await approvedPayment(world, "sale");
      await modification(world, "refund", { pspReference, amount: input.amount }, input.amount);
    },
  },
  {
    id: "partial_refunds",
    title: "two partial refunds of one sale are both taken",
    requires: ["partialRefunds"],
    async run(world) {
      const { input, pspReference } = await approvedPayment(world, "sale");
      const payment = { pspReference, amount: input.amount };
      await modification(world, "refund", payment, world.money(300));
      await modification(world, "refund", payment, world.money(200));
    },
  },
  {
    id: "void_authorization",
    title: "an authorization is voided before any capture",
    requires: ["manualCapture", "void"],
    async run(world) {
      const { input, pspReference } = await approvedPayment(world, "authorize");
      await modification(world, "void", { pspReference, amount: input.amount }, undefined);
    },
  },
  {
    id: "threeds_challenge_approved",
    title: "the 3DS card asks for a challenge; approved on the page, continueAfterRedirect() succeeds",
    requires: ["threeDSecure"],
    payments: "card",
    async run(world) {
      const { input, outcome } = await buyerReturns(world, "approve");
      expectAccepted(outcome, input.amount, "continueAfterRedirect() after the buyer approved");
      chargedOnce(world, input.reference, input.amount);
    },
  },
  {
    id: "threeds_challenge_failed",
    title: "a failed challenge makes continueAfterRedirect() fail with a snake_case code",
    requires: ["threeDSecure"],
    payments: "card",
    async run(world) {
      const { outcome } = await buyerReturns(world, "fail");
      const failed = expectKind(outcome, "failed", "continueAfterRedirect() after the buyer failed");
      check(SNAKE_CASE.test(failed.code), `code ${describe(failed.code)} is not snake_case`);
    },
  },
  {
    id: "card_on_file_store_then_charge",
    title: "a payment stores the card; the stored card is then charged by the buyer and by the merchant",
    requires: ["cardOnFile"],
    payments: "card",
    async run(world) {
      const shopperReference = `shopper-${world.reference().slice(-12)}`;
      const first = world.payInput({ card: world.cards.approved, storeCard: { shopperReference } });
      const stored = expectAccepted((await world.pay(first)).value, first.amount, "pay() storing the card");
      const pspToken = stored.storedCard?.pspToken;
      check(
        typeof pspToken === "string" && pspToken !== "",
        "the payment that stored the card has no pspToken",
      );
      for (const initiator of ["customer", "merchant"] as const) {
        const later = world.payInput({ storedCard: { pspToken, shopperReference, initiator } });
        expectAccepted(
          (await world.pay(later)).value,
          later.amount,
          `pay() with the stored card (${initiator})`,
        );
        chargedOnce(world, later.reference, later.amount);
      }
    },
  },
];
