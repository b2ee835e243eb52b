import { deepStrictEqual as assertEquals, ok as assert, strictEqual as equal } from "node:assert/strict";
import fc from "fast-check";
import {
  OPERATION_EVENTS,
  type OperationEvent,
  type OperationStatus,
  transitionOperation,
} from "./operation_machine.ts";
import {
  PAYMENT_EVENTS,
  PAYMENT_STATES,
  PAYMENT_TRANSITIONS,
  type PaymentEvent,
  type PaymentState,
  TERMINAL_PAYMENT_STATES,
  transitionPayment,
  UNSETTLED_PAYMENT_STATES,
} from "./payment_machine.ts";

const SEED = 20_250_102;

/** The documented lifecycle, restated edge by edge; the table under test must match it exactly. */
const EDGES: readonly (readonly [PaymentState, PaymentEvent, PaymentState])[] = [
  ["processing", "psp_requires_action", "requires_action"],
  ["processing", "psp_authorized", "authorized"],
  ["processing", "psp_paid", "succeeded"],
  ["processing", "psp_declined", "failed"],
  ["processing", "psp_outcome_unknown", "unknown"],
  ["processing", "psp_pending", "processing"],
  ["processing", "rejected", "failed"],
  ["requires_action", "psp_requires_action", "requires_action"],
  ["requires_action", "psp_authorized", "authorized"],
  ["requires_action", "psp_paid", "succeeded"],
  ["requires_action", "psp_declined", "failed"],
  ["requires_action", "psp_outcome_unknown", "unknown"],
  ["requires_action", "psp_pending", "processing"],
  ["requires_action", "rejected", "failed"],
  ["unknown", "psp_outcome_unknown", "unknown"],
  ["unknown", "psp_requires_action", "requires_action"],
  ["unknown", "psp_authorized", "authorized"],
  ["unknown", "psp_paid", "succeeded"],
  ["unknown", "psp_declined", "failed"],
  ["unknown", "psp_pending", "processing"],
  ["authorized", "capture_succeeded_partially", "partially_captured"],
  ["authorized", "capture_succeeded_fully", "captured"],
  ["authorized", "void_succeeded", "voided"],
  ["partially_captured", "capture_succeeded_partially", "partially_captured"],
  ["partially_captured", "capture_succeeded_fully", "captured"],
];

function edgeOf(from: PaymentState, event: PaymentEvent): PaymentState | undefined {
  return EDGES.find(([f, e]) => f === from && e === event)?.[2];
}

Deno.test("transitionPayment() follows every documented edge", async (t) => {
  for (const [from, event, to] of EDGES) {
    await t.step(`${from} + ${event} -> ${to}`, () => {
      assertEquals(transitionPayment(from, event), { ok: true, value: to });
    });
  }
});

Deno.test("transitionPayment() rejects every state and event pair that is not a documented edge", async (t) => {
  for (const from of PAYMENT_STATES) {
    for (const event of PAYMENT_EVENTS) {
      if (edgeOf(from, event) !== undefined) continue;
      await t.step(`${from} + ${event} is illegal`, () => {
        assertEquals(transitionPayment(from, event), {
          ok: false,
          error: { kind: "invalid_transition", from, event },
        });
      });
    }
  }
});

Deno.test("PAYMENT_TRANSITIONS holds exactly the documented edges and only known states and events", () => {
  const actual = PAYMENT_STATES.flatMap((from) =>
    Object.entries(PAYMENT_TRANSITIONS[from]).map(([event, to]) => `${from} + ${event} -> ${to}`)
  ).sort();
  assertEquals(actual, EDGES.map(([from, event, to]) => `${from} + ${event} -> ${to}`).sort());
  assertEquals(Object.keys(PAYMENT_TRANSITIONS).sort(), [...PAYMENT_STATES].sort());
  for (const [from, event, to] of EDGES) {
    assert(PAYMENT_STATES.includes(from) && PAYMENT_STATES.includes(to) && PAYMENT_EVENTS.includes(event));
  }
});

