/**
 * How the plugin's tests make an offsite payment: pay, the buyer approves on the emulator's hosted page (as a
 * browser would: the kit's driveBuyerPage), then the plugin continues.
 */
import { deepStrictEqual } from "node:assert/strict";
import type { Money, PayInput, PspPlugin } from "../../src/plugin_api.ts";
import { driveBuyerPage } from "../kit/conformance/mod.ts";
import type { Harness } from "./emulator/mod.ts";
import { context, reference } from "./test_support.ts";

export function payInput(
  captureMode: "sale" | "authorize",
  amount: Money = { amountMinor: 1000, currency: "EUR" },
): PayInput {
  const paymentReference = reference();
  return {
    reference: paymentReference,
    amount,
    captureMode,
    returnUrl: `https://gateway.example/v1/return/${paymentReference}`,
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
  const action = await plugin.pay(input, context(harness));
  if (action.kind !== "requires_action") throw new Error(`pay() answered ${JSON.stringify(action)}`);
  const returnParams = await driveBuyerPage(action.redirect, "approve", input.returnUrl);
  const outcome = await plugin.continueAfterRedirect(
    {
      reference: input.reference,
      amount: input.amount,
      pspReference: action.pspReference,
      resume: action.resume,
      returnParams,
    },
    context(harness),
  );
  deepStrictEqual(outcome.kind, "succeeded", JSON.stringify(outcome));
  return { input, pspReference: outcome.kind === "succeeded" ? outcome.pspReference : "" };
}

/** The body of a raw POST /payments: a payment waiting for the buyer. */
export function rawPaymentBody(paymentReference: string): Record<string, unknown> {
  return {
    reference: paymentReference,
    amount: { value: 1000, currency: "EUR" },
    capture: true,
    method: "redirect",
    returnUrl: "https://gateway.example/v1/return/x",
  };
}

/** A payment made with raw HTTP and approved by the buyer on the hosted page: the API's Payment object. */
export async function rawApprovedPayment(
  base: string,
  apiKey: string,
  key: string,
  paymentReference: string,
) {
  const headers = { authorization: `Bearer ${apiKey}`, "content-type": "application/json" };
  const body = rawPaymentBody(paymentReference);
  const created = await fetch(`${base}/payments`, {
    method: "POST",
    headers: { ...headers, "idempotency-key": key },
    body: JSON.stringify(body),
  });
  const payment = await created.json();
  await driveBuyerPage({ url: payment.redirectUrl, method: "GET" }, "approve", String(body.returnUrl));
  return await (await fetch(`${base}/payments/${payment.id}`, { headers })).json();
}
