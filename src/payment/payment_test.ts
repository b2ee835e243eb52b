import { deepStrictEqual as assertEquals, ok as assert, strictEqual as equal } from "node:assert/strict";
import fc from "fast-check";
import type { Rejection, RejectionCode } from "../errors.ts";
import type { Result } from "../result.ts";
import {
  brokenInvariant,
  type CaptureMode,
  type CaptureRules,
  newPayment,
  type Payment,
  type PaymentOutcomeEvent,
  reserveCapture,
  reserveRefund,
  reserveVoid,
  settleCapture,
  settlePayment,
  settleRefund,
  settleVoid,
} from "./payment.ts";
import { type PaymentState, TERMINAL_PAYMENT_STATES } from "./payment_machine.ts";

const SEED = 20_250_104;

const MULTI: CaptureRules = { multiplePartialCaptures: true, partialRefunds: true, void: true };
const SINGLE: CaptureRules = { multiplePartialCaptures: false, partialRefunds: true, void: true };
const FULL_REFUNDS_ONLY: CaptureRules = { multiplePartialCaptures: true, partialRefunds: false, void: true };
const NO_VOID: CaptureRules = { multiplePartialCaptures: true, partialRefunds: true, void: false };

function fresh(captureMode: CaptureMode = "authorize", amountMinor = 10_000): Payment {
  return newPayment({
    shop: "shop.example",
    paymentId: "pay_1",
    extension: "card",
    plugin: "fakepsp",
    test: true,
    reference: "shop.example.tok1",
    amount: { amountMinor, currency: "USD" },
    captureMode,
  });
}

function value<T, E>(result: Result<T, E>): T {
  if (!result.ok) throw new Error(`Expected ok, got ${JSON.stringify(result.error)}`);
  return result.value;
}

function assertRejected(result: Result<Payment, Rejection>, code: RejectionCode): Rejection {
  if (result.ok) throw new Error(`Expected ${code}, got ok in state ${result.value.state}`);
  equal(result.error.code, code);
  assert(result.error.message.length > 0);
  return result.error;
}

function authorized(amountMinor = 10_000): Payment {
  return value(settlePayment(fresh("authorize", amountMinor), "psp_authorized", "psp_1"));
}

function sold(amountMinor = 10_000): Payment {
  return value(settlePayment(fresh("sale", amountMinor), "psp_paid", "psp_1"));
}

function captured(payment: Payment, amountMinor: number, rules = MULTI): Payment {
  return value(settleCapture(value(reserveCapture(payment, amountMinor, rules)), amountMinor, true, rules));
}

function refunded(payment: Payment, amountMinor: number, rules = MULTI): Payment {
  return settleRefund(value(reserveRefund(payment, amountMinor, rules)), amountMinor, true);
}

function sums(payment: Payment) {
  return {
    state: payment.state,
    authorized: payment.authorizedMinor,
    captured: payment.capturedMinor,
    refunded: payment.refundedMinor,
    capturePending: payment.capturePendingMinor,
    refundPending: payment.refundPendingMinor,
    voidPending: payment.voidPending,
  };
}

Deno.test("newPayment() starts processing with every sum at zero", () => {
  const payment = fresh();
  assertEquals(sums(payment), {
    state: "processing",
    authorized: 0,
    captured: 0,
    refunded: 0,
    capturePending: 0,
    refundPending: 0,
    voidPending: false,
  });
  equal(brokenInvariant(payment), undefined);
});

Deno.test("settlePayment() applies each PSP outcome to a processing payment", async (t) => {
  const rows: readonly (readonly [PaymentOutcomeEvent, PaymentState, number, number])[] = [
    ["psp_authorized", "authorized", 10_000, 0],
    ["psp_paid", "succeeded", 10_000, 10_000],
    ["psp_declined", "failed", 0, 0],
    ["psp_requires_action", "requires_action", 0, 0],
    ["psp_pending", "processing", 0, 0],
    ["psp_outcome_unknown", "unknown", 0, 0],
    ["rejected", "failed", 0, 0],
  ];
  for (const [event, state, authorizedMinor, capturedMinor] of rows) {
    await t.step(`${event} -> ${state}`, () => {
      const payment = value(settlePayment(fresh(), event, "psp_9"));
      equal(payment.state, state);
      equal(payment.authorizedMinor, authorizedMinor);
      equal(payment.capturedMinor, capturedMinor);
      equal(payment.refundedMinor, 0);
      equal(payment.pspReference, "psp_9");
      equal(brokenInvariant(payment), undefined);
    });
  }
});

