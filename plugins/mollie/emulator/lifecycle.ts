/**
 * How payments and refunds move at the emulated Mollie, as transition tables, and what each move sets off:
 * Mollie calls the payment's webhook when the payment becomes paid, failed, canceled or expired, and when a
 * refund of it becomes refunded or failed (https://docs.mollie.com/reference/webhooks). Moves that happen on
 * their own (an open payment expiring, a pending one settling, a queued refund deciding) are made by a sweep
 * that runs every few milliseconds and after a restart alike, since their times are in the state.
 * @module
 */
import type { NotificationSender, StateTransaction } from "../../kit/emulator/mod.ts";
import {
  PAYMENTS,
  type PaymentStatus,
  REFUNDS,
  type RefundStatus,
  type StoredPayment,
  type StoredRefund,
} from "./records.ts";

/** What can happen to a payment: the buyer's choice on the checkout, the bank, or the clock. */
export type PaymentEvent = "approve" | "process" | "fail" | "cancel" | "expire" | "settle";

/** Legal moves only; a missing edge is illegal. Final statuses have none. */
export const PAYMENT_MOVES: {
  readonly [S in PaymentStatus]: Readonly<Partial<Record<PaymentEvent, PaymentStatus>>>;
} = {
  open: { approve: "paid", process: "pending", fail: "failed", cancel: "canceled", expire: "expired" },
  // The buyer finished and the bank still processes: it ends paid, or failed; it no longer expires.
  pending: { settle: "paid", fail: "failed" },
  // Only for methods with an authorization step, which the emulator does not offer.
  authorized: {},
  paid: {},
  canceled: {},
  expired: {},
  failed: {},
};

export type RefundEvent = "settle_refunded" | "settle_failed";

export const REFUND_MOVES: {
  readonly [S in RefundStatus]: Readonly<Partial<Record<RefundEvent, RefundStatus>>>;
} = {
  queued: { settle_refunded: "refunded", settle_failed: "failed" },
  pending: { settle_refunded: "refunded", settle_failed: "failed" },
  processing: { settle_refunded: "refunded", settle_failed: "failed" },
  refunded: {},
  failed: {},
  canceled: {},
};

/** Payment statuses whose arrival Mollie announces with a webhook. */
const ANNOUNCED: ReadonlySet<string> = new Set(["paid", "authorized", "failed", "canceled", "expired"]);

export interface WebhookMeta {
  readonly paymentId: string;
  /** What the webhook announces: the payment's new status, or a refund's (`refund:<id>:<status>`). */
  readonly reason: string;
}

export interface Lifecycle {
  /** Moves a payment in `tx`; undefined when the move is illegal from its status. */
  movePayment(tx: StateTransaction, payment: StoredPayment, event: PaymentEvent): StoredPayment | undefined;
  /** Makes every move that is due, in one transaction. */
  sweep(tx: StateTransaction): void;
  /** The earliest time a sweep has anything to do, after the last sweep or move. */
  nextDueAt(): number;
  /** Tells the lifecycle that something is due at `at` (a payment created, a refund queued). */
  dueAt(at: number): void;
}

export interface LifecycleSettings {
  readonly now: () => number;
  /** How long a pending payment takes to become paid. */
  readonly settleAfterMs: number;
  readonly webhooks: NotificationSender<WebhookMeta>;
}

export function createLifecycle(settings: LifecycleSettings): Lifecycle {
  let next = 0;
  const { now, webhooks } = settings;

  function announce(tx: StateTransaction, payment: StoredPayment, reason: string): void {
    const url = payment.webhookUrl;
    if (url === undefined) return;
    // Mollie's webhook: a form with the payment's id, nothing else (the receiver must fetch the payment).
    tx.afterCommit(() =>
      webhooks.send(url, { paymentId: payment.id, reason }, () => ({
        body: new URLSearchParams({ id: payment.id }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }))
    );
  }

  function movePayment(tx: StateTransaction, payment: StoredPayment, event: PaymentEvent) {
    const to = PAYMENT_MOVES[payment.status][event];
    if (to === undefined) return undefined;
    const at = now();
    const moved: StoredPayment = {
      ...payment,
      status: to,
      paidWith: to === "paid" || to === "pending" ? payment.method ?? "ideal" : payment.paidWith,
      settlesAt: to === "pending" ? at + settings.settleAfterMs : undefined,
      paidAt: to === "paid" ? at : payment.paidAt,
      canceledAt: to === "canceled" ? at : payment.canceledAt,
      expiredAt: to === "expired" ? at : payment.expiredAt,
      failedAt: to === "failed" ? at : payment.failedAt,
    };
    tx.put(PAYMENTS, moved.id, moved);
    if (moved.settlesAt !== undefined) next = Math.min(next, moved.settlesAt);
    if (ANNOUNCED.has(to)) announce(tx, moved, to);
    return moved;
  }

  function moveRefund(tx: StateTransaction, refund: StoredRefund): void {
    const to =
      REFUND_MOVES[refund.status][refund.outcome === "refunded" ? "settle_refunded" : "settle_failed"];
    const payment = tx.get<StoredPayment>(PAYMENTS, refund.paymentId);
    if (to === undefined || payment === undefined) return;
    tx.put(REFUNDS, refund.id, { ...refund, status: to });
    // A failed refund gives its amount back to what the payment can still refund.
    const settled = to === "failed"
      ? { ...payment, refundedMinor: payment.refundedMinor - refund.amount.amountMinor }
      : payment;
    if (settled !== payment) tx.put(PAYMENTS, payment.id, settled);
    announce(tx, settled, `refund:${refund.id}:${to}`);
  }

  function sweep(tx: StateTransaction): void {
    const at = now();
    next = Number.POSITIVE_INFINITY;
    for (const payment of tx.list<StoredPayment>(PAYMENTS)) {
      const due = payment.status === "open" ? payment.expiresAt : payment.settlesAt;
      if (due === undefined || (payment.status !== "open" && payment.status !== "pending")) continue;
      if (due > at) next = Math.min(next, due);
      else movePayment(tx, payment, payment.status === "open" ? "expire" : "settle");
    }
    for (const refund of tx.list<StoredRefund>(REFUNDS)) {
      if (Object.keys(REFUND_MOVES[refund.status]).length === 0) continue;
      if (refund.settlesAt > at) next = Math.min(next, refund.settlesAt);
      else moveRefund(tx, refund);
    }
  }

  return {
    movePayment,
    sweep,
    nextDueAt: () => next,
    dueAt(at) {
      next = Math.min(next, at);
    },
  };
}
