/**
 * The fault scenarios: what the network and the PSP do wrong, and what the plugin must make of it. The rule
 * behind all of them: when the plugin cannot know what happened it says `unknown`, never `failed` on a guess,
 * and never a success for anything but what was asked.
 * @module
 */
import type { PspOutcome } from "../../../src/plugin_api.ts";
import { check, describe, expectAccepted, expectKind, sameMoney } from "./checks.ts";
import type { Fault } from "./faults.ts";
import {
  approvedPayment,
  buyerDecides,
  confirmByNotification,
  continueWith,
  isOffsite,
  modificationOf,
  payQuery,
  type Waiting,
} from "./steps.ts";
import type { CallOptions, Scenario, World } from "./world.ts";

/** A sale under a fault (the approving card, or an offsite payment); checks that the plugin tried to send it. */
export async function faultedSale(world: World, fault: Fault) {
  const input = world.payInput({ card: isOffsite(world) ? undefined : world.cards.approved });
  const before = world.http.exchanges.length;
  const called = await world.pay(input, { fault });
  check(world.http.exchanges.length > before, "pay() sent no request, so the fault could not be tested");
  return { input, outcome: called.value, key: called.key };
}

/**
 * An offsite payment whose pay answer was lost: a query with its key finds it waiting for the buyer (the same
 * page); the buyer approves there and the payment succeeds.
 */
async function approveFoundPayment(world: World, input: Waiting["input"], key: string): Promise<void> {
  const found = expectKind(
    (await world.query(payQuery(input), { key })).value,
    "requires_action",
    "query() with the lost call's key, about a payment waiting for the buyer",
  );
  const waiting: Waiting = { input, action: found, key };
  const returnParams = await buyerDecides(world, waiting, "approve");
  const { value } = await continueWith(world, waiting, returnParams);
  expectAccepted(value, input.amount, "continueAfterRedirect() after the query found the page");
}

/** A refund of a fresh sale under a fault. */
async function faultedRefund(world: World, fault: Fault): Promise<PspOutcome> {
  const sale = await approvedPayment(world, "sale");
  const options: CallOptions = { fault };
  return (await world.modify("refund", modificationOf(world, sale, sale.input.amount), options)).value;
}

/** Whether the target's hook found an amount to rewrite in any answer to the call made with `key`. */
export function rewritten(world: World, key: string): boolean {
  return world.http.exchanges.some((e) => e.expectedKey === key && e.rewritten === true);
}

export function mustBeUnknown(outcome: PspOutcome, what: string): void {
  check(
    outcome.kind === "unknown",
    `${what}: the outcome is not known, so it must be unknown (never a guess), got ${describe(outcome)}`,
  );
}

function bookedCount(world: World, reference: string): number {
  return world.emulator.charges(reference).count;
}

/**
 * A refund lost before the PSP saw it, then asked about with its key. Unknown is right. A query that performs
 * the refund then (the same key makes that happen at most once) may say pending, which the refund's
 * notification must then bear out; it is noted, because a query is meant to have no effect.
 */
async function refundQueryClaimsNothing(world: World): Promise<void> {
  const sale = await approvedPayment(world, "sale");
  const refund = modificationOf(world, sale, sale.input.amount);
  const lost = await world.modify("refund", refund, { fault: { kind: "drop_before_send" } });
  mustBeUnknown(lost.value, "refund() under drop_before_send");
  const query = {
    operation: "refund" as const,
    reference: refund.reference,
    paymentPspReference: sale.pspReference,
    amount: sale.input.amount,
  };
  const asked = (await world.query(query, { key: lost.key })).value;
  check(
    asked.kind === "unknown" || asked.kind === "pending" || asked.kind === "not_received",
    `query() about a refund the PSP never received claims ${describe(asked)}`,
  );
  if (asked.kind === "pending") {
    world.notes.push(
      "query() about a refund the PSP never received performed it (pending): a query with an effect",
    );
    await confirmByNotification(
      world,
      { operation: "refund", reference: refund.reference },
      sale.input.amount,
    );
  }
}

const STATUS_ANSWERS: readonly { readonly status: number; readonly body: string }[] = [
  { status: 500, body: '{"status":500,"message":"Internal error"}' },
  { status: 502, body: "<html><body><h1>502 Bad Gateway</h1></body></html>" },
  { status: 503, body: "" },
  { status: 504, body: "upstream request timeout" },
];

const MALFORMED_BODIES: readonly { readonly label: string; readonly body: (real: string) => string }[] = [
  { label: "an empty body", body: () => "" },
  { label: "an HTML page", body: () => "<html><body>Service temporarily unavailable</body></html>" },
  { label: "the answer truncated in the middle", body: (real) => real.slice(0, Math.floor(real.length / 2)) },
  { label: "the answer with trailing garbage", body: (real) => `${real}}garbage` },
  { label: "JSON null", body: () => "null" },
  { label: "a JSON array", body: () => "[]" },
  { label: "an empty JSON object", body: () => "{}" },
];