Deno.test("settlePayment() keeps the earlier PSP reference when the outcome has none", () => {
  const waiting = value(settlePayment(fresh(), "psp_requires_action", "psp_1"));
  const paid = value(settlePayment(waiting, "psp_paid"));
  equal(paid.pspReference, "psp_1");
  equal(paid.state, "succeeded");
});

Deno.test("settlePayment() settles a payment left unknown once the PSP answers", () => {
  const unknown = value(settlePayment(fresh(), "psp_outcome_unknown"));
  equal(value(settlePayment(unknown, "psp_authorized", "psp_2")).state, "authorized");
  equal(value(settlePayment(unknown, "psp_declined")).state, "failed");
  equal(settlePayment(unknown, "rejected").ok, false, "a blind rejection of an unknown payment is refused");
});

Deno.test("settlePayment() refuses any outcome once the payment's own result is settled", async (t) => {
  const events: readonly PaymentOutcomeEvent[] = [
    "psp_authorized",
    "psp_paid",
    "psp_declined",
    "psp_requires_action",
    "psp_pending",
    "psp_outcome_unknown",
    "rejected",
  ];
  const settled: readonly (readonly [string, Payment])[] = [
    ["authorized", authorized()],
    ["succeeded", sold()],
    ["failed", value(settlePayment(fresh(), "psp_declined"))],
    ["partially_captured", captured(authorized(), 10)],
    ["captured", captured(authorized(), 10_000)],
    ["voided", value(settleVoid(value(reserveVoid(authorized(), MULTI)), true))],
  ];
  for (const [name, payment] of settled) {
    for (const event of events) {
      await t.step(`${name} + ${event}`, () => {
        assertEquals(settlePayment(payment, event), {
          ok: false,
          error: { kind: "invalid_transition", from: payment.state, event },
        });
      });
    }
  }
});

Deno.test("reserveCapture() reserves a full or partial capture of an authorization", () => {
  const full = value(reserveCapture(authorized(), 10_000, MULTI));
  assertEquals(sums(full), { ...sums(authorized()), capturePending: 10_000 });
  const partial = value(reserveCapture(authorized(), 2_500, MULTI));
  equal(partial.capturePendingMinor, 2_500);
  equal(partial.state, "authorized");
  equal(brokenInvariant(partial), undefined);
});

Deno.test("reserveCapture() rejects a capture above the remaining authorization", () => {
  const error = assertRejected(reserveCapture(authorized(), 10_001, MULTI), "amount_exceeds_authorized");
  assert(error.message.includes("100.00 USD"), error.message);
  const partly = captured(authorized(), 6_000);
  assertRejected(reserveCapture(partly, 4_001, MULTI), "amount_exceeds_authorized");
  equal(value(reserveCapture(partly, 4_000, MULTI)).capturePendingMinor, 4_000);
});

Deno.test("reserveCapture() counts captures in flight against the authorization", () => {
  const first = value(reserveCapture(authorized(), 6_000, MULTI));
  const error = assertRejected(reserveCapture(first, 5_000, MULTI), "amount_exceeds_authorized");
  assert(error.message.includes("40.00 USD"), error.message);
  const second = value(reserveCapture(first, 4_000, MULTI));
  equal(second.capturePendingMinor, 10_000);
  assertRejected(reserveCapture(second, 1, MULTI), "amount_exceeds_authorized");
});

Deno.test("reserveCapture() rejects a capture while a void is pending", () => {
  const voiding = value(reserveVoid(authorized(), MULTI));
  const error = assertRejected(reserveCapture(voiding, 100, MULTI), "payment_not_capturable");
  assert(error.message.includes("being voided"), error.message);
});

