/**
 * The buyer's page at an order's `payer-action` (or `approve`) link, `/checkoutnow?token=<order id>`: a plain
 * form (the kit's hosted page) whose buttons POST `action=approve|fail|cancel` to the page itself, answered
 * with a 303 as PayPal redirects the buyer: to `return_url?token=<order id>&PayerID=<payer id>` after an
 * approval, to `cancel_url?token=<order id>` after a cancel.
 *
 * Sandbox semantics (contract sections 7 and 8): `approve` approves the order with a funding source that pays;
 * `fail` approves it with one that declines, so the gateway's capture comes back DECLINED (its authorization
 * DENIED); `cancel` voids the order at once. Real PayPal leaves a cancelled order unapproved (it expires
 * later) and the gateway fails it at ACTION_TIMEOUT_MS; the emulator voids it so a cancel ends at once, and
 * the gateway sees a VOIDED order when it asks.
 * @module
 */
import {
  type EmulatorState,
  hostedPage,
  messagePage,
  readPageAction,
  seeOther,
  type StateTransaction,
} from "../../kit/emulator/mod.ts";
import { formatAmount } from "../../../src/plugin_api.ts";
import type { AppBook } from "./accounts.ts";
import type { EmulatorContext } from "./context.ts";
import { payerId } from "./ids.ts";
import { type OrderRecord, ORDERS } from "./records.ts";
import { renderOrder } from "./render.ts";

export const PAGE_ACTIONS = ["approve", "fail", "cancel"] as const;
export type PageAction = typeof PAGE_ACTIONS[number];

function awaitingBuyer(order: OrderRecord): boolean {
  return order.status === "CREATED" || order.status === "PAYER_ACTION_REQUIRED";
}

export function showApproval(state: EmulatorState, orderId: string | undefined): Promise<Response> {
  const order = orderId === undefined
    ? undefined
    : state.read((view) => view.get<OrderRecord>(ORDERS, orderId));
  if (order === undefined) return messagePage("Order not found", "This PayPal order does not exist.", 404);
  const amount = `${formatAmount(order.unit.amount)} ${order.unit.amount.currency}`;
  const answered = awaitingBuyer(order)
    ? []
    : [`This order is already ${order.status.toLowerCase()}; answering again only returns you to the shop.`];
  const details: [string, string][] = [["Amount", amount]];
  if (order.unit.description !== undefined) details.push(["Description", order.unit.description]);
  if (order.unit.invoiceId !== undefined) details.push(["Invoice", order.unit.invoiceId]);
  return hostedPage({
    title: "Pay with PayPal (sandbox)",
    paragraphs: [
      `Approve paying ${amount} from your PayPal sandbox account, approve with a funding source that will be ` +
      "declined, or cancel and return to the shop.",
      ...answered,
    ],
    details,
    actions: [
      { action: "approve", label: "Approve payment" },
      { action: "fail", label: "Approve with a declining funding source" },
      { action: "cancel", label: "Cancel and return to the shop" },
    ],
    onwardUrls: [order.returnUrl, order.cancelUrl].filter((url): url is string => url !== undefined),
  });
}

export async function answerApproval(
  ctx: EmulatorContext,
  state: EmulatorState,
  apps: AppBook,
  orderId: string | undefined,
  request: Request,
): Promise<Response> {
  const action = await readPageAction(request, PAGE_ACTIONS);
  if (action === undefined) return messagePage("Bad request", "Choose approve, fail or cancel.", 400);
  const order = await state.transaction((tx) => decide(ctx, tx, apps, orderId, action));
  if (order === undefined) return messagePage("Order not found", "This PayPal order does not exist.", 404);
  const onward = action === "cancel" ? order.cancelUrl : order.returnUrl;
  if (onward === undefined) {
    return messagePage("Done", "The merchant gave no page to return to; you may close this window.", 200);
  }
  const url = new URL(onward);
  url.searchParams.set("token", order.id);
  if (action !== "cancel" && order.payerId !== undefined) url.searchParams.set("PayerID", order.payerId);
  return seeOther(url.href);
}

/** The buyer's decision, taken only while the order awaits it; a second answer changes nothing. */
function decide(
  ctx: EmulatorContext,
  tx: StateTransaction,
  apps: AppBook,
  orderId: string | undefined,
  action: PageAction,
): OrderRecord | undefined {
  const order = orderId === undefined ? undefined : tx.get<OrderRecord>(ORDERS, orderId);
  if (order === undefined || !awaitingBuyer(order)) return order;
  const now = ctx.now();
  const next: OrderRecord = action === "cancel" ? { ...order, status: "VOIDED", updatedAt: now } : {
    ...order,
    status: "APPROVED",
    payerId: payerId(),
    funding: action === "approve" ? "pays" : "declines",
    updatedAt: now,
  };
  tx.put(ORDERS, order.id, next);
  const app = apps.byClientId(order.app);
  if (app !== undefined) {
    const eventType = action === "cancel" ? "CHECKOUT.ORDER.VOIDED" : "CHECKOUT.ORDER.APPROVED";
    const resource = renderOrder(tx, next, ctx.publicUrl, "representation");
    tx.afterCommit(() => void ctx.webhooks.emit(app, eventType, "checkout-order", resource));
  }
  return next;
}
