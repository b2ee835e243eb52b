/**
 * The Skeleton Pay plugin's conformance target: what `deno task conformance plugins/skeleton-pay` needs to run
 * the conformance kit (plugins/kit/conformance/) against this plugin and its emulator, offline: the emulator
 * harness, the test cards, the idempotency header and where answers carry the amount.
 * @module
 */
import type { CardDetails } from "../../src/plugin_api.ts";
import type { ConformanceTarget } from "../../plugins/kit/conformance/mod.ts";
import { rewriteAmount, startSkeletonPayHarness } from "./emulator/mod.ts";
import { createSkeletonPayPlugin } from "./mod.ts";

const FUTURE_YEAR = String(new Date().getUTCFullYear() + 3);

function card(number: string): CardDetails {
  return { number, expiryMonth: "03", expiryYear: FUTURE_YEAR, cvv: "123", holderName: "Ada Lovelace" };
}

export const CONFORMANCE_TARGET: ConformanceTarget = {
  createPlugin: () => createSkeletonPayPlugin(),
  startEmulator: () => Promise.resolve(startSkeletonPayHarness()),
  // TODO(skeleton-pay): your emulator's approving and declining cards (and the core code of the decline), the
  // header that carries the idempotency key to your PSP, and where your PSP's answers carry the amount.
  cards: {
    approved: card("4242424242424242"),
    declined: { card: card("4000000000000002"), code: "card_declined" },
  },
  idempotencyHeader: "Idempotency-Key",
  rewriteAnswerAmount: rewriteAmount,
  // A zero-decimal and a three-decimal currency catch amounts sent in the wrong unit.
  currencies: ["EUR", "JPY", "KWD"],
};
