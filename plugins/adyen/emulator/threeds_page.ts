/**
 * The emulator's 3D Secure challenge page: the kit's hosted page (a plain HTML form that POSTs
 * `action=approve|fail|cancel` to its own URL), so a person with a browser and a script without one drive it
 * the same way.
 * @module
 */
import { hostedPage, messagePage } from "../../kit/emulator/mod.ts";
import { formatAmount } from "../../../src/plugin_api.ts";
import type { PaymentRecord } from "./records.ts";

export const CHALLENGE_ACTIONS = ["approve", "fail", "cancel"] as const;
export type ChallengeAction = typeof CHALLENGE_ACTIONS[number];

export function challengePage(payment: PaymentRecord): Promise<Response> {
  const amount = `${
    formatAmount({ amountMinor: payment.amount.value, currency: payment.amount.currency })
  } ${payment.amount.currency}`;
  const decided = payment.decision === undefined
    ? []
    : [`This challenge was already answered (${payment.decision}); answering again returns you to the shop.`];
  return hostedPage({
    title: "3D Secure challenge",
    paragraphs: [
      `${payment.merchantAccount} asks you to confirm a payment of ${amount} with the card ending in ` +
      `${payment.cardSummary}.`,
      ...decided,
    ],
    details: [["Merchant", payment.merchantAccount], ["Amount", amount], [
      "Reference",
      payment.merchantReference,
    ]],
    actions: [
      { action: "approve", label: "Approve" },
      { action: "fail", label: "Fail authentication" },
      { action: "cancel", label: "Cancel" },
    ],
    onwardUrls: [payment.returnUrl],
  });
}

export function unknownChallengePage(): Promise<Response> {
  return messagePage("Unknown challenge", "This 3D Secure challenge does not exist.", 404);
}

export function badChallengeAnswerPage(): Promise<Response> {
  return messagePage("Bad request", "Send action=approve, action=fail or action=cancel.", 400);
}
