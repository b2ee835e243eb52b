import { deepStrictEqual as assertEquals, ok as assert, strictEqual as equal } from "node:assert/strict";
import fc from "fast-check";
import {
  type AttemptResult,
  backoffDelay,
  type CallbackPolicy,
  decideDelivery,
  DEFAULT_CALLBACK_POLICY,
  isDelivered,
  isTransient,
} from "./callback_policy.ts";

const SEED = 20_250_106;
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

function status(code: number): AttemptResult {
  return { kind: "status", status: code };
}

const NETWORK_ERROR: AttemptResult = { kind: "network_error" };

/** [result, delivered, transient]; what is neither is dead-lettered at once. */
const CLASSIFICATION: readonly (readonly [string, AttemptResult, boolean, boolean])[] = [
  ["200", status(200), true, false],
  ["201", status(201), true, false],
  ["204", status(204), true, false],
  ["299", status(299), true, false],
  ["409", status(409), true, false],
  ["408", status(408), false, true],
  ["429", status(429), false, true],
  ["500", status(500), false, true],
  ["502", status(502), false, true],
  ["503", status(503), false, true],
  ["504", status(504), false, true],
  ["599", status(599), false, true],
  ["400", status(400), false, false],
  ["401", status(401), false, false],
  ["403", status(403), false, false],
  ["404", status(404), false, false],
  ["410", status(410), false, false],
  ["422", status(422), false, false],
  ["network error", NETWORK_ERROR, false, true],
];

Deno.test("DEFAULT_CALLBACK_POLICY follows the contract: 1 s doubling, capped at 10 min, for 72 h", () => {
  assertEquals(DEFAULT_CALLBACK_POLICY, {
    firstDelayMs: SECOND,
    maxDelayMs: 10 * MINUTE,
    giveUpAfterMs: 72 * HOUR,
  });
});

Deno.test("isDelivered() accepts 2xx and 409 only", async (t) => {
  for (const [name, result, delivered] of CLASSIFICATION) {
    await t.step(`${name} -> ${delivered}`, () => equal(isDelivered(result), delivered));
  }
});

Deno.test("isTransient() retries network errors, 408, 429 and 5xx only", async (t) => {
  for (const [name, result, , transient] of CLASSIFICATION) {
    await t.step(`${name} -> ${transient}`, () => equal(isTransient(result), transient));
  }
});

Deno.test("backoffDelay() doubles from 1 s up to 10 min, with jitter in the upper half", async (t) => {
  const rows: readonly (readonly [attempt: number, ceiling: number])[] = [
    [1, 1 * SECOND],
    [2, 2 * SECOND],
    [3, 4 * SECOND],
    [4, 8 * SECOND],
    [5, 16 * SECOND],
    [10, 512 * SECOND],
    [11, 10 * MINUTE], // 1024 s, capped
    [12, 10 * MINUTE],
    [100, 10 * MINUTE],
    [5_000, 10 * MINUTE], // 2 ** 4999 is Infinity; the cap still holds
  ];
  for (const [attempt, ceiling] of rows) {
    await t.step(`attempt ${attempt} waits ${ceiling / 2}..${ceiling} ms`, () => {
      equal(backoffDelay(DEFAULT_CALLBACK_POLICY, attempt, 0), ceiling / 2);
      const high = backoffDelay(DEFAULT_CALLBACK_POLICY, attempt, 0.999);
      assert(high <= ceiling && high >= ceiling * 0.999, `${high}`);
      equal(backoffDelay(DEFAULT_CALLBACK_POLICY, attempt, 0.5), ceiling * 0.75);
    });
  }
});

Deno.test("backoffDelay() treats an attempt below 1 like the first", () => {
  equal(backoffDelay(DEFAULT_CALLBACK_POLICY, 0, 0), 500);
  equal(backoffDelay(DEFAULT_CALLBACK_POLICY, -3, 0), 500);
});

Deno.test("backoffDelay() stays an integer between half the ceiling and the ceiling", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 200 }),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      (a, r) => {
        const ceiling = Math.min(10 * MINUTE, SECOND * 2 ** (a - 1));
        const delay = backoffDelay(DEFAULT_CALLBACK_POLICY, a, r);
        assert(Number.isSafeInteger(delay), `${delay}`);
        assert(delay >= ceiling / 2 && delay <= ceiling, `attempt ${a}, random ${r}: ${delay}`);
        assert(delay > 0);
      },
    ),
    { numRuns: 2_000, seed: SEED },
  );
});

