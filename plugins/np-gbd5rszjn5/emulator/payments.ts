/**
 * Offsite payments of the template API: POST /payments with `method: "redirect"` creates a payment waiting
 * for the buyer (`requires_action`) and names its hosted page. The page is a plain form (contract section 7):
 * approve authorises (or captures) the payment, fail declines it, cancel cancels it; each answers 303 back to
 * the payment's return URL and notifies the account. A payment nobody finishes expires.
 * @module
 */
import type { Hono } from "hono";
import {
  hostedPage,
  type Json,
  messagePage,
  readPageAction,
  seeOther,
  type StateTransaction,
} from "../../kit/emulator/mod.ts";
import type { Caller } from "./accounts.ts";
import { type Handler, refused } from "./api_call.ts";
import type { FlowDeps, PaymentFlow } from "./flow.ts";
import {
  allPayments,
  approvedLedger,
  newId,
  paymentBasics,
  paymentById,
  paymentObject,
  type PaymentRecord,
  savePayment,
} from "./records.ts";

const ACTIONS = ["approve", "fail", "cancel"] as const;
type Action = typeof ACTIONS[number];

function create(deps: FlowDeps): Handler {
  return (caller: Caller, body: Json, tx: StateTransaction) => {
    const basics = paymentBasics(body);
    if (typeof basics === "string") return refused(400, "invalid_request", basics);
    if (body.method !== "redirect") return refused(400, "invalid_request", 'method must be "redirect"');
    const returnUrl = typeof body.returnUrl === "string" && /^https?:\/\//.test(body.returnUrl)
      ? body.returnUrl
      : undefined;
    if (returnUrl === undefined) return refused(400, "invalid_request", "returnUrl must be an http(s) URL");
    const id = newId("pay");
    const payment: PaymentRecord = {
      id,
      scope: caller.scope,
      ...basics,
      status: "requires_action",
      message: "Waiting for the buyer",
      redirectUrl: `${deps.publicUrl}/checkout/${id}`,
      returnUrl,
    };
    savePayment(tx, payment);
    return { kind: "answered", status: 201, body: paymentObject(payment) };
  };
}

/** The payment after the buyer's action on the page. */
function decided(payment: PaymentRecord, action: Action): PaymentRecord {
  switch (action) {
    case "approve":
      return {
        ...payment,
        status: payment.capture ? "captured" : "authorized",
        message: "Approved by the buyer",
        ledger: approvedLedger(payment.amount, payment.capture),
      };
    case "fail":
      return { ...payment, status: "declined", declineCode: "payment_declined", message: "Declined" };
    case "cancel":
      return { ...payment, status: "canceled", message: "Cancelled by the buyer" };
  }
}

async function showPage(deps: FlowDeps, id: string): Promise<Response> {
  const payment = deps.state.read((view) => paymentById(view, id));
  if (payment === undefined) return await messagePage("Unknown payment", "This payment does not exist.", 404);
  if (payment.status !== "requires_action") {
    return await messagePage("Payment finished", `This payment is ${payment.status}.`, 200);
  }
  const amount = `${payment.amount.value} ${payment.amount.currency} (minor units)`;
  return await hostedPage({
    title: "Np Gbd5rszjn5",
    paragraphs: ["Approve this payment, fail it, or cancel it."],
    details: [["Amount", amount], ["Reference", payment.reference]],
    actions: [
      { action: "approve", label: "Approve" },
      { action: "fail", label: "Fail" },
      { action: "cancel", label: "Cancel" },
    ],
    onwardUrls: payment.returnUrl === undefined ? [] : [payment.returnUrl],
  });
}

async function answerPage(deps: FlowDeps, id: string, request: Request): Promise<Response> {
  const action = await readPageAction(request, ACTIONS);
  if (action === undefined) return await messagePage("Bad request", "Choose approve, fail or cancel.", 400);
  const returnUrl = await deps.state.transaction((tx) => {
    const payment = paymentById(tx, id);
    if (payment === undefined) return undefined;
    // A page answered twice (a reload, a second tab) changes nothing: the buyer goes back to the shop.
    if (payment.status === "requires_action") {
      const after = decided(payment, action);
      savePayment(tx, after);
      deps.notifier.notify(tx, payment.scope, "payment.updated", paymentObject(after));
    }
    return payment.returnUrl;
  });
  if (returnUrl === undefined) {
    return await messagePage("Unknown payment", "This payment does not exist.", 404);
  }
  return seeOther(returnUrl);
}

export function paymentFlow(deps: FlowDeps): PaymentFlow {
  return {
    create: create(deps),
    mount(app: Hono) {
      app.get("/checkout/:id", (c) => showPage(deps, c.req.param("id")));
      app.post("/checkout/:id", (c) => answerPage(deps, c.req.param("id"), c.req.raw));
    },
    async expire(reference) {
      await deps.state.transaction((tx) => {
        for (const payment of allPayments(tx)) {
          if (payment.reference !== reference || payment.status !== "requires_action") continue;
          const expired: PaymentRecord = {
            ...payment,
            status: "expired",
            message: "The buyer never finished",
          };
          savePayment(tx, expired);
          deps.notifier.notify(tx, payment.scope, "payment.updated", paymentObject(expired));
        }
      });
    },
  };
}