Deno.test("reserveCapture() rejects a payment that is not an open authorization", async (t) => {
  const rows: readonly (readonly [string, Payment])[] = [
    ["processing", fresh()],
    ["requires_action", value(settlePayment(fresh(), "psp_requires_action"))],
    ["unknown", value(settlePayment(fresh(), "psp_outcome_unknown"))],
    ["failed", value(settlePayment(fresh(), "psp_declined"))],
    ["succeeded (sale)", sold()],
    ["captured", captured(authorized(), 10_000)],
    ["voided", value(settleVoid(value(reserveVoid(authorized(), MULTI)), true))],
  ];
  for (const [name, payment] of rows) {
    await t.step(name, () => {
      assertRejected(reserveCapture(payment, 1, MULTI), "payment_not_capturable");
    });
  }
});

Deno.test("reserveCapture() allows a single capture when the plugin has no multiple partial captures", () => {
  const pending = value(reserveCapture(authorized(), 3_000, SINGLE));
  assertRejected(reserveCapture(pending, 1_000, SINGLE), "capture_not_supported");
  // A failed capture frees the single capture again.
  const failed = value(settleCapture(pending, 3_000, false, SINGLE));
  assertEquals(sums(failed), sums(authorized()));
  const again = value(reserveCapture(failed, 10_000, SINGLE));
  // A successful partial capture releases the rest of the authorization.
  const done = value(settleCapture(value(reserveCapture(failed, 3_000, SINGLE)), 3_000, true, SINGLE));
  equal(done.state, "captured");
  equal(done.capturedMinor, 3_000);
  assertRejected(reserveCapture(done, 1_000, SINGLE), "payment_not_capturable");
  equal(again.capturePendingMinor, 10_000);
  equal(brokenInvariant(done), undefined);
});

Deno.test("settleCapture() moves an authorization to partially captured, then captured", () => {
  const first = captured(authorized(), 3_000);
  assertEquals(sums(first), { ...sums(authorized()), state: "partially_captured", captured: 3_000 });
  const second = captured(first, 3_000);
  equal(second.state, "partially_captured");
  equal(second.capturedMinor, 6_000);
  const last = captured(second, 4_000);
  assertEquals(sums(last), { ...sums(authorized()), state: "captured", captured: 10_000 });
  equal(captured(authorized(), 10_000).state, "captured");
});

Deno.test("settleCapture() releases the reservation of a failed capture and keeps the state", () => {
  const partly = captured(authorized(), 2_000);
  const pending = value(reserveCapture(partly, 5_000, MULTI));
  const failed = value(settleCapture(pending, 5_000, false, MULTI));
  assertEquals(sums(failed), sums(partly));
});

Deno.test("settleCapture() settles concurrent captures in any order", () => {
  const both = value(reserveCapture(value(reserveCapture(authorized(), 6_000, MULTI)), 4_000, MULTI));
  const smallFirst = value(settleCapture(value(settleCapture(both, 4_000, true, MULTI)), 6_000, true, MULTI));
  const largeFirst = value(settleCapture(value(settleCapture(both, 6_000, true, MULTI)), 4_000, true, MULTI));
  assertEquals(sums(smallFirst), sums(largeFirst));
  equal(smallFirst.state, "captured");
  const oneFails = value(settleCapture(value(settleCapture(both, 6_000, true, MULTI)), 4_000, false, MULTI));
  equal(oneFails.state, "partially_captured");
  equal(oneFails.capturedMinor, 6_000);
  equal(oneFails.capturePendingMinor, 0);
});

Deno.test("settleCapture() refuses a successful capture of a payment that is not capturable", () => {
  const voided = value(settleVoid(value(reserveVoid(authorized(), MULTI)), true));
  const result = settleCapture({ ...voided, capturePendingMinor: 100 }, 100, true, MULTI);
  equal(result.ok, false);
});

Deno.test("reserveVoid() marks an open authorization as being voided", () => {
  const voiding = value(reserveVoid(authorized(), MULTI));
  equal(voiding.voidPending, true);
  equal(voiding.state, "authorized");
  equal(brokenInvariant(voiding), undefined);
});

Deno.test("reserveVoid() rejects a void after or during a capture", async (t) => {
  const rows: readonly (readonly [string, Payment])[] = [
    ["partially captured", captured(authorized(), 100)],
    ["fully captured", captured(authorized(), 10_000)],
    ["capture pending", value(reserveCapture(authorized(), 100, MULTI))],
    ["sale", sold()],
    ["sale partly refunded", refunded(sold(), 100)],
  ];
  for (const [name, payment] of rows) {
    await t.step(name, () => {
      assertRejected(reserveVoid(payment, MULTI), "void_after_capture");
    });
  }
});

