/**
 * The Skeleton Pay plugin's conformance target: what `deno task conformance plugins/skeleton-pay` needs to run
 * the conformance kit (plugins/kit/conformance/) against this plugin and its emulator, offline: the emulator
 * harness, how payments the buyer does not approve end at the PSP, the idempotency header and where answers
 * carry the amount.
 * @module
 */
import type { ConformanceTarget } from "../../plugins/kit/conformance/mod.ts";
import { rewriteAmount, startSkeletonPayHarness } from "./emulator/mod.ts";
import { createSkeletonPayPlugin } from "./mod.ts";

export const CONFORMANCE_TARGET: ConformanceTarget = {
  createPlugin: () => createSkeletonPayPlugin(),
  startEmulator: () => Promise.resolve(startSkeletonPayHarness()),
  // TODO(skeleton-pay): what your PSP makes of a buyer who fails, cancels or never comes back; the buyer is
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
