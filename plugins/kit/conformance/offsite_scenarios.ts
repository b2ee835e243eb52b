/**
 * The offsite scenarios (`redirect: true`): every payment sends the buyer to the PSP's hosted page, and only
 * the PSP's own word decides how it ends: approved, failed, cancelled, abandoned, or told by a notification
 * before the buyer is even back.
 * @module
 */
import type { PspOutcome } from "../../../src/plugin_api.ts";
import {
  check,
  describe,
  eventAbout,
  expectAccepted,
  expectKind,
  fail,
  sameMoney,
  SNAKE_CASE,
} from "./checks.ts";
import { awaitingBuyer, buyerDecides, buyerReturns, chargedOnce, continueWith, payQuery } from "./steps.ts";
import type { Scenario, World } from "./world.ts";

/** A final outcome of a payment as the core reads it: the kind, and what it names. */
function sameResult(a: PspOutcome, b: PspOutcome): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "succeeded" && b.kind === "succeeded") {
    return a.pspReference === b.pspReference &&
      (a.amount === undefined || b.amount === undefined || sameMoney(a.amount, b.amount));
  }
  if (a.kind === "failed" && b.kind === "failed") return a.code === b.code;
  return true;
}

/** The early notification of an approval whose result comes only once the gateway acts (PayPal). */
async function approvalNotice(world: World, reference: string): Promise<void> {
  const hook = world.emulator.approvalNotification;
  if (hook === undefined) {
    world.notes.push(
      "the emulator offers no approvalNotification(): the buyer's approval notice is untested",
    );
    return;
  }
  let raw;
  try {
    raw = await hook.call(world.emulator, reference);
  } catch (error) {
    return fail(
      `the emulator sent no approval notification: ${error instanceof Error ? error.message : error}`,
    );
  }
  const parsed = await world.parseNotification(raw);
  check(parsed.kind === "events", `the approval notification was rejected: ${describe(parsed)}`);
  const event = parsed.events.find((e) => e.operation === "pay" && e.reference === reference);
  check(
    event === undefined || (event.outcome.kind !== "succeeded" && event.outcome.kind !== "failed"),
    `the buyer's approval moved no money yet, but its notification says ${describe(event?.outcome)}`,
  );
}

export const OFFSITE_SCENARIOS: readonly Scenario[] = [
  {
    id: "offsite_pay_redirects",
    title:
      "an offsite payment answers requires_action with a GET redirect to the PSP's page and a PSP reference",
    requires: ["redirect"],
    payments: "offsite",
    async run(world) {
      for (
        const captureMode of world.capabilities.manualCapture
          ? ["sale", "authorize"] as const
          : ["sale"] as const
      ) {
        const { input } = await awaitingBuyer(world, { captureMode });
        chargedOnce(world, input.reference, input.amount);
      }
    },
  },
  {
    id: "offsite_pay_replay_same_redirect",
    title: "pay() again with the same key returns the same redirect URL; the PSP holds one payment",
    requires: ["redirect"],
    payments: "offsite",
    async run(world) {
      const first = await awaitingBuyer(world);
      const again = expectKind(
        (await world.pay(first.input, { key: first.key })).value,
        "requires_action",
        "the replay",
      );
      check(
        again.redirect.url === first.action.redirect.url,
        "a replay of pay() under the same key sent the buyer to another page: the PSP made a second payment",
      );
      check(again.pspReference === first.action.pspReference, "the replay names another PSP reference");
      chargedOnce(world, first.input.reference, first.input.amount);
    },
  },
  {
    id: "offsite_approved_charged_once",
    title:
      "the buyer approves on the page; continueAfterRedirect() succeeds, accepted by the core, charged once",
    requires: ["redirect"],
    payments: "offsite",
    async run(world) {
      const { input, outcome } = await buyerReturns(world, "approve");
      expectAccepted(outcome, input.amount, "continueAfterRedirect() after the buyer approved");
      chargedOnce(world, input.reference, input.amount);
    },
  },
  {
    id: "offsite_failed_with_stable_code",
    title: "the buyer fails on the page; continueAfterRedirect() fails with the target's snake_case code",
    requires: ["redirect"],
    payments: "offsite",
    async run(world) {
      const { outcome } = await buyerReturns(world, "fail");
      const failed = expectKind(outcome, "failed", "continueAfterRedirect() after the buyer failed");
      check(SNAKE_CASE.test(failed.code), `code ${describe(failed.code)} is not snake_case`);
      check(
        failed.code === world.offsite.fail.code,
        `code is ${describe(failed.code)}, the target says ${describe(world.offsite.fail.code)}`,
      );
      check(typeof failed.message === "string" && failed.message !== "", "a failure needs a message");
    },
  },
  {
    id: "offsite_cancelled",
    title:
      "the buyer cancels on the page: failed with the target's code, or return_refused where it proves nothing",
    requires: ["redirect"],
    payments: "offsite",
    async run(world) {
      const { outcome } = await buyerReturns(world, "cancel");
      const expected = world.offsite.cancel;
      if (expected.kind === "return_refused") {
        expectKind(outcome, "return_refused", "continueAfterRedirect() after the buyer cancelled");
        return;
      }
      const failed = expectKind(outcome, "failed", "continueAfterRedirect() after the buyer cancelled");
      check(
        failed.code === expected.code,
        `code is ${describe(failed.code)}, the target says ${expected.code}`,
      );
    },
  },
  {
    id: "offsite_abandoned",
    title:
      "a buyer who never comes back: a query says the payment still waits, or, where the PSP expires it, failed",
    requires: ["redirect", "query"],
    payments: "offsite",
    async run(world) {
      const { input, action, key } = await awaitingBuyer(world);
      const waiting = (await world.query(payQuery(input, action.pspReference), { key })).value;
      check(
        waiting.kind === "requires_action" || waiting.kind === "pending" || waiting.kind === "unknown",
        `query() about a payment the buyer has not finished claims ${describe(waiting)}`,
      );
      const abandon = world.offsite.abandon;
      if (abandon.kind === "waits") return;
      await world.emulator.expire?.(input.reference);
      const expired = expectKind(
        (await world.query(payQuery(input, action.pspReference), { key })).value,
        "failed",
        "query() about a payment the PSP expired",
      );
      check(
        expired.code === abandon.code,
        `code is ${describe(expired.code)}, the target says ${abandon.code}`,
      );
    },
  },
  {
    id: "offsite_notification_before_return",
    title: "a notification arriving before the buyer is back parses to the result the return then gives",
    requires: ["redirect", "notifications"],
    payments: "offsite",
    async run(world) {
      const waiting = await awaitingBuyer(world);
      const returnParams = await buyerDecides(world, waiting, "approve");
      const subject = { operation: "pay", reference: waiting.input.reference } as const;
      let early: PspOutcome | undefined;
      if (world.offsite.resultBeforeReturn === false) {
        await approvalNotice(world, waiting.input.reference);
      } else {
        const raw = await world.notification(subject);
        early = eventAbout(await world.parseNotification(raw), subject, "the notification before the return")
          .outcome;
        expectAccepted(early, waiting.input.amount, "the notification before the return");
      }
      const { value } = await continueWith(world, waiting, returnParams);
      expectAccepted(value, waiting.input.amount, "continueAfterRedirect() after the notification");
      check(
        early === undefined || sameResult(early, value),
        `the notification said ${describe(early)}, the return ${describe(value)}`,
      );
      chargedOnce(world, waiting.input.reference, waiting.input.amount);
    },
  },
];
