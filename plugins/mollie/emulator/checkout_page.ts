/**
 * The hosted checkout `_links.checkout` sends the buyer to, as contract section 7 wants every emulator page: a
 * plain form that POSTs `action=approve|fail|cancel` (and `pending`, a bank that is still processing) to its
 * own URL and answers 303 to the payment's `redirectUrl` (`cancelUrl` on cancel, when the payment has one),
 * Mollie adding nothing to it. A payment that is no longer open sends the buyer straight back, as Mollie's
 * checkout does.
 * @module
 */
import { hostedPage, messagePage, readPageAction, seeOther } from "../../kit/emulator/mod.ts";
import { decimalAmount } from "../../kit/mod.ts";
import type { EmulatorContext } from "./context.ts";
import type { PaymentEvent } from "./lifecycle.ts";
import { PAYMENTS, type StoredPayment } from "./records.ts";

type Action = "approve" | "pending" | "fail" | "cancel";

const ACTIONS: readonly { action: Action; label: string; event: PaymentEvent }[] = [
  { action: "approve", label: "Paid", event: "approve" },
  {
    action: "pending",
    label: "Pending (the bank is still processing; paid a moment later)",
    event: "process",
  },
  { action: "fail", label: "Failed", event: "fail" },
  { action: "cancel", label: "Canceled", event: "cancel" },
];

function paymentOfToken(context: EmulatorContext, token: string): StoredPayment | undefined {
  if (!/^[A-Za-z0-9]{1,64}$/.test(token)) return undefined;
  return context.state.read((view) => view.get<StoredPayment>(PAYMENTS, `tr_${token}`));
}

export async function showCheckout(context: EmulatorContext, token: string): Promise<Response> {
  const payment = paymentOfToken(context, token);
  if (payment === undefined) {
    return await messagePage("Payment not found", "This checkout does not exist.", 404);
  }
  if (payment.status !== "open") return seeOther(payment.redirectUrl);
  return await hostedPage({
    title: "Mollie test payment",
    paragraphs: [
      "This is the bundled Mollie sandbox: choose the status this test payment should get.",
      "No money moves.",
    ],
    details: [
      ["Amount", `${decimalAmount(payment.amount)} ${payment.amount.currency}`],
      ["Description", payment.description],
      ["Method", payment.method ?? "any bank method"],
    ],
    actions: ACTIONS.map(({ action, label }) => ({ action, label })),
    onwardUrls: [payment.redirectUrl, ...(payment.cancelUrl === undefined ? [] : [payment.cancelUrl])],
  });
}

export async function actOnCheckout(
  context: EmulatorContext,
  token: string,
  request: Request,
): Promise<Response> {
  const action = await readPageAction(request, ACTIONS.map((entry) => entry.action));
  const event = ACTIONS.find((entry) => entry.action === action)?.event;
  const moved = await context.state.transaction((tx) => {
    const payment = paymentOfToken(context, token) === undefined
      ? undefined
      : tx.get<StoredPayment>(PAYMENTS, `tr_${token}`);
    if (payment === undefined) return { kind: "missing" as const };
    if (event === undefined) return { kind: "bad_action" as const };
    // A payment no longer open stays as it is: the buyer is just sent back (a second click, a stale tab).
    const after = context.lifecycle.movePayment(tx, payment, event) ?? payment;
    return { kind: "moved" as const, payment: after, canceled: event === "cancel" };
  });
  if (moved.kind === "missing") {
    return await messagePage("Payment not found", "This checkout does not exist.", 404);
  }
  if (moved.kind === "bad_action") {
    return await messagePage("Choose a status", "Use one of the buttons on the checkout page.", 400);
  }
  const { payment } = moved;
  return seeOther(
    moved.canceled && payment.cancelUrl !== undefined ? payment.cancelUrl : payment.redirectUrl,
  );
}
