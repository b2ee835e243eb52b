/**
 * PayPal's order resource, both ways: the create-order body the gateway sends, and a checked view of the
 * order PayPal answers (its status, the approval link, the first purchase unit and the captures,
 * authorizations and refunds in it). Only fields the plugin relies on are read; anything of the wrong shape
 * reads as absent, so the caller decides on what it does know.
 * @module
 */
import type { Money } from "../../src/plugin_api.ts";
import { decimalAmount, isObject, type Json, moneyFromDecimal, stringField } from "../kit/mod.ts";

export type Intent = "CAPTURE" | "AUTHORIZE";

export interface OrderRequest {
  readonly reference: string;
  readonly amount: Money;
  readonly captureMode: "sale" | "authorize";
  readonly returnUrl: string;
  readonly description?: string;
  readonly acceptLanguage?: string;
}

export function intentOf(captureMode: "sale" | "authorize"): Intent {
  return captureMode === "sale" ? "CAPTURE" : "AUTHORIZE";
}

/**
 * POST /v2/checkout/orders: one purchase unit whose `custom_id` and `invoice_id` are the gateway's reference
 * (notifications and lookups name it), and a PayPal wallet payment source whose return and cancel URLs are
 * both the gateway's return route, which never trusts the browser. `PAY_NOW`: the gateway captures (or
 * authorizes) on the buyer's return, with no review step on the merchant's side; `NO_SHIPPING`: Genstore
 * handles the shipping address, so PayPal must not ask for one.
 */
export function createOrderBody(request: OrderRequest): Json {
  const purchaseUnit: Json = {
    custom_id: request.reference,
    invoice_id: request.reference,
    amount: { currency_code: request.amount.currency, value: decimalAmount(request.amount) },
  };
  const description = cleanDescription(request.description);
  if (description !== undefined) purchaseUnit.description = description;
  const experience: Json = {
    return_url: request.returnUrl,
    cancel_url: request.returnUrl,
    user_action: "PAY_NOW",
    shipping_preference: "NO_SHIPPING",
  };
  const locale = localeOf(request.acceptLanguage);
  if (locale !== undefined) experience.locale = locale;
  return {
    intent: intentOf(request.captureMode),
    purchase_units: [purchaseUnit],
    payment_source: { paypal: { experience_context: experience } },
  };
}

/** PayPal shows the description to the buyer: printable text, at most the spec's 127 characters. */
function cleanDescription(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const printable = Array.from(text, (char) => char.charCodeAt(0) < 0x20 ? " " : char).join("").trim();
  return printable === "" ? undefined : Array.from(printable).slice(0, 127).join("");
}

/** The buyer's first language as PayPal's five-character locale (`nl-NL`), when it is one. */
function localeOf(acceptLanguage: string | undefined): string | undefined {
  const first = acceptLanguage?.split(",")[0]?.split(";")[0]?.trim();
  return first !== undefined && /^[a-z]{2}-[A-Z]{2}$/.test(first) ? first : undefined;
}

export interface CaptureView {
  readonly id: string;
  readonly status?: string;
  readonly amount?: Money;
  readonly invoiceId?: string;
  readonly customId?: string;
  readonly reason?: string;
}

export interface RefundView extends CaptureView {
  /** The capture the refund belongs to, from its `up` link. */
  readonly captureId?: string;
}

export interface OrderView {
  readonly id: string;
  readonly status?: string;
  readonly intent?: string;
  /** The buyer's page: the `payer-action` link (or `approve`, for an order without a payment source). */
  readonly approveUrl?: string;
  readonly customId?: string;
  readonly amount?: Money;
  readonly captures: readonly CaptureView[];
  readonly authorizations: readonly CaptureView[];
  readonly refunds: readonly RefundView[];
}

/** The order in a PayPal answer, or undefined when the body is not one (no id). */
export function readOrder(body: Json): OrderView | undefined {
  const id = stringField(body, "id");
  if (id === undefined || id === "") return undefined;
  const unit = Array.isArray(body.purchase_units) && isObject(body.purchase_units[0])
    ? body.purchase_units[0]
    : undefined;
  const payments = isObject(unit?.payments) ? unit.payments : {};
  return {
    id,
    status: stringField(body, "status"),
    intent: stringField(body, "intent"),
    approveUrl: approvalLink(body.links),
    customId: stringField(unit, "custom_id"),
    amount: readMoney(unit?.amount),
    captures: readList(payments.captures),
    authorizations: readList(payments.authorizations),
    refunds: readRefunds(payments.refunds),
  };
}

/** A capture, authorization or refund resource (Payments v2 answers, webhook resources). */
export function readTransaction(value: unknown): CaptureView | undefined {
  if (!isObject(value)) return undefined;
  const id = stringField(value, "id");
  if (id === undefined || id === "") return undefined;
  const details = isObject(value.status_details) ? value.status_details : undefined;
  return {
    id,
    status: stringField(value, "status"),
    amount: readMoney(value.amount),
    invoiceId: stringField(value, "invoice_id"),
    customId: stringField(value, "custom_id"),
    reason: stringField(details, "reason"),
  };
}

export function readMoney(value: unknown): Money | undefined {
  if (!isObject(value)) return undefined;
  return moneyFromDecimal(value.value, value.currency_code);
}

export function sameMoney(a: Money | undefined, b: Money): boolean {
  return a !== undefined && a.amountMinor === b.amountMinor && a.currency === b.currency;
}

function readList(value: unknown): CaptureView[] {
  if (!Array.isArray(value)) return [];
  return value.map(readTransaction).filter((item): item is CaptureView => item !== undefined);
}

function readRefunds(value: unknown): RefundView[] {
  if (!Array.isArray(value)) return [];
  const refunds: RefundView[] = [];
  for (const item of value) {
    const refund = readTransaction(item);
    if (refund !== undefined) {
      refunds.push({ ...refund, captureId: upLinkId((item as Json).links, "captures") });
    }
  }
  return refunds;
}

function approvalLink(links: unknown): string | undefined {
  if (!Array.isArray(links)) return undefined;
  for (const rel of ["payer-action", "approve"]) {
    const link = links.find((item) => isObject(item) && item.rel === rel);
    const href = isObject(link) ? link.href : undefined;
    const method = isObject(link) ? link.method : undefined;
    if (typeof href === "string" && /^https?:\/\//.test(href) && (method === undefined || method === "GET")) {
      return href;
    }
  }
  return undefined;
}

/** The id at the end of a resource's `up` link into `/v2/payments/{collection}/{id}`. */
export function upLinkId(links: unknown, collection: "captures" | "authorizations"): string | undefined {
  if (!Array.isArray(links)) return undefined;
  for (const link of links) {
    if (!isObject(link) || link.rel !== "up" || typeof link.href !== "string") continue;
    const match = link.href.match(new RegExp(`/v2/payments/${collection}/([A-Za-z0-9-]+)$`));
    if (match !== null) return match[1];
  }
  return undefined;
}