Deno.test("reserveVoid() rejects a payment that is not an open authorization, or a plugin without voids", async (t) => {
  const rows: readonly (readonly [string, Payment, CaptureRules])[] = [
    ["processing", fresh(), MULTI],
    ["requires_action", value(settlePayment(fresh(), "psp_requires_action")), MULTI],
    ["unknown", value(settlePayment(fresh(), "psp_outcome_unknown")), MULTI],
    ["failed", value(settlePayment(fresh(), "psp_declined")), MULTI],
    ["voided", value(settleVoid(value(reserveVoid(authorized(), MULTI)), true)), MULTI],
    ["void pending", value(reserveVoid(authorized(), MULTI)), MULTI],
    ["plugin without voids", authorized(), NO_VOID],
  ];
  for (const [name, payment, rules] of rows) {
    await t.step(name, () => {
      assertRejected(reserveVoid(payment, rules), "payment_not_voidable");
    });
  }
});

Deno.test("settleVoid() voids on success and reopens the authorization on failure", () => {
  const voiding = value(reserveVoid(authorized(), MULTI));
  const voided = value(settleVoid(voiding, true));
  assertEquals(sums(voided), { ...sums(authorized()), state: "voided" });
  const reopened = value(settleVoid(voiding, false));
  assertEquals(sums(reopened), sums(authorized()));
  equal(value(reserveCapture(reopened, 100, MULTI)).capturePendingMinor, 100);
});

Deno.test("settleVoid() refuses a successful void of a payment that is not authorized", () => {
  const done = captured(authorized(), 10_000);
  equal(settleVoid({ ...done, voidPending: true }, true).ok, false);
});

Deno.test("reserveRefund() reserves a refund of what was captured", async (t) => {
  const rows: readonly (readonly [string, Payment, number])[] = [
    ["sale, partial", sold(), 2_500],
    ["sale, full", sold(), 10_000],
    ["partially captured", captured(authorized(), 4_000), 4_000],
    ["captured", captured(authorized(), 10_000), 1],
  ];
  for (const [name, payment, amountMinor] of rows) {
    await t.step(name, () => {
      const reserved = value(reserveRefund(payment, amountMinor, MULTI));
      equal(reserved.refundPendingMinor, amountMinor);
      equal(reserved.state, payment.state);
      equal(brokenInvariant(reserved), undefined);
    });
  }
});

Deno.test("reserveRefund() rejects a refund above what was captured and not yet refunded", () => {
  const error = assertRejected(reserveRefund(sold(), 10_001, MULTI), "amount_exceeds_captured");
  assert(error.message.includes("100.00 USD"), error.message);
  const partly = captured(authorized(), 3_000);
  assertRejected(reserveRefund(partly, 3_001, MULTI), "amount_exceeds_captured");
  const afterRefund = refunded(sold(), 7_000);
  assertRejected(reserveRefund(afterRefund, 3_001, MULTI), "amount_exceeds_captured");
  const inFlight = value(reserveRefund(afterRefund, 2_000, MULTI));
  const message = assertRejected(reserveRefund(inFlight, 1_001, MULTI), "amount_exceeds_captured").message;
  assert(message.includes("10.00 USD"), message);
  equal(value(reserveRefund(inFlight, 1_000, MULTI)).refundPendingMinor, 3_000);
});

Deno.test("reserveRefund() rejects a payment with nothing captured", async (t) => {
  const rows: readonly (readonly [string, Payment])[] = [
    ["authorized only", authorized()],
    ["capture pending", value(reserveCapture(authorized(), 100, MULTI))],
    ["processing", fresh("sale")],
    ["unknown", value(settlePayment(fresh("sale"), "psp_outcome_unknown"))],
    ["failed", value(settlePayment(fresh("sale"), "psp_declined"))],
    ["voided", value(settleVoid(value(reserveVoid(authorized(), MULTI)), true))],
  ];
  for (const [name, payment] of rows) {
    await t.step(name, () => {
      assertRejected(reserveRefund(payment, 1, MULTI), "payment_not_refundable");
    });
  }
});

