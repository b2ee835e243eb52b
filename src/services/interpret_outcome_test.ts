import { deepStrictEqual as equal } from "node:assert/strict";
import type { Operation } from "../payment/operation.ts";
import { newPayment, type Payment } from "../payment/payment.ts";
import { interpretOutcome } from "./interpret_outcome.ts";

const PSP_TIMEOUT = 10_000;
const SENT_UNTIL = 100_000;

function operation(change: Partial<Operation> = {}): Operation {
  return {
    shop: "shop",
    kind: "payment",
    operationId: "PI1",
    paymentId: "PI1",
    extension: "card",
    test: true,
    reference: "shop.abcdefghijklmnop",
    fingerprint: "f",
    status: "unknown",
    amount: { amountMinor: 1000, currency: "EUR" },
    attempt: 1,
    pspIdempotencyKey: "gw-abcdefghijklmnop-p1",
    createdAt: 50_000,
    updatedAt: 50_000,
    checks: 3,
    sentUntil: SENT_UNTIL,
    returns: 0,
    keyFor: "request",
    ...change,
  };
}

function payment(change: Partial<Payment> = {}): Payment {
  return {
    ...newPayment({
      shop: "shop",
      paymentId: "PI1",
      extension: "card",
      plugin: "adyen",
      test: true,
      reference: "shop.abcdefghijklmnop",
      amount: { amountMinor: 1000, currency: "EUR" },
      captureMode: "sale",
    }),
    ...change,
  };
}

const NOT_RECEIVED = { kind: "not_received", detail: "no record" } as const;

Deno.test("interpretOutcome() fails a call the PSP never received once no copy of it can still arrive", () => {
  const at = SENT_UNTIL + PSP_TIMEOUT;
  equal(
    interpretOutcome(operation(), payment(), NOT_RECEIVED, {
      now: at,
      pspTimeoutMs: PSP_TIMEOUT,
      buyerActions: true,
      source: "reconciliation",
    }),
    {
      kind: "failed",
      code: "processing_error",
      message: "not received by the PSP: no record",
    },
  );
});

Deno.test("interpretOutcome() keeps asking while a copy of the call may still reach the PSP", () => {
  const outcome = interpretOutcome(operation(), payment(), NOT_RECEIVED, {
    now: SENT_UNTIL + PSP_TIMEOUT - 1,
    pspTimeoutMs: PSP_TIMEOUT,
    buyerActions: true,
    source: "reconciliation",
  });
  equal(outcome.kind, "unknown");
});

Deno.test("interpretOutcome() believes 'not received' only from a query", () => {
  for (const source of ["psp_answer", "buyer_return", "notification", "request"] as const) {
    const outcome = interpretOutcome(operation(), payment(), NOT_RECEIVED, {
      now: SENT_UNTIL * 10,
      pspTimeoutMs: PSP_TIMEOUT,
      buyerActions: true,
      source,
    });
    equal(outcome.kind, "unknown", source);
  }
});

Deno.test("interpretOutcome() leaves a payment whose return the PSP refused waiting on the same redirect", () => {
  const redirect = { url: "https://psp.example/3ds", method: "GET" as const };
  const waiting = payment({ state: "requires_action", redirect, resume: { a: "b" }, pspReference: "P1" });
  equal(
    interpretOutcome(operation({ status: "requires_action" }), waiting, {
      kind: "return_refused",
      detail: "x",
    }, {
      now: 1,
      pspTimeoutMs: PSP_TIMEOUT,
      buyerActions: true,
      source: "buyer_return",
    }),
    { kind: "requires_action", redirect, resume: { a: "b" }, pspReference: "P1" },
  );
});

Deno.test("interpretOutcome() passes every other outcome through unchanged", () => {
  const outcomes = [
    { kind: "succeeded", pspReference: "P" },
    { kind: "failed", code: "card_declined", message: "no" },
    { kind: "pending", pspReference: "P" },
    { kind: "unknown", detail: "timeout" },
  ] as const;
  for (const outcome of outcomes) {
    equal(
      interpretOutcome(operation(), payment(), outcome, {
        now: 1,
        pspTimeoutMs: 1,
        source: "psp_answer",
        buyerActions: true,
      }),
      outcome,
    );
  }
});

Deno.test("interpretOutcome() believes a buyer action only for a payment of a plugin that declares them", () => {
  const action = {
    kind: "requires_action",
    redirect: { url: "https://psp.example/page", method: "GET" },
    resume: {},
  } as const;
  const at = { now: 1, pspTimeoutMs: 1, source: "psp_answer" } as const;
  equal(interpretOutcome(operation(), payment(), action, { ...at, buyerActions: true }), action);
  equal(interpretOutcome(operation(), payment(), action, { ...at, buyerActions: false }).kind, "unknown");
  equal(
    interpretOutcome(operation({ kind: "refund" }), payment(), action, { ...at, buyerActions: true }).kind,
    "unknown",
  );
});