Deno.test("TERMINAL_PAYMENT_STATES are the states without outgoing edges: succeeded, captured, voided, failed", () => {
  const derived = PAYMENT_STATES.filter((state) => EDGES.every(([from]) => from !== state));
  assertEquals([...derived].sort(), ["captured", "failed", "succeeded", "voided"]);
  assertEquals([...TERMINAL_PAYMENT_STATES].sort(), [...derived].sort());
});

Deno.test("UNSETTLED_PAYMENT_STATES are exactly the states that accept the payment's own PSP outcome", () => {
  const accepting = PAYMENT_STATES.filter((state) => edgeOf(state, "psp_paid") !== undefined);
  assertEquals([...UNSETTLED_PAYMENT_STATES].sort(), [...accepting].sort());
  assertEquals([...UNSETTLED_PAYMENT_STATES].sort(), ["processing", "requires_action", "unknown"]);
});

Deno.test("transitionPayment() reaches every state from processing", () => {
  const seen = new Set<PaymentState>(["processing"]);
  const queue: PaymentState[] = ["processing"];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const event of PAYMENT_EVENTS) {
      const next = transitionPayment(from, event);
      if (next.ok && !seen.has(next.value)) {
        seen.add(next.value);
        queue.push(next.value);
      }
    }
  }
  assertEquals([...seen].sort(), [...PAYMENT_STATES].sort());
});

Deno.test("transitionPayment() never changes a final state, whatever events follow", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...PAYMENT_STATES),
      fc.array(fc.constantFrom(...PAYMENT_EVENTS), { maxLength: 30 }),
      (start, events) => {
        let state = start;
        let finalState: PaymentState | undefined = TERMINAL_PAYMENT_STATES.includes(state)
          ? state
          : undefined;
        for (const event of events) {
          const next = transitionPayment(state, event);
          if (finalState !== undefined) {
            equal(next.ok, false, `${state} + ${event} must be illegal`);
            continue;
          }
          if (next.ok) state = next.value;
          if (TERMINAL_PAYMENT_STATES.includes(state)) finalState = state;
        }
        if (finalState !== undefined) equal(state, finalState);
      },
    ),
    { numRuns: 1_000, seed: SEED },
  );
});

/** How the payment's own outcome maps between the payment machine and the machine of its payment operation. */
const OUTCOME_EVENTS: readonly (readonly [OperationEvent, readonly PaymentEvent[]])[] = [
  ["psp_succeeded", ["psp_paid", "psp_authorized"]],
  ["psp_failed", ["psp_declined"]],
  ["psp_requires_action", ["psp_requires_action"]],
  ["psp_pending", ["psp_pending"]],
  ["psp_unknown", ["psp_outcome_unknown"]],
  ["rejected", ["rejected"]],
];

const STATUS_OF_PAYMENT: Readonly<Partial<Record<PaymentState, OperationStatus>>> = {
  processing: "processing",
  requires_action: "requires_action",
  unknown: "unknown",
  authorized: "succeeded",
  succeeded: "succeeded",
  failed: "failed",
};

// settle() moves a payment operation and its payment together; when one machine accepts an outcome the
// other refuses, the outcome is dropped and the operation is never rescheduled.
Deno.test("transitionPayment() accepts the payment's own outcome exactly when transitionOperation() does", async (t) => {
  assertEquals(OPERATION_EVENTS.length, OUTCOME_EVENTS.length);
  for (const state of UNSETTLED_PAYMENT_STATES) {
    const status = STATUS_OF_PAYMENT[state]!;
    for (const [operationEvent, paymentEvents] of OUTCOME_EVENTS) {
      for (const paymentEvent of paymentEvents) {
        await t.step(`${state} + ${paymentEvent} matches ${status} + ${operationEvent}`, () => {
          const operation = transitionOperation(status, operationEvent);
          const payment = transitionPayment(state, paymentEvent);
          equal(payment.ok, operation.ok, `operation ${operation.ok ? "accepts" : "refuses"} it`);
          if (payment.ok && operation.ok) equal(STATUS_OF_PAYMENT[payment.value], operation.value);
        });
      }
    }
  }
});