Deno.test("reserveRefund() allows only one full refund when the plugin has no partial refunds", () => {
  assertRejected(reserveRefund(sold(), 5_000, FULL_REFUNDS_ONLY), "partial_refund_not_supported");
  const full = value(reserveRefund(sold(), 10_000, FULL_REFUNDS_ONLY));
  assertRejected(reserveRefund(full, 10_000, FULL_REFUNDS_ONLY), "amount_exceeds_captured");
  const done = settleRefund(full, 10_000, true);
  assertRejected(reserveRefund(done, 1, FULL_REFUNDS_ONLY), "amount_exceeds_captured");
  // A later capture cannot be refunded alone: the refund would be partial.
  const partly = refunded(captured(authorized(), 3_000), 3_000, FULL_REFUNDS_ONLY);
  const more = captured(partly, 2_000);
  assertRejected(reserveRefund(more, 2_000, FULL_REFUNDS_ONLY), "partial_refund_not_supported");
  // A failed full refund can be tried again.
  const failed = settleRefund(full, 10_000, false);
  equal(value(reserveRefund(failed, 10_000, FULL_REFUNDS_ONLY)).refundPendingMinor, 10_000);
});

Deno.test("settleRefund() adds a successful refund and releases a failed one", () => {
  const pending = value(reserveRefund(sold(), 4_000, MULTI));
  assertEquals(sums(settleRefund(pending, 4_000, true)), { ...sums(sold()), refunded: 4_000 });
  assertEquals(sums(settleRefund(pending, 4_000, false)), sums(sold()));
  equal(settleRefund(pending, 4_000, true).state, "succeeded");
});

Deno.test("brokenInvariant() names the first broken rule", async (t) => {
  const good = refunded(captured(authorized(), 5_000), 1_000);
  const rows: readonly (readonly [string, Partial<Payment>, string | undefined])[] = [
    ["a consistent payment", {}, undefined],
    ["a negative sum", { refundPendingMinor: -1 }, "sums must be non-negative integers"],
    ["a fractional sum", { capturedMinor: 1.5 }, "sums must be non-negative integers"],
    ["an unsafe sum", { authorizedMinor: Number.MAX_SAFE_INTEGER + 1 }, "sums must be non-negative integers"],
    ["authorized above the amount", { authorizedMinor: 10_001 }, "authorized above the payment amount"],
    ["captures above the authorization", { capturePendingMinor: 5_001 }, "captures above the authorization"],
    ["refunds above captures", { refundPendingMinor: 4_001 }, "refunds above captures"],
    ["voided after a capture", { state: "voided" }, "voided after a capture"],
  ];
  for (const [name, change, expected] of rows) {
    await t.step(name, () => equal(brokenInvariant({ ...good, ...change }), expected));
  }
});

// ---------------------------------------------------------------------------------------------------------
// Model-based property: random command sequences against an independently kept model.

type PayOutcome = "succeeded" | Exclude<PaymentOutcomeEvent, "psp_authorized" | "psp_paid">;

type Command =
  | { readonly kind: "pay"; readonly outcome: PayOutcome }
  | { readonly kind: "capture"; readonly amount: number | "rest" }
  | { readonly kind: "void" }
  | { readonly kind: "refund"; readonly amount: number | "rest" }
  | { readonly kind: "settle"; readonly pick: number; readonly succeeded: boolean };

interface Reservation {
  readonly kind: "capture" | "refund" | "void";
  readonly amountMinor: number;
}

interface Model {
  state: PaymentState;
  authorized: number;
  captured: number;
  refunded: number;
  capturesInFlight: number[];
  refundsInFlight: number[];
  voidPending: boolean;
}

const UNSETTLED: readonly PaymentState[] = ["processing", "requires_action", "unknown"];

