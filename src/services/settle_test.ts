import {
  deepStrictEqual as assertEquals,
  ok as assert,
  strictEqual as equal,
  throws as assertThrows,
} from "node:assert/strict";
import fc from "fast-check";
import { rejection } from "../errors.ts";
import type { Operation, OperationKind } from "../payment/operation.ts";
import type { OperationStatus } from "../payment/operation_machine.ts";
import {
  type CaptureMode,
  type CaptureRules,
  newPayment,
  type Payment,
  reserveCapture,
  reserveRefund,
  reserveVoid,
  settlePayment,
} from "../payment/payment.ts";
import type { PaymentState } from "../payment/payment_machine.ts";
import type { SettlingOutcome } from "./interpret_outcome.ts";
import type { Result } from "../result.ts";
import {
  answerOf,
  callbackFor,
  checkAnsweredAmount,
  reject,
  settle,
  type SettleContext,
  type Settlement,
} from "./settle.ts";

const SEED = 20_250_105;

const RULES: CaptureRules = { multiplePartialCaptures: true, partialRefunds: true, void: true };
const REDIRECT_PAGE = "https://gateway.example/v1/redirect/shop.example.tok1";
const CONTEXT: SettleContext = {
  now: 2_000,
  rules: RULES,
  nextCheckAt: 9_000,
  redirectPageUrl: REDIRECT_PAGE,
};
const PAYMENT_MINOR = 10_000;
const MODIFICATION_MINOR = 2_500;

function value<T, E>(result: Result<T, E>): T {
  if (!result.ok) throw new Error(`Expected ok, got ${JSON.stringify(result.error)}`);
  return result.value;
}

