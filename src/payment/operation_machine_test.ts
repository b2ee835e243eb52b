import { deepStrictEqual as assertEquals, strictEqual as equal } from "node:assert/strict";
import fc from "fast-check";
import {
  FINAL_OPERATION_STATUSES,
  isFinalStatus,
  OPERATION_EVENTS,
  OPERATION_STATUSES,
  OPERATION_TRANSITIONS,
  type OperationEvent,
  type OperationStatus,
  transitionOperation,
} from "./operation_machine.ts";

const SEED = 20_250_103;

/** The documented lifecycle of an operation, edge by edge. */
const EDGES: readonly (readonly [OperationStatus, OperationEvent, OperationStatus])[] = [
  ["processing", "psp_succeeded", "succeeded"],
  ["processing", "psp_failed", "failed"],
  ["processing", "psp_requires_action", "requires_action"],
  ["processing", "psp_pending", "processing"],
  ["processing", "psp_unknown", "unknown"],
  ["processing", "rejected", "failed"],
  ["requires_action", "psp_requires_action", "requires_action"],
  ["requires_action", "psp_succeeded", "succeeded"],
  ["requires_action", "psp_failed", "failed"],
  ["requires_action", "psp_pending", "processing"],
  ["requires_action", "psp_unknown", "unknown"],
  ["requires_action", "rejected", "failed"],
  ["unknown", "psp_succeeded", "succeeded"],
  ["unknown", "psp_failed", "failed"],
  ["unknown", "psp_requires_action", "requires_action"],
  ["unknown", "psp_pending", "processing"],
  ["unknown", "psp_unknown", "unknown"],
];

function edgeOf(from: OperationStatus, event: OperationEvent): OperationStatus | undefined {
  return EDGES.find(([f, e]) => f === from && e === event)?.[2];
}

Deno.test("transitionOperation() follows every documented edge", async (t) => {
  for (const [from, event, to] of EDGES) {
    await t.step(`${from} + ${event} -> ${to}`, () => {
      assertEquals(transitionOperation(from, event), { ok: true, value: to });
    });
  }
});

Deno.test("transitionOperation() rejects every status and event pair that is not a documented edge", async (t) => {
  for (const from of OPERATION_STATUSES) {
    for (const event of OPERATION_EVENTS) {
      if (edgeOf(from, event) !== undefined) continue;
      await t.step(`${from} + ${event} is illegal`, () => {
        assertEquals(transitionOperation(from, event), {
          ok: false,
          error: { kind: "invalid_transition", from, event },
        });
      });
    }
  }
});

Deno.test("transitionOperation() rejects a blind rejection of an unknown operation", () => {
  // Only an answer from the PSP may settle an operation whose call was sent.
  equal(transitionOperation("unknown", "rejected").ok, false);
});

Deno.test("OPERATION_TRANSITIONS holds exactly the documented edges", () => {
  const actual = OPERATION_STATUSES.flatMap((from) =>
    Object.entries(OPERATION_TRANSITIONS[from]).map(([event, to]) => `${from} + ${event} -> ${to}`)
  ).sort();
  assertEquals(actual, EDGES.map(([from, event, to]) => `${from} + ${event} -> ${to}`).sort());
  assertEquals(Object.keys(OPERATION_TRANSITIONS).sort(), [...OPERATION_STATUSES].sort());
});

Deno.test("FINAL_OPERATION_STATUSES are the statuses without outgoing edges: succeeded and failed", () => {
  const derived = OPERATION_STATUSES.filter((status) => EDGES.every(([from]) => from !== status));
  assertEquals([...derived].sort(), ["failed", "succeeded"]);
  assertEquals([...FINAL_OPERATION_STATUSES].sort(), [...derived].sort());
});

Deno.test("isFinalStatus() is true exactly for succeeded and failed", async (t) => {
  const rows: readonly (readonly [OperationStatus, boolean])[] = [
    ["processing", false],
    ["requires_action", false],
    ["unknown", false],
    ["succeeded", true],
    ["failed", true],
  ];
  assertEquals(rows.map(([status]) => status).sort(), [...OPERATION_STATUSES].sort());
  for (const [status, final] of rows) {
    await t.step(`${status} -> ${final}`, () => equal(isFinalStatus(status), final));
  }
});

Deno.test("transitionOperation() reaches every status from processing", () => {
  const seen = new Set<OperationStatus>(["processing"]);
  for (let changed = true; changed;) {
    changed = false;
    for (const from of [...seen]) {
      for (const event of OPERATION_EVENTS) {
        const next = transitionOperation(from, event);
        if (next.ok && !seen.has(next.value)) {
          seen.add(next.value);
          changed = true;
        }
      }
    }
  }
  assertEquals([...seen].sort(), [...OPERATION_STATUSES].sort());
});

Deno.test("transitionOperation() never changes a final status, whatever events follow", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...OPERATION_STATUSES),
      fc.array(fc.constantFrom(...OPERATION_EVENTS), { maxLength: 30 }),
      (start, events) => {
        let status = start;
        let finalStatus = isFinalStatus(status) ? status : undefined;
        for (const event of events) {
          const next = transitionOperation(status, event);
          if (finalStatus !== undefined) {
            equal(next.ok, false, `${status} + ${event} must be illegal`);
            continue;
          }
          if (next.ok) status = next.value;
          if (isFinalStatus(status)) finalStatus = status;
        }
        if (finalStatus !== undefined) equal(status, finalStatus);
      },
    ),
    { numRuns: 1_000, seed: SEED },
  );
});
