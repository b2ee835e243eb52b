/**
 * Mollie's Payments API v2, as far as this plugin and its emulator use it, written for this project from
 * Mollie's API reference (https://docs.mollie.com/reference): create/get payment, create/get/list refunds,
 * list methods, the error object and the webhook. Requests are strict (a field Mollie does not document is an
 * error); answers require what Mollie documents as always present and allow more, as Mollie adds fields.
 * Tests check every request the plugin sends and every answer it reads (and the emulator writes) against them.
 * @module
 */
import { z } from "zod";

/** Mollie writes amounts as a currency code and a decimal string with the currency's digits ("10.00"). */
const amount = z.strictObject({
  currency: z.string().regex(/^[A-Z]{3}$/),
  value: z.string().regex(/^\d+(\.\d{1,3})?$/),
});

/** A HAL link: `{href, type}`. */
const link = z.object({ href: z.url(), type: z.string().min(1) });
const nullableLink = link.nullable();

const mode = z.enum(["live", "test"]);
const timestamp = z.iso.datetime({ offset: true });
/** Mollie stores any JSON of about 1 kB as metadata. */
const metadata = z.union([
  z.string(),
  z.number(),
  z.record(z.string(), z.unknown()),
  z.array(z.string()),
  z.null(),
])
  .refine((value) => JSON.stringify(value).length <= 1024, "metadata is larger than 1 kB");

export const PAYMENT_STATUSES = [
  "open",
  "pending",
  "authorized",
  "paid",
  "canceled",
  "expired",
  "failed",
] as const;
export const REFUND_STATUSES = ["queued", "pending", "processing", "refunded", "failed", "canceled"] as const;

/** `POST /v2/payments`: the fields of a one-off payment Mollie documents (method-specific ones left out). */
export const createPaymentRequest = z.strictObject({
  amount,
  description: z.string().min(1).max(255),
  redirectUrl: z.url(),
  cancelUrl: z.url().optional(),
  webhookUrl: z.url().optional(),
  metadata: metadata.optional(),
  method: z.union([z.string().regex(/^[a-z0-9_]+$/), z.array(z.string().regex(/^[a-z0-9_]+$/))]).optional(),
  locale: z.string().regex(/^[a-z]{2}_[A-Z]{2}$/).optional(),
  restrictPaymentMethodsToCountry: z.string().regex(/^[A-Z]{2}$/).optional(),
  sequenceType: z.enum(["oneoff", "first", "recurring"]).optional(),
  captureMode: z.enum(["automatic", "manual"]).optional(),
});

/** The payment object (create, get). */
export const paymentObject = z.object({
  resource: z.literal("payment"),
  id: z.string().regex(/^tr_[A-Za-z0-9]+$/),
  mode,
  createdAt: timestamp,
  amount,
  description: z.string(),
  method: z.string().nullable().optional(),
  metadata: metadata.optional(),
  status: z.enum(PAYMENT_STATUSES),
  isCancelable: z.boolean().optional(),
  expiresAt: timestamp.optional(),
  paidAt: timestamp.optional(),
  canceledAt: timestamp.optional(),
  expiredAt: timestamp.optional(),
  failedAt: timestamp.optional(),
  amountRefunded: amount.optional(),
  amountRemaining: amount.optional(),
  profileId: z.string().regex(/^pfl_[A-Za-z0-9]+$/),
  sequenceType: z.enum(["oneoff", "first", "recurring"]),
  redirectUrl: z.url().nullable().optional(),
  webhookUrl: z.url().nullable().optional(),
  _links: z.object({
    self: link,
    checkout: link.optional(),
    dashboard: link,
    refunds: link.optional(),
    documentation: link.optional(),
  }),
});

/** `POST /v2/payments/{id}/refunds`. */
export const createRefundRequest = z.strictObject({
  amount,
  description: z.string().max(140).optional(),
  metadata: metadata.optional(),
});

/** The refund object (create, get, list). */
export const refundObject = z.object({
  resource: z.literal("refund"),
  id: z.string().regex(/^re_[A-Za-z0-9]+$/),
  mode,
  description: z.string(),
  amount,
  metadata,
  paymentId: z.string().regex(/^tr_[A-Za-z0-9]+$/),
  status: z.enum(REFUND_STATUSES),
  createdAt: timestamp,
  _links: z.object({ self: link, payment: link, settlement: nullableLink.optional(), documentation: link }),
});

const listLinks = z.object({ self: link, previous: nullableLink, next: nullableLink, documentation: link });

/** `GET /v2/payments/{id}/refunds`. */
export const refundList = z.object({
  count: z.number().int().min(0),
  _embedded: z.object({ refunds: z.array(refundObject) }),
  _links: listLinks,
}).refine((list) => list.count === list._embedded.refunds.length, "count is not the number of refunds");

/** `GET /v2/methods` (not paginated). */
export const methodList = z.object({
  count: z.number().int().min(0),
  _embedded: z.object({
    methods: z.array(z.object({
      resource: z.literal("method"),
      id: z.string(),
      description: z.string(),
      status: z.string().nullable().optional(),
    })),
  }),
  _links: z.object({ self: link, documentation: link }),
});

/** Every error answer: the HTTP status repeated, its reason phrase, a detail, and the field at fault if any. */
export const errorObject = z.object({
  status: z.number().int().min(400).max(599),
  title: z.string().min(1),
  detail: z.string().min(1),
  field: z.string().optional(),
  _links: z.object({ documentation: link }),
});

/** The webhook body: one form field `id`, the payment's id, and nothing else. */
export const webhookBody = z.string().regex(/^id=tr_[A-Za-z0-9]+$/);

export type Issues = readonly string[];

/** The issues of a value against a schema, as `path: message` lines (empty when it fits). */
export function issuesOf(schema: z.ZodType, value: unknown): Issues {
  const parsed = schema.safeParse(value);
  return parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
}

/** The answer schema for a request the plugin sent, by method and path below /v2; undefined if none. */
export function answerSchema(method: string, path: string, status: number): z.ZodType | undefined {
  if (status >= 400) return errorObject;
  if (method === "POST" && path === "/payments") return status === 201 ? paymentObject : undefined;
  if (method === "GET" && /^\/payments\/tr_\w+$/.test(path)) {
    return status === 200 ? paymentObject : undefined;
  }
  if (/^\/payments\/tr_\w+\/refunds$/.test(path)) {
    if (method === "POST") return status === 201 ? refundObject : undefined;
    return status === 200 ? refundList : undefined;
  }
  if (method === "GET" && /^\/payments\/tr_\w+\/refunds\/re_\w+$/.test(path)) {
    return status === 200 ? refundObject : undefined;
  }
  if (method === "GET" && path === "/methods") return status === 200 ? methodList : undefined;
  return undefined;
}

/** The request schema for a body the plugin sent; undefined for a request without a body. */
export function requestSchema(method: string, path: string): z.ZodType | undefined {
  if (method !== "POST") return undefined;
  if (path === "/payments") return createPaymentRequest;
  if (/^\/payments\/tr_\w+\/refunds$/.test(path)) return createRefundRequest;
  return undefined;
}
