/**
 * The Np Gbd5rszjn5 plugin's conformance target: what `deno task conformance plugins/np-gbd5rszjn5` needs to run
 * the conformance kit (plugins/kit/conformance/) against this plugin and its emulator, offline: the emulator
 * harness, how payments the buyer does not approve end at the PSP, the idempotency header and where answers
 * carry the amount.
 * @module
 */
import type { ConformanceTarget } from "../kit/conformance/mod.ts";
import { rewriteAmount, startNpGbd5rszjn5Harness } from "./emulator/mod.ts";
import { createNpGbd5rszjn5Plugin } from "./mod.ts";

export const CONFORMANCE_TARGET: ConformanceTarget = {
  createPlugin: () => createNpGbd5rszjn5Plugin(),
  startEmulator: () => Promise.resolve(startNpGbd5rszjn5Harness()),
  // TODO(np-gbd5rszjn5): what your PSP makes of a buyer who fails, cancels or never comes back; the buyer is
  // played on the hosted page by the kit's default (a form POSTing `action`, 303 back to the return URL).
  offsite: {
    fail: { code: "payment_declined" },
    cancel: { kind: "failed", code: "payment_cancelled" },
    abandon: { kind: "expires", code: "payment_expired" },
  },
  idempotencyHeader: "Idempotency-Key",
  rewriteAnswerAmount: rewriteAmount,
  // A zero-decimal and a three-decimal currency catch amounts sent in the wrong unit.
  currencies: ["EUR", "JPY", "KWD"],
};