export const FAULT_SCENARIOS: readonly Scenario[] = [
  {
    id: "timeout_before_sending_is_unknown",
    title: "a request that never reached the PSP (timeout or refused connection) is unknown, nothing booked",
    requires: [],
    async run(world) {
      for (const fault of [{ kind: "drop_before_send" }, { kind: "refuse_connection" }] as const) {
        const { input, outcome } = await faultedSale(world, fault);
        mustBeUnknown(outcome, `pay() under ${fault.kind}`);
        check(
          bookedCount(world, input.reference) === 0,
          `the kit sent nothing under ${fault.kind}, yet the emulator booked a payment: the plugin bypasses ctx.http`,
        );
      }
      mustBeUnknown(
        await faultedRefund(world, { kind: "drop_before_send" }),
        "refund() under drop_before_send",
      );
    },
  },
  {
    id: "timeout_before_sending_query_claims_nothing",
    title:
      "a query with the key of a request the PSP never got claims neither success nor failure, books nothing",
    requires: ["query"],
    async run(world) {
      const { input, outcome, key } = await faultedSale(world, { kind: "drop_before_send" });
      mustBeUnknown(outcome, "pay() under drop_before_send");
      const asked = (await world.query(payQuery(input), { key })).value;
      // An offsite payment moves no money until the buyer approves: a query that replays its creation under
      // the key (PayPal has no lookup by merchant reference) may create it, waiting for a buyer who never comes.
      const created = isOffsite(world) && asked.kind === "requires_action";
      check(
        asked.kind === "unknown" || asked.kind === "not_received" || created,
        `query() about a payment the PSP never received claims ${
          describe(asked)
        }: only unknown or not_received is true`,
      );
      const booked = bookedCount(world, input.reference);
      if (created) {
        world.notes.push("query() about a payment the PSP never received created it (requires_action)");
        check(
          booked === 1,
          `the query made the emulator hold ${booked} payments, expected the one it created`,
        );
      } else {
        check(booked === 0, `the query made the emulator book ${booked} payments for a payment never sent`);
      }
      await refundQueryClaimsNothing(world);
    },
  },
  {
    id: "timeout_after_psp_acted_is_unknown",
    title: "a request the PSP acted on whose answer was lost is unknown",
    requires: [],
    async run(world) {
      const { input, outcome } = await faultedSale(world, { kind: "drop_answer" });
      mustBeUnknown(outcome, "pay() whose answer was lost");
      check(bookedCount(world, input.reference) === 1, "the emulator did not book the payment the kit sent");
      mustBeUnknown(await faultedRefund(world, { kind: "drop_answer" }), "refund() whose answer was lost");
    },
  },
  {
    id: "timeout_after_psp_acted_query_finds_single_charge",
    title:
      "after a lost answer, a query with the same key finds the payment (offsite: still waiting for the buyer); charged once",
    requires: ["query"],
    async run(world) {
      const { input, outcome, key } = await faultedSale(world, { kind: "drop_answer" });
      mustBeUnknown(outcome, "pay() whose answer was lost");
      if (isOffsite(world)) {
        await approveFoundPayment(world, input, key);
      } else {
        const first = expectAccepted(
          (await world.query(payQuery(input), { key })).value,
          input.amount,
          "query() with the lost call's key",
        );
        const again = expectKind(
          (await world.query(payQuery(input), { key })).value,
          "succeeded",
          "a second query",
        );
        check(
          again.pspReference === first.pspReference,
          "two queries about one payment name different references",
        );
      }
      const charges = world.emulator.charges(input.reference);
      check(charges.count === 1, `the card was charged ${charges.count} times, expected exactly once`);
      check(
        sameMoney(charges.amounts[0], input.amount),
        `the emulator booked ${describe(charges.amounts[0])}, the core asked for ${describe(input.amount)}`,
      );
    },
  },
  {
    id: "http_5xx_is_unknown",
    title: "HTTP 500, 502, 503 and 504 answers are unknown, never failed",
    requires: [],
    async run(world) {
      for (const answer of STATUS_ANSWERS) {
        const { outcome } = await faultedSale(world, { kind: "answer_status", ...answer });
        mustBeUnknown(outcome, `pay() answered HTTP ${answer.status}`);
      }
      const refund = await faultedRefund(world, { kind: "answer_status", ...STATUS_ANSWERS[0] });
      mustBeUnknown(refund, "refund() answered HTTP 500");
    },
  },
  {
    id: "malformed_answer_is_unknown",
    title: "an empty, HTML, truncated, trailing-garbage, null, array or empty-object answer is unknown",
    requires: [],
    async run(world) {
      for (const malformed of MALFORMED_BODIES) {
        const { outcome } = await faultedSale(world, { kind: "answer_body", body: malformed.body });
        mustBeUnknown(outcome, `pay() answered with ${malformed.label}`);
      }
      const refund = await faultedRefund(world, { kind: "answer_body", body: MALFORMED_BODIES[2].body });
      mustBeUnknown(refund, "refund() answered with a truncated body");
    },
  },
];
