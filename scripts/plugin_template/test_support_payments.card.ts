/**
 * How the plugin's tests make a card payment: the approving test card, paid at once.
 */
import { deepStrictEqual } from "node:assert/strict";
import type { CardDetails, Money, PayInput, PspPlugin } from "../../src/plugin_api.ts";
import type { Harness } from "./emulator/mod.ts";
import { context, reference } from "./test_support.ts";

const FUTURE_YEAR = String(new Date().getUTCFullYear() + 3);

export function card(number: string): CardDetails {
  return { number, expiryMonth: "03", expiryYear: FUTURE_YEAR, cvv: "123" };
}

export function payInput(
  captureMode: "sale" | "authorize",
  amount: Money = { amountMinor: 1000, currency: "EUR" },
): PayInput {
  return {
    reference: reference(),
    amount,
    captureMode,
    card: card("4242424242424242"),
    returnUrl: "https://gateway.example/v1/return/x",
    shopper: {},
  };
}

/** An approved payment: its input and the PSP's reference of it. */
export async function approvedPayment(
  plugin: PspPlugin,
  harness: Harness,
  captureMode: "sale" | "authorize",
) {
  const input = payInput(captureMode);
  const outcome = await plugin.pay(input, context(harness));
  deepStrictEqual(outcome.kind, "succeeded", JSON.stringify(outcome));
  return { input, pspReference: outcome.kind === "succeeded" ? outcome.pspReference : "" };
}

/** The body of a raw POST /payments the emulator approves. */
export function rawPaymentBody(paymentReference: string): Record<string, unknown> {
  const { number, expiryMonth, expiryYear, cvv } = card("4242424242424242");
  return {
    reference: paymentReference,
    amount: { value: 1000, currency: "EUR" },
    capture: true,
    card: { number, expiryMonth, expiryYear, cvc: cvv },
  };
}

/** A payment made with raw HTTP and approved: the API's Payment object. */
export async function rawApprovedPayment(
  base: string,
  apiKey: string,
  key: string,
  paymentReference: string,
) {
  const created = await fetch(`${base}/payments`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${apiKey}`,
      "content-type": "application/json",
      "idempotency-key": key,
    },
    body: JSON.stringify(rawPaymentBody(paymentReference)),
  });
  return await created.json();
}