function modelPay(
  model: Model,
  outcome: PayOutcome,
  mode: CaptureMode,
  amountMinor: number,
): PaymentState | undefined {
  if (!UNSETTLED.includes(model.state)) return undefined;
  switch (outcome) {
    case "succeeded":
      model.authorized = amountMinor;
      if (mode === "sale") model.captured = amountMinor;
      return mode === "sale" ? "succeeded" : "authorized";
    case "psp_declined":
      return "failed";
    case "rejected":
      return model.state === "unknown" ? undefined : "failed";
    case "psp_requires_action":
      return "requires_action";
    case "psp_pending":
      return "processing";
    case "psp_outcome_unknown":
      return "unknown";
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function expectedCaptureRefusal(
  model: Model,
  amountMinor: number,
  rules: CaptureRules,
): RejectionCode | undefined {
  if ((model.state !== "authorized" && model.state !== "partially_captured") || model.voidPending) {
    return "payment_not_capturable";
  }
  if (!rules.multiplePartialCaptures && (model.captured > 0 || model.capturesInFlight.length > 0)) {
    return "capture_not_supported";
  }
  if (amountMinor > model.authorized - model.captured - sum(model.capturesInFlight)) {
    return "amount_exceeds_authorized";
  }
  return undefined;
}

function expectedVoidRefusal(model: Model, rules: CaptureRules): RejectionCode | undefined {
  if (model.captured > 0 || model.capturesInFlight.length > 0 || model.state === "succeeded") {
    return "void_after_capture";
  }
  if (model.state !== "authorized" || model.voidPending || !rules.void) return "payment_not_voidable";
  return undefined;
}

function expectedRefundRefusal(
  model: Model,
  amountMinor: number,
  rules: CaptureRules,
): RejectionCode | undefined {
  if (!["succeeded", "partially_captured", "captured"].includes(model.state)) return "payment_not_refundable";
  if (amountMinor > model.captured - model.refunded - sum(model.refundsInFlight)) {
    return "amount_exceeds_captured";
  }
  if (!rules.partialRefunds && (amountMinor !== model.captured || model.refunded > 0)) {
    return "partial_refund_not_supported";
  }
  return undefined;
}

function checkRefusal(
  result: Result<Payment, Rejection>,
  expected: RejectionCode | undefined,
  label: string,
): void {
  equal(result.ok ? undefined : result.error.code, expected, label);
}

/** Small amounts, any amount up to above the payment's, or exactly what is left (at least 1). */
const amountArb: fc.Arbitrary<number | "rest"> = fc.oneof(
  fc.integer({ min: 1, max: 20 }),
  fc.integer({ min: 1, max: 220 }),
  fc.constant("rest" as const),
);

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constant("pay" as const),
    outcome: fc.constantFrom<PayOutcome>(
      "succeeded",
      "psp_declined",
      "rejected",
      "psp_requires_action",
      "psp_pending",
      "psp_outcome_unknown",
    ),
  }),
  fc.record({ kind: fc.constant("capture" as const), amount: amountArb }),
  fc.constant({ kind: "void" as const }),
  fc.record({ kind: fc.constant("refund" as const), amount: amountArb }),
  fc.record({ kind: fc.constant("settle" as const), pick: fc.nat(), succeeded: fc.boolean() }),
  fc.record({ kind: fc.constant("settle" as const), pick: fc.nat(), succeeded: fc.boolean() }),
);

