/**
 * What the emulator keeps about payments and refunds (JSON in its state), and how it shows them: Mollie's
 * payment and refund objects in HAL JSON, with the links Mollie gives (checkout only while the payment is open,
 * refunds once it has some).
 * @module
 */
import type { Money } from "../../../src/plugin_api.ts";
import { decimalAmount } from "../../kit/mod.ts";
import { DOCUMENTATION_LINK } from "./errors.ts";

export type PaymentStatus = "open" | "pending" | "authorized" | "paid" | "canceled" | "expired" | "failed";
export type RefundStatus = "queued" | "pending" | "processing" | "refunded" | "failed" | "canceled";

export interface StoredPayment {
  readonly id: string;
  /** The SHA-256 of the API key that created it: only that key sees it. */
  readonly account: string;
  readonly profileId: string;
  readonly createdAt: number;
  readonly amount: Money;
  readonly description: string;
  readonly redirectUrl: string;
  readonly cancelUrl?: string;
  readonly webhookUrl?: string;
  readonly metadata: unknown;
  /** The method asked for at creation, if any; the buyer "chooses" one on the checkout otherwise. */
  readonly method?: string;
  readonly paidWith?: string;
  readonly status: PaymentStatus;
  /** When an open payment expires (Mollie: about 15 minutes for iDEAL). */
  readonly expiresAt: number;
  /** When a pending payment (the bank still processing) becomes paid. */
  readonly settlesAt?: number;
  readonly paidAt?: number;
  readonly canceledAt?: number;
  readonly expiredAt?: number;
  readonly failedAt?: number;
  /** Minor units refunded or being refunded (queued, pending, processing, refunded). */
  readonly refundedMinor: number;
  readonly refundIds: readonly string[];
}

export interface StoredRefund {
  readonly id: string;
  readonly paymentId: string;
  readonly account: string;
  readonly createdAt: number;
  readonly amount: Money;
  readonly description: string;
  readonly metadata: unknown;
  readonly status: RefundStatus;
  /** When a queued refund is decided. */
  readonly settlesAt: number;
  /** What it becomes then. */
  readonly outcome: "refunded" | "failed";
}

export const PAYMENTS = "payments";
export const REFUNDS = "refunds";

/** Mollie's timestamps: ISO 8601 in UTC, seconds, `+00:00`. */
export function timestamp(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace(".000Z", "+00:00");
}

export function amountObject(money: Money): { currency: string; value: string } {
  return { currency: money.currency, value: decimalAmount(money) };
}

function link(href: string, type = "application/hal+json") {
  return { href, type };
}

/** The checkout page of a payment: where `_links.checkout` sends the buyer. */
export function checkoutUrl(publicUrl: string, payment: Pick<StoredPayment, "id">): string {
  return `${publicUrl}/checkout/select-method/${payment.id.slice(3)}`;
}

/** The payment object, as Mollie answers create and get. */
export function paymentResource(publicUrl: string, payment: StoredPayment): Record<string, unknown> {
  const refundable = payment.status === "paid"
    ? payment.amount.amountMinor - payment.refundedMinor
    : undefined;
  const resource: Record<string, unknown> = {
    resource: "payment",
    id: payment.id,
    mode: "test",
    createdAt: timestamp(payment.createdAt),
    amount: amountObject(payment.amount),
    description: payment.description,
    method: payment.paidWith ?? payment.method ?? null,
    metadata: payment.metadata,
    status: payment.status,
    isCancelable: false,
    profileId: payment.profileId,
    sequenceType: "oneoff",
    redirectUrl: payment.redirectUrl,
  };
  if (payment.cancelUrl !== undefined) resource.cancelUrl = payment.cancelUrl;
  if (payment.webhookUrl !== undefined) resource.webhookUrl = payment.webhookUrl;
  if (payment.status === "open") resource.expiresAt = timestamp(payment.expiresAt);
  for (
    const [field, at] of [
      ["paidAt", payment.paidAt],
      ["canceledAt", payment.canceledAt],
      ["expiredAt", payment.expiredAt],
      ["failedAt", payment.failedAt],
    ] as const
  ) {
    if (at !== undefined) resource[field] = timestamp(at);
  }
  if (refundable !== undefined) {
    resource.amountRefunded = amountObject({ ...payment.amount, amountMinor: payment.refundedMinor });
    resource.amountRemaining = amountObject({ ...payment.amount, amountMinor: refundable });
  }
  resource._links = paymentLinks(publicUrl, payment);
  return resource;
}

/** A payment's HAL links: the checkout only while it is open, its refunds once it has some. */
function paymentLinks(publicUrl: string, payment: StoredPayment): Record<string, unknown> {
  const self = `${publicUrl}/v2/payments/${payment.id}`;
  const links: Record<string, unknown> = { self: link(self) };
  if (payment.status === "open") links.checkout = link(checkoutUrl(publicUrl, payment), "text/html");
  links.dashboard = link(`${publicUrl}/dashboard/payments/${payment.id}`, "text/html");
  if (payment.refundIds.length > 0) links.refunds = link(`${self}/refunds`);
  links.documentation = DOCUMENTATION_LINK;
  return links;
}

/** The refund object, as Mollie answers create, get and list. */
export function refundResource(publicUrl: string, refund: StoredRefund): Record<string, unknown> {
  const payment = `${publicUrl}/v2/payments/${refund.paymentId}`;
  return {
    resource: "refund",
    id: refund.id,
    mode: "test",
    description: refund.description,
    amount: amountObject(refund.amount),
    metadata: refund.metadata,
    paymentId: refund.paymentId,
    status: refund.status,
    createdAt: timestamp(refund.createdAt),
    _links: {
      self: link(`${payment}/refunds/${refund.id}`),
      payment: link(payment),
      documentation: DOCUMENTATION_LINK,
    },
  };
}

/** A new Mollie-style id: the prefix and ten letters and digits. */
export function newId(prefix: "tr_" | "re_"): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  return prefix + Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join("");
}

/** The gateway reference a record carries in its metadata, if any. */
export function metadataReference(metadata: unknown): string | undefined {
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) return undefined;
  const reference = (metadata as Record<string, unknown>).reference;
  return typeof reference === "string" ? reference : undefined;
}
