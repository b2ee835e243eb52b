/**
 * The PSP may only confirm what was asked: an answer for another amount or currency, to a payment, a buyer's
 * return or a capture, is `unknown` or reported as the PSP said it, so the core refuses the success.
 * @module
 */
import type { Money, PspOutcome } from "../../../src/plugin_api.ts";
import { check, coreView, describe } from "./checks.ts";
import { faultedSale, mustBeUnknown, rewritten } from "./fault_scenarios.ts";
import type { Fault } from "./faults.ts";
import {
  approvedPayment,
  awaitingBuyer,
  buyerDecides,
  continueWith,
  isOffsite,
  modificationOf,
} from "./steps.ts";
import type { Scenario, World } from "./world.ts";

/** An amount or currency other than the asked one. */
function otherMoney(asked: Money): readonly { readonly label: string; readonly amount: Money }[] {
  return [
    { label: "another amount", amount: { ...asked, amountMinor: asked.amountMinor + 1 } },
    { label: "another currency", amount: { ...asked, currency: asked.currency === "USD" ? "EUR" : "USD" } },
  ];
}

/** After the PSP confirmed `told` for an ask of `asked`, the core must not see a success. */
function refusesMismatch(outcome: PspOutcome, asked: Money, told: Money, what: string): void {
  if (outcome.kind === "succeeded") {
    check(
      outcome.amount !== undefined && outcome.amount.amountMinor === told.amountMinor &&
        outcome.amount.currency === told.currency,
      `${what}: the PSP confirmed ${describe(told)} but the plugin reports success for ` +
        `${describe(outcome.amount ?? "no amount")}, so the core would accept it`,
    );
  } else {
    check(
      outcome.kind === "unknown",
      `${what}: expected unknown or the PSP's amount, got ${describe(outcome)}`,
    );
  }
  check(coreView(outcome, asked).kind !== "succeeded", `${what}: the core would accept ${describe(outcome)}`);
}

export const AMOUNT_SCENARIOS: readonly Scenario[] = [
  {
    id: "amount_mismatch_is_refused",
    title:
      "a PSP answer confirming another amount or currency is unknown or reported as is, so the core refuses it",
    requires: [],
    async run(world) {
      const rewrite = world.target.rewriteAnswerAmount.bind(world.target);
      const asked = world.money(1000);
      for (const other of otherMoney(asked)) {
        const fault: Fault = { kind: "answer_amount", amount: other.amount, rewrite };
        const { outcome, key } = await faultedSale(world, fault);
        if (!rewritten(world, key)) {
          world.notes.push(`the payment answer carries no amount to rewrite (${other.label})`);
          continue;
        }
        if (isOffsite(world)) {
          // requires_action carries no amount: sending the buyer to pay another amount is never right.
          mustBeUnknown(outcome, `pay() answered with ${other.label}`);
        } else {
          refusesMismatch(outcome, asked, other.amount, `pay() answered with ${other.label}`);
        }
      }
      if (world.capabilities.redirect || world.capabilities.threeDSecure) {
        await continueMismatch(world, rewrite);
      }
      if (world.capabilities.manualCapture) await captureMismatch(world, rewrite);
    },
  },
];

type Rewrite = (body: string, amount: Money) => string | undefined;

/** The PSP's answer to the buyer's return confirms another amount. */
async function continueMismatch(world: World, rewrite: Rewrite): Promise<void> {
  const waiting = await awaitingBuyer(world);
  const returnParams = await buyerDecides(world, waiting, "approve");
  const told = otherMoney(waiting.input.amount)[0].amount;
  const fault: Fault = { kind: "answer_amount", amount: told, rewrite };
  const { value, key } = await continueWith(world, waiting, returnParams, { fault });
  if (!rewritten(world, key)) {
    world.notes.push("the answer to the buyer's return carries no amount to rewrite");
    return;
  }
  refusesMismatch(value, waiting.input.amount, told, "continueAfterRedirect() answered with another amount");
}

async function captureMismatch(world: World, rewrite: Rewrite): Promise<void> {
  const { input, pspReference } = await approvedPayment(world, "authorize");
  const told = otherMoney(input.amount)[0].amount;
  const fault: Fault = { kind: "answer_amount", amount: told, rewrite };
  const capture = modificationOf(world, { pspReference, amount: input.amount }, input.amount);
  const { value, key } = await world.modify("capture", capture, { fault });
  if (!rewritten(world, key)) {
    world.notes.push("the capture answer carries no amount to rewrite");
    return;
  }
  refusesMismatch(value, input.amount, told, "capture() answered with another amount");
}