/** Drops keys whose value is undefined, so that absent and undefined compare equal. */
function compact<T extends object>(object: T | undefined): Partial<T> | undefined {
  if (object === undefined) return undefined;
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function freshPayment(captureMode: CaptureMode = "sale"): Payment {
  return newPayment({
    shop: "shop.example",
    paymentId: "pay_1",
    extension: "card",
    plugin: "fakepsp",
    test: true,
    reference: "shop.example.tok1",
    amount: { amountMinor: PAYMENT_MINOR, currency: "USD" },
    captureMode,
  });
}

/** A payment as it stands while an operation of `kind` is open at the PSP. */
function paymentFor(kind: OperationKind, captureMode: CaptureMode = "authorize"): Payment {
  switch (kind) {
    case "payment":
      return freshPayment(captureMode);
    case "capture":
      return value(reserveCapture(authorizedPayment(), MODIFICATION_MINOR, RULES));
    case "void":
      return value(reserveVoid(authorizedPayment(), RULES));
    case "refund":
      return value(reserveRefund(soldPayment(), MODIFICATION_MINOR, RULES));
  }
}

function authorizedPayment(): Payment {
  return value(settlePayment(freshPayment("authorize"), "psp_authorized", "psp_pay"));
}

function soldPayment(): Payment {
  return value(settlePayment(freshPayment("sale"), "psp_paid", "psp_pay"));
}

function operation(kind: OperationKind, change: Partial<Operation> = {}): Operation {
  const token = `tok-${kind}`;
  return {
    shop: "shop.example",
    kind,
    operationId: `${kind}_1`,
    paymentId: "pay_1",
    extension: "card",
    test: true,
    reference: kind === "payment" ? "shop.example.tok1" : `shop.example.${token}`,
    fingerprint: "fingerprint",
    status: "processing",
    amount: kind === "void"
      ? undefined
      : { amountMinor: kind === "payment" ? PAYMENT_MINOR : MODIFICATION_MINOR, currency: "USD" },
    attempt: 1,
    pspIdempotencyKey: `gw-${token}-p1`,
    createdAt: 1_000,
    updatedAt: 1_000,
    nextCheckAt: 5_000,
    checks: 0,
    returns: 0,
    keyFor: "request",
    ...change,
  };
}

const OUTCOMES = {
  succeeded: { kind: "succeeded", pspReference: "psp_op" },
  failed: { kind: "failed", code: "card_declined", message: "Do not honor" },
  requires_action: {
    kind: "requires_action",
    redirect: { url: "https://acs.example/challenge", method: "POST", data: { creq: "abc" } },
    resume: { paymentData: "xyz" },
    pspReference: "psp_op",
  },
  pending: { kind: "pending", pspReference: "psp_op" },
  unknown: { kind: "unknown", detail: "the PSP did not answer in time" },
} as const satisfies Record<string, SettlingOutcome>;

type OutcomeName = keyof typeof OUTCOMES;

function settled(result: Result<Settlement, unknown>): Settlement {
  return value(result);
}

// ---------------------------------------------------------------------------------------------------------
// settle(): payment operations

Deno.test("settle() applies every PSP outcome to a payment, sale or authorize", async (t) => {
  const rows:
    readonly (readonly [CaptureMode, OutcomeName, OperationStatus, PaymentState, string | undefined])[] = [
      ["sale", "succeeded", "succeeded", "succeeded", "payment"],
      ["sale", "failed", "failed", "failed", "payment"],
      ["sale", "requires_action", "requires_action", "requires_action", undefined],
      ["sale", "pending", "processing", "processing", undefined],
      ["sale", "unknown", "unknown", "unknown", undefined],
      ["authorize", "succeeded", "succeeded", "authorized", "pre_authorize"],
      ["authorize", "failed", "failed", "failed", "pre_authorize"],
      ["authorize", "requires_action", "requires_action", "requires_action", undefined],
      ["authorize", "pending", "processing", "processing", undefined],
      ["authorize", "unknown", "unknown", "unknown", undefined],
    ];
  for (const [mode, name, status, state, callbackKind] of rows) {
    await t.step(`${mode} ${name} -> ${status}, payment ${state}, callback ${callbackKind ?? "none"}`, () => {
      const result = settled(
        settle(operation("payment"), paymentFor("payment", mode), OUTCOMES[name], CONTEXT),
      );
      equal(result.operation.status, status);
      equal(result.payment.state, state);
      equal(result.operation.updatedAt, CONTEXT.now);
      const final = status === "succeeded" || status === "failed";
      equal(result.operation.nextCheckAt, final ? undefined : CONTEXT.nextCheckAt);
      equal(result.callback?.kind, callbackKind);
      if (result.callback !== undefined) equal(result.callback.succeeded, status === "succeeded");
    });
  }
});

Deno.test("settle() reports a successful sale with the PSP reference and the formatted amount", () => {
  const result = settled(
    settle(operation("payment"), paymentFor("payment", "sale"), OUTCOMES.succeeded, CONTEXT),
  );
  assertEquals(compact(result.callback), {
    kind: "payment",
    targetId: "payment_1",
    paymentId: "pay_1",
    succeeded: true,
    channelId: "psp_op",
    amount: "100.00",
    currency: "USD",
    test: true,
  });
  equal(result.operation.pspReference, "psp_op");
  equal(result.payment.pspReference, "psp_op");
  equal(result.payment.capturedMinor, PAYMENT_MINOR);
  equal(result.operation.error, undefined);
});

Deno.test("settle() reports a declined payment with its error text, falling back to the gateway reference", () => {
  const result = settled(
    settle(operation("payment"), paymentFor("payment", "sale"), OUTCOMES.failed, CONTEXT),
  );
  assertEquals(result.operation.error, { code: "card_declined", message: "Do not honor" });
  assertEquals(compact(result.callback), {
    kind: "payment",
    targetId: "payment_1",
    paymentId: "pay_1",
    succeeded: false,
    channelId: "shop.example.tok1",
    amount: "100.00",
    currency: "USD",
    test: true,
    error: "card_declined: Do not honor",
  });
});

Deno.test("settle() keeps an earlier PSP reference when the outcome has none", () => {
  const waiting = operation("payment", { status: "requires_action", pspReference: "psp_early" });
  const payment = value(settlePayment(freshPayment("sale"), "psp_requires_action", "psp_early"));
  const result = settled(settle(waiting, payment, OUTCOMES.failed, CONTEXT));
  equal(result.operation.pspReference, "psp_early");
  equal(result.payment.pspReference, "psp_early");
  equal(result.callback?.channelId, "psp_early");
});

Deno.test("settle() keeps the redirect and plugin state of a payment that requires action, and clears the redirect after", () => {
  const waiting = settled(
    settle(operation("payment"), paymentFor("payment", "sale"), OUTCOMES.requires_action, CONTEXT),
  );
  assertEquals(waiting.payment.redirect, OUTCOMES.requires_action.redirect);
  assertEquals(waiting.payment.resume, OUTCOMES.requires_action.resume);
  equal(waiting.callback, undefined);
  const done = settled(settle(waiting.operation, waiting.payment, OUTCOMES.succeeded, CONTEXT));
  equal(done.payment.redirect, undefined);
  equal(done.payment.state, "succeeded");
  equal(done.callback?.succeeded, true);
});

Deno.test("settle() reports the stored card of a successful card-on-file payment only", () => {
  const card = { token: "card_tok", brand: "visa", last4: "1111", expiryMonth: "03", expiryYear: "2030" };
  const payment = { ...paymentFor("payment", "sale"), card };
  const ok = settled(settle(operation("payment"), payment, OUTCOMES.succeeded, CONTEXT));
  assertEquals(ok.callback?.card, card);
  const declined = settled(settle(operation("payment"), payment, OUTCOMES.failed, CONTEXT));
  equal(declined.callback?.card, undefined);
  const tokenless = settled(
    settle(
      operation("payment"),
      { ...paymentFor("payment", "sale"), card: { brand: "visa" } },
      OUTCOMES.succeeded,
      CONTEXT,
    ),
  );
  equal(tokenless.callback?.card, undefined);
});

// Reconciliation asks the PSP again about an unknown payment; a second "unknown" must leave it open and
// reschedule it, as it does for captures, voids and refunds.
Deno.test("settle() keeps a payment unknown when the PSP still does not know", () => {
  const unknownPayment = value(settlePayment(freshPayment("sale"), "psp_outcome_unknown"));
  const result = settle(
    operation("payment", { status: "unknown" }),
    unknownPayment,
    OUTCOMES.unknown,
    CONTEXT,
  );
  assert(result.ok, `refused: ${JSON.stringify(result.ok ? undefined : result.error)}`);
  equal(result.value.operation.status, "unknown");
  equal(result.value.payment.state, "unknown");
  equal(result.value.operation.nextCheckAt, CONTEXT.nextCheckAt);
  equal(result.value.operation.updatedAt, CONTEXT.now);
  equal(result.value.callback, undefined);
});

Deno.test("settle() settles an unknown payment once the PSP answers", async (t) => {
  const unknownPayment = value(settlePayment(freshPayment("authorize"), "psp_outcome_unknown"));
  const rows: readonly (readonly [OutcomeName, OperationStatus, PaymentState])[] = [
    ["succeeded", "succeeded", "authorized"],
    ["failed", "failed", "failed"],
    ["requires_action", "requires_action", "requires_action"],
    ["pending", "processing", "processing"],
  ];
  for (const [name, status, state] of rows) {
    await t.step(`${name} -> ${status}`, () => {
      const result = settled(
        settle(operation("payment", { status: "unknown" }), unknownPayment, OUTCOMES[name], CONTEXT),
      );
      equal(result.operation.status, status);
      equal(result.payment.state, state);
    });
  }
});

// ---------------------------------------------------------------------------------------------------------
// settle(): captures, voids and refunds

Deno.test("settle() applies every PSP outcome to a capture, a void and a refund", async (t) => {
  const rows: readonly (readonly [OperationKind, OutcomeName, OperationStatus, Partial<Payment>])[] = [
    ["capture", "succeeded", "succeeded", {
      state: "partially_captured",
      capturedMinor: 2_500,
      capturePendingMinor: 0,
    }],
    ["capture", "failed", "failed", { state: "authorized", capturedMinor: 0, capturePendingMinor: 0 }],
    ["capture", "requires_action", "requires_action", {}],
    ["capture", "pending", "processing", {}],
    ["capture", "unknown", "unknown", {}],
    ["void", "succeeded", "succeeded", { state: "voided", voidPending: false }],
    ["void", "failed", "failed", { state: "authorized", voidPending: false }],
    ["void", "requires_action", "requires_action", {}],
    ["void", "pending", "processing", {}],
    ["void", "unknown", "unknown", {}],
    ["refund", "succeeded", "succeeded", { state: "succeeded", refundedMinor: 2_500, refundPendingMinor: 0 }],
    ["refund", "failed", "failed", { state: "succeeded", refundedMinor: 0, refundPendingMinor: 0 }],
    ["refund", "requires_action", "requires_action", {}],
    ["refund", "pending", "processing", {}],
    ["refund", "unknown", "unknown", {}],
  ];
  for (const [kind, name, status, paymentChange] of rows) {
    await t.step(`${kind} ${name} -> ${status}`, () => {
      const before = paymentFor(kind);
      const result = settled(settle(operation(kind), before, OUTCOMES[name], CONTEXT));
      equal(result.operation.status, status);
      // An open modification leaves the payment (and its reservation) untouched.
      assertEquals(result.payment, { ...before, ...paymentChange });
      const final = status === "succeeded" || status === "failed";
      equal(result.operation.nextCheckAt, final ? undefined : CONTEXT.nextCheckAt);
      if (!final) {
        equal(result.callback, undefined);
        return;
      }
      equal(result.callback?.kind, kind);
      equal(result.callback?.targetId, `${kind}_1`);
      equal(result.callback?.paymentId, "pay_1");
      equal(result.callback?.succeeded, status === "succeeded");
      equal(result.callback?.error, name === "failed" ? "card_declined: Do not honor" : undefined);
    });
  }
});

Deno.test("settle() reports captures and refunds with their amount, voids without one", async (t) => {
  const rows: readonly (readonly [OperationKind, string | undefined, string | undefined])[] = [
    ["capture", "25.00", "USD"],
    ["refund", "25.00", "USD"],
    ["void", undefined, undefined],
  ];
  for (const [kind, amount, currency] of rows) {
    await t.step(kind, () => {
      const callback =
        settled(settle(operation(kind), paymentFor(kind), OUTCOMES.succeeded, CONTEXT)).callback;
      equal(callback?.amount, amount);
      equal(callback?.currency, currency);
      equal(callback?.channelId, "psp_op");
      if (kind === "void") assert(!("amount" in callback!) && !("currency" in callback!));
    });
  }
});

Deno.test("settle() formats callback amounts with the currency's minor digits", async (t) => {
  const rows: readonly (readonly [string, number, string])[] = [
    ["JPY", 1_000, "1000"],
    ["KWD", 1_500, "1.500"],
    ["USD", 5, "0.05"],
    ["CLF", 12_345, "1.2345"],
  ];
  for (const [currency, amountMinor, expected] of rows) {
    await t.step(`${amountMinor} ${currency} -> ${expected}`, () => {
      const payment = newPayment({
        ...freshPayment(),
        amount: { amountMinor, currency },
        captureMode: "sale",
      });
      const result = settled(
        settle(
          operation("payment", { amount: { amountMinor, currency } }),
          payment,
          OUTCOMES.succeeded,
          CONTEXT,
        ),
      );
      equal(result.callback?.amount, expected);
      equal(result.callback?.currency, currency);
    });
  }
});

Deno.test("settle() falls back to the gateway reference when the PSP never gave one", () => {
  const callback =
    settled(settle(operation("refund"), paymentFor("refund"), OUTCOMES.failed, CONTEXT)).callback;
  equal(callback?.channelId, "shop.example.tok-refund");
});

Deno.test("settle() settles a modification left unknown once the PSP answers", async (t) => {
  for (const kind of ["capture", "void", "refund"] as const) {
    await t.step(kind, () => {
      const still = settled(
        settle(operation(kind, { status: "unknown" }), paymentFor(kind), OUTCOMES.unknown, CONTEXT),
      );
      equal(still.operation.status, "unknown");
      equal(still.callback, undefined);
      const done = settled(settle(still.operation, still.payment, OUTCOMES.succeeded, CONTEXT));
      equal(done.operation.status, "succeeded");
      equal(done.callback?.succeeded, true);
    });
  }
});

Deno.test("settle() refuses any outcome for an operation that is already final", async (t) => {
  for (const kind of ["payment", "capture", "void", "refund"] as const) {
    for (const status of ["succeeded", "failed"] as const) {
      for (const name of Object.keys(OUTCOMES) as OutcomeName[]) {
        await t.step(`${kind} ${status} + ${name}`, () => {
          const result = settle(operation(kind, { status }), paymentFor(kind), OUTCOMES[name], CONTEXT);
          assert(!result.ok);
          equal(result.error.kind, "already_final");
          assert(result.error.detail.includes(status), result.error.detail);
        });
      }
    }
  }
});

Deno.test("settle() refuses an outcome its payment cannot take", async (t) => {
  const voided = {
    ...value(reserveCapture(authorizedPayment(), MODIFICATION_MINOR, RULES)),
    state: "voided" as const,
  };
  const rows: readonly (readonly [string, Operation, Payment, OutcomeName])[] = [
    ["payment result for a settled payment", operation("payment"), authorizedPayment(), "succeeded"],
    [
      "payment decline for a failed payment",
      operation("payment"),
      value(settlePayment(freshPayment(), "rejected")),
      "failed",
    ],
    ["capture success on a voided payment", operation("capture"), voided, "succeeded"],
    ["void success on a captured payment", operation("void"), soldPayment(), "succeeded"],
  ];
  for (const [name, op, payment, outcome] of rows) {
    await t.step(name, () => {
      const result = settle(op, payment, OUTCOMES[outcome], CONTEXT);
      assert(!result.ok);
      equal(result.error.kind, "invalid_transition");
    });
  }
});

Deno.test("settle() sends exactly one final callback over any sequence of PSP outcomes", () => {
  const outcome = fc.constantFrom(...Object.values(OUTCOMES) as SettlingOutcome[]);
  fc.assert(
    fc.property(
      fc.constantFrom<OperationKind>("payment", "capture", "void", "refund"),
      fc.constantFrom<CaptureMode>("sale", "authorize"),
      fc.array(outcome, { maxLength: 12 }),
      (kind, mode, outcomes) => {
        let op = operation(kind);
        let payment = paymentFor(kind, mode);
        let callbacks = 0;
        for (const next of outcomes) {
          const result = settle(op, payment, next, CONTEXT);
          if (op.status === "succeeded" || op.status === "failed") {
            assert(!result.ok && result.error.kind === "already_final");
            continue;
          }
          assert(
            result.ok,
            `${kind} ${op.status} + ${next.kind}: ${JSON.stringify(result.ok ? "" : result.error)}`,
          );
          const final = result.value.operation.status === "succeeded" ||
            result.value.operation.status === "failed";
          equal(result.value.callback !== undefined, final);
          if (result.value.callback !== undefined) {
            callbacks++;
            equal(result.value.callback.succeeded, result.value.operation.status === "succeeded");
          }
          op = result.value.operation;
          payment = result.value.payment;
        }
        assert(callbacks <= 1);
      },
    ),
    { numRuns: 1_000, seed: SEED },
  );
});

// ---------------------------------------------------------------------------------------------------------
// checkAnsweredAmount()

Deno.test("checkAnsweredAmount() trusts only a confirmation of the amount and currency asked for", async (t) => {
  const asked = operation("capture");
  const rows: readonly (readonly [string, Operation, SettlingOutcome, "same" | "unknown"])[] = [
    ["same amount", asked, {
      kind: "succeeded",
      pspReference: "p",
      amount: { amountMinor: 2_500, currency: "USD" },
    }, "same"],
    ["no amount", asked, { kind: "succeeded", pspReference: "p" }, "same"],
    [
      "less",
      asked,
      { kind: "succeeded", pspReference: "p", amount: { amountMinor: 2_499, currency: "USD" } },
      "unknown",
    ],
    [
      "more",
      asked,
      { kind: "succeeded", pspReference: "p", amount: { amountMinor: 2_501, currency: "USD" } },
      "unknown",
    ],
    ["other currency", asked, {
      kind: "succeeded",
      pspReference: "p",
      amount: { amountMinor: 2_500, currency: "EUR" },
    }, "unknown"],
    ["void has no amount", operation("void"), {
      kind: "succeeded",
      pspReference: "p",
      amount: { amountMinor: 1, currency: "USD" },
    }, "same"],
    ["failure", asked, OUTCOMES.failed, "same"],
    ["pending", asked, OUTCOMES.pending, "same"],
    ["unknown", asked, OUTCOMES.unknown, "same"],
    ["requires action", asked, OUTCOMES.requires_action, "same"],
  ];
  for (const [name, op, outcome, expected] of rows) {
    await t.step(`${name} -> ${expected}`, () => {
      const checked = checkAnsweredAmount(op, outcome);
      if (expected === "same") {
        equal(checked, outcome);
        return;
      }
      equal(checked.kind, "unknown");
      equal(checked.pspReference, "p");
      assert(checked.kind === "unknown" && checked.detail.length > 0);
    });
  }
});

Deno.test("checkAnsweredAmount() turns a mismatched confirmation into an open, unreported operation", () => {
  const outcome: SettlingOutcome = {
    kind: "succeeded",
    pspReference: "psp_x",
    amount: { amountMinor: 9_999, currency: "USD" },
  };
  const op = operation("payment");
  const result = settled(
    settle(op, paymentFor("payment", "sale"), checkAnsweredAmount(op, outcome), CONTEXT),
  );
  equal(result.operation.status, "unknown");
  equal(result.operation.pspReference, "psp_x");
  equal(result.payment.state, "unknown");
  equal(result.payment.capturedMinor, 0);
  equal(result.callback, undefined);
});

// ---------------------------------------------------------------------------------------------------------
// reject()

Deno.test("reject() fails a payment before the PSP and reports it", async (t) => {
  const rows: readonly (readonly [CaptureMode, string])[] = [["sale", "payment"], [
    "authorize",
    "pre_authorize",
  ]];
  for (const [mode, kind] of rows) {
    await t.step(mode, () => {
      const reason = rejection("account_not_configured");
      const result = reject(operation("payment"), paymentFor("payment", mode), reason, 3_000);
      equal(result.operation.status, "failed");
      assertEquals(result.operation.error, reason);
      equal(result.operation.updatedAt, 3_000);
      equal(result.operation.nextCheckAt, undefined);
      equal(result.payment?.state, "failed");
      assertEquals(compact(result.callback), {
        kind,
        targetId: "payment_1",
        paymentId: "pay_1",
        succeeded: false,
        channelId: "shop.example.tok1",
        amount: "100.00",
        currency: "USD",
        test: true,
        error: "account_not_configured: The shop has no PSP credentials for this mode",
      });
    });
  }
});

Deno.test("reject() fails a payment whose buyer never came back", () => {
  const waiting = value(settlePayment(freshPayment(), "psp_requires_action", "psp_1"));
  const op = operation("payment", { status: "requires_action", pspReference: "psp_1" });
  const result = reject(op, waiting, rejection("authentication_abandoned"), 3_000);
  equal(result.operation.status, "failed");
  equal(result.payment?.state, "failed");
  equal(result.callback.channelId, "psp_1");
  assert(result.callback.error?.startsWith("authentication_abandoned: "));
});

Deno.test("reject() refuses a modification without touching its payment", async (t) => {
  const rows: readonly (readonly [OperationKind, Payment, string | undefined])[] = [
    ["capture", authorizedPayment(), "25.00"],
    ["void", soldPayment(), undefined],
    ["refund", authorizedPayment(), "25.00"],
  ];
  for (const [kind, payment, amount] of rows) {
    await t.step(kind, () => {
      const result = reject(operation(kind), payment, rejection("payment_not_capturable"), 3_000);
      equal(result.operation.status, "failed");
      equal(result.payment, payment);
      equal(result.callback.kind, kind);
      equal(result.callback.succeeded, false);
      equal(result.callback.amount, amount);
      equal(result.callback.channelId, `shop.example.tok-${kind}`);
    });
  }
});

Deno.test("reject() reports the raw amount text of a request naming an unknown payment", () => {
  const op = operation("capture", { amount: undefined, amountText: "12.345" });
  const result = reject(op, undefined, rejection("payment_not_found"), 3_000);
  equal(result.payment, undefined);
  equal(result.callback.amount, "12.345");
  equal(result.callback.currency, undefined);
  equal(
    result.callback.error,
    "payment_not_found: No payment with this id for this shop, extension and mode",
  );
});

Deno.test("reject() throws for an operation or payment that can no longer be refused", async (t) => {
  const rows: readonly (readonly [string, Operation, Payment | undefined])[] = [
    ["succeeded operation", operation("capture", { status: "succeeded" }), authorizedPayment()],
    ["failed operation", operation("capture", { status: "failed" }), authorizedPayment()],
    ["unknown operation", operation("capture", { status: "unknown" }), authorizedPayment()],
    ["settled payment", operation("payment"), authorizedPayment()],
  ];
  for (const [name, op, payment] of rows) {
    await t.step(name, () => {
      assertThrows(() => reject(op, payment, rejection("account_not_configured"), 3_000), Error);
    });
  }
});

// ---------------------------------------------------------------------------------------------------------
// callbackFor() and answerOf()

Deno.test("callbackFor() throws for an operation that is not final", async (t) => {
  for (const status of ["processing", "requires_action", "unknown"] as const) {
    await t.step(status, () => {
      assertThrows(() => callbackFor(operation("capture", { status }), authorizedPayment()), Error);
    });
  }
});

Deno.test("callbackFor() carries the live or test flag of the operation", () => {
  equal(callbackFor(operation("refund", { status: "succeeded", test: false }), soldPayment()).test, false);
  equal(callbackFor(operation("refund", { status: "succeeded", test: true }), soldPayment()).test, true);
});

Deno.test("answerOf() describes an operation for Genstore's synchronous answer", async (t) => {
  const waiting = (redirect: Payment["redirect"]) => ({
    ...freshPayment(),
    state: "requires_action" as const,
    redirect,
  });
  const rows: readonly (readonly [string, Operation, Payment | undefined, object])[] = [
    ["processing", operation("payment", { pspReference: "p" }), freshPayment(), { pspReference: "p" }],
    ["unknown", operation("payment", { status: "unknown" }), freshPayment(), {}],
    ["succeeded", operation("capture", { status: "succeeded", pspReference: "p" }), authorizedPayment(), {
      pspReference: "p",
    }],
    [
      "failed",
      operation("payment", { status: "failed", error: rejection("card_unreadable") }),
      freshPayment(),
      {
        error: "card_unreadable: The encrypted card data could not be decrypted",
      },
    ],
    ["failed without error", operation("payment", { status: "failed", pspReference: "p" }), undefined, {
      pspReference: "p",
    }],
    [
      "GET redirect",
      operation("payment", { status: "requires_action", pspReference: "p" }),
      waiting({ url: "https://psp.example/pay?x=1", method: "GET" }),
      { pspReference: "p", redirectUrl: "https://psp.example/pay?x=1" },
    ],
    [
      "GET redirect with form data",
      operation("payment", { status: "requires_action" }),
      waiting({ url: "https://psp.example/pay", method: "GET", data: { x: "1" } }),
      { redirectUrl: REDIRECT_PAGE },
    ],
    [
      "POST redirect",
      operation("payment", { status: "requires_action" }),
      waiting({ url: "https://acs.example/challenge", method: "POST", data: { creq: "abc" } }),
      { redirectUrl: REDIRECT_PAGE },
    ],
    [
      "requires action without a known redirect",
      operation("payment", { status: "requires_action" }),
      undefined,
      { redirectUrl: REDIRECT_PAGE },
    ],
  ];
  for (const [name, op, payment, expected] of rows) {
    await t.step(name, () => {
      assertEquals(compact(answerOf(op, payment, REDIRECT_PAGE)), expected);
    });
  }
});

Deno.test("answerOf() sends the buyer straight to a GET redirect produced by settle()", () => {
  const outcome: SettlingOutcome = {
    kind: "requires_action",
    redirect: { url: "https://wallet.example/go", method: "GET" },
    resume: {},
    pspReference: "p",
  };
  const result = settled(settle(operation("payment"), freshPayment(), outcome, CONTEXT));
  assertEquals(compact(answerOf(result.operation, result.payment, REDIRECT_PAGE)), {
    pspReference: "p",
    redirectUrl: "https://wallet.example/go",
  });
});