Deno.test("backoffDelay() never waits less for a later attempt with the same jitter", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 60 }),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      (a, r) => {
        assert(
          backoffDelay(DEFAULT_CALLBACK_POLICY, a + 1, r) >= backoffDelay(DEFAULT_CALLBACK_POLICY, a, r),
        );
      },
    ),
    { numRuns: 500, seed: SEED },
  );
});

Deno.test("decideDelivery() delivers, retries or dead-letters by the answer", async (t) => {
  for (const [name, result, delivered, transient] of CLASSIFICATION) {
    const expected = delivered ? "delivered" : transient ? "retry" : "dead";
    await t.step(`${name} -> ${expected}`, () => {
      const decision = decideDelivery(DEFAULT_CALLBACK_POLICY, result, 1, 0, 10 * SECOND, 0);
      equal(decision.kind, expected);
      if (decision.kind === "retry") equal(decision.at, 10 * SECOND + 500);
    });
  }
});

Deno.test("decideDelivery() dead-letters a client error at once, even on the first attempt", async (t) => {
  for (const code of [400, 401, 403, 404, 405, 413, 422]) {
    await t.step(String(code), () => {
      assertEquals(decideDelivery(DEFAULT_CALLBACK_POLICY, status(code), 1, 0, 0, 0), { kind: "dead" });
    });
  }
});

Deno.test("decideDelivery() delivers even after the give-up time", () => {
  assertEquals(decideDelivery(DEFAULT_CALLBACK_POLICY, status(200), 500, 0, 100 * HOUR, 0), {
    kind: "delivered",
  });
});

Deno.test("decideDelivery() gives up once the next try would fall past 72 h", async (t) => {
  const giveUp = 72 * HOUR;
  const queuedAt = 1_000_000;
  const rows: readonly (readonly [string, number, number, number, "retry" | "dead"])[] = [
    ["early", 2, queuedAt + 5 * SECOND, 0, "retry"],
    ["an hour in", 15, queuedAt + HOUR, 0.999, "retry"],
    ["next try lands exactly at 72 h", 20, queuedAt + giveUp - 5 * MINUTE, 0, "retry"],
    ["next try lands 1 ms after 72 h", 20, queuedAt + giveUp - 5 * MINUTE + 1, 0, "dead"],
    ["at 72 h", 20, queuedAt + giveUp, 0, "dead"],
    ["long after 72 h", 20, queuedAt + 100 * HOUR, 0, "dead"],
  ];
  for (const [name, attempt, now, random, expected] of rows) {
    await t.step(`${name} -> ${expected}`, () => {
      const decision = decideDelivery(DEFAULT_CALLBACK_POLICY, status(503), attempt, queuedAt, now, random);
      equal(decision.kind, expected);
      if (decision.kind === "retry") {
        equal(decision.at, now + backoffDelay(DEFAULT_CALLBACK_POLICY, attempt, random));
        assert(decision.at - queuedAt <= giveUp);
      }
    });
  }
});

Deno.test("decideDelivery() retries a transient failure until 72 h, then dead-letters it", () => {
  // Simulates the worker: every retry happens exactly when it was scheduled.
  for (const random of [0, 0.5, 0.999]) {
    const queuedAt = 0;
    let now = queuedAt;
    let attempt = 1;
    let decision = decideDelivery(DEFAULT_CALLBACK_POLICY, NETWORK_ERROR, attempt, queuedAt, now, random);
    while (decision.kind === "retry") {
      assert(decision.at > now);
      now = decision.at;
      attempt++;
      decision = decideDelivery(DEFAULT_CALLBACK_POLICY, NETWORK_ERROR, attempt, queuedAt, now, random);
    }
    equal(decision.kind, "dead");
    assert(now <= 72 * HOUR, `last try at ${now}`);
    assert(now > 72 * HOUR - 10 * MINUTE, `gave up early at ${now}`);
    // 1+2+...+512 s ramp, then about 72 h of capped waits.
    assert(attempt > 400 && attempt < 1_000, `${attempt} attempts with random ${random}`);
  }
});

Deno.test("decideDelivery() honours a custom policy", () => {
  const policy: CallbackPolicy = { firstDelayMs: 100, maxDelayMs: 400, giveUpAfterMs: 1_000 };
  assertEquals(decideDelivery(policy, status(500), 1, 0, 0, 0), { kind: "retry", at: 50 });
  assertEquals(decideDelivery(policy, status(500), 5, 0, 700, 0), { kind: "retry", at: 900 });
  assertEquals(decideDelivery(policy, status(500), 5, 0, 900, 0), { kind: "dead" });
});