Deno.test("payment aggregate keeps its invariants and matches a model under random command sequences", () => {
  const seen = { captured: 0, partially: 0, voided: 0, refunded: 0, failedSettles: 0 };
  fc.assert(
    fc.property(
      fc.constantFrom<CaptureMode>("sale", "authorize"),
      fc.oneof(fc.constant(100), fc.integer({ min: 1, max: 200 })),
      fc.record({ multiplePartialCaptures: fc.boolean(), partialRefunds: fc.boolean(), void: fc.boolean() }),
      fc.boolean(),
      fc.array(commandArb, { minLength: 5, maxLength: 40, size: "max" }),
      (mode, paymentMinor, rules, payFirst, rest) => {
        const commands: readonly Command[] = payFirst
          ? [{ kind: "pay", outcome: "succeeded" }, ...rest]
          : rest;
        let payment = fresh(mode, paymentMinor);
        const model: Model = {
          state: "processing",
          authorized: 0,
          captured: 0,
          refunded: 0,
          capturesInFlight: [],
          refundsInFlight: [],
          voidPending: false,
        };
        const inFlight: Reservation[] = [];
        let finalState: PaymentState | undefined;

        for (const [step, command] of commands.entries()) {
          const label = `step ${step}: ${JSON.stringify(command)} on ${payment.state}`;
          switch (command.kind) {
            case "pay": {
              const before = model.state;
              const next = modelPay(model, command.outcome, mode, paymentMinor);
              const event: PaymentOutcomeEvent = command.outcome === "succeeded"
                ? (mode === "sale" ? "psp_paid" : "psp_authorized")
                : command.outcome;
              const result = settlePayment(payment, event, `psp_${step}`);
              // Never accept what the model refuses; never refuse a real move.
              if (next === undefined) equal(result.ok, false, label);
              else if (next !== before) assert(result.ok, label);
              if (result.ok) payment = result.value;
              if (next !== undefined) model.state = next;
              break;
            }
            case "capture": {
              const rest = model.authorized - model.captured - sum(model.capturesInFlight);
              const amountMinor = command.amount === "rest" ? Math.max(1, rest) : command.amount;
              const result = reserveCapture(payment, amountMinor, rules);
              checkRefusal(result, expectedCaptureRefusal(model, amountMinor, rules), label);
              if (result.ok) {
                payment = result.value;
                model.capturesInFlight.push(amountMinor);
                inFlight.push({ kind: "capture", amountMinor });
              }
              break;
            }
            case "void": {
              const result = reserveVoid(payment, rules);
              checkRefusal(result, expectedVoidRefusal(model, rules), label);
              if (result.ok) {
                payment = result.value;
                model.voidPending = true;
                inFlight.push({ kind: "void", amountMinor: 0 });
              }
              break;
            }
            case "refund": {
              const rest = model.captured - model.refunded - sum(model.refundsInFlight);
              const amountMinor = command.amount === "rest" ? Math.max(1, rest) : command.amount;
              const result = reserveRefund(payment, amountMinor, rules);
              checkRefusal(result, expectedRefundRefusal(model, amountMinor, rules), label);
              if (result.ok) {
                payment = result.value;
                model.refundsInFlight.push(amountMinor);
                inFlight.push({ kind: "refund", amountMinor });
              }
              break;
            }
            case "settle": {
              if (inFlight.length === 0) break;
              const [reservation] = inFlight.splice(command.pick % inFlight.length, 1);
              const { succeeded } = command;
              if (!succeeded) seen.failedSettles++;
              if (reservation.kind === "capture") {
                payment = value(settleCapture(payment, reservation.amountMinor, succeeded, rules));
                model.capturesInFlight.splice(model.capturesInFlight.indexOf(reservation.amountMinor), 1);
                if (succeeded) {
                  model.captured += reservation.amountMinor;
                  const complete = model.captured === model.authorized || !rules.multiplePartialCaptures;
                  model.state = complete ? "captured" : "partially_captured";
                }
              } else if (reservation.kind === "refund") {
                payment = settleRefund(payment, reservation.amountMinor, succeeded);
                model.refundsInFlight.splice(model.refundsInFlight.indexOf(reservation.amountMinor), 1);
                if (succeeded) model.refunded += reservation.amountMinor;
              } else {
                payment = value(settleVoid(payment, succeeded));
                model.voidPending = false;
                if (succeeded) model.state = "voided";
              }
              break;
            }
          }

          equal(brokenInvariant(payment), undefined, label);
          assertEquals(sums(payment), {
            state: model.state,
            authorized: model.authorized,
            captured: model.captured,
            refunded: model.refunded,
            capturePending: sum(model.capturesInFlight),
            refundPending: sum(model.refundsInFlight),
            voidPending: model.voidPending,
          }, label);
          assert(payment.refundedMinor <= payment.capturedMinor, label);
          assert(payment.capturedMinor <= payment.authorizedMinor, label);
          assert(payment.authorizedMinor <= payment.amount.amountMinor, label);
          if (payment.state === "voided") equal(payment.capturedMinor, 0, label);
          if (finalState !== undefined) equal(payment.state, finalState, `${label}: final state changed`);
          if (TERMINAL_PAYMENT_STATES.includes(payment.state)) finalState = payment.state;
        }
        if (payment.state === "captured") seen.captured++;
        if (payment.state === "partially_captured") seen.partially++;
        if (payment.state === "voided") seen.voided++;
        if (payment.refundedMinor > 0) seen.refunded++;
      },
    ),
    { numRuns: 1_500, seed: SEED },
  );
  // The generator must actually reach the interesting corners.
  for (const [corner, count] of Object.entries(seen)) {
    assert(count >= 20, `${corner} reached only ${count} times`);
  }
});
