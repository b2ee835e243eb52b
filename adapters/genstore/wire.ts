/**
 * Every Genstore wire name in one place: request bodies, synchronous answers, status queries and callback
 * bodies. Names Genstore has not confirmed (contract.md) can change here without touching the core.
 * @module
 */
import { z } from "zod";
import type { CallbackMessage, OperationAnswer, OperationDescription, OperationKind } from "../../src/mod.ts";

export const SIGNATURE_HEADER = "x-genstore-hmac-sha256";
export const SHOP_DOMAIN_HEADER = "x-genstore-shop-domain";
export const ACCESS_TOKEN_HEADER = "X-Genstore-Access-Token";
export const REPLAYED_HEADER = "Idempotent-Replayed";
export const API_VERSION = "202412";

/** `true` and `"true"` mean test mode; anything else, including absence, is live. */
export function isTrueFlag(value: unknown): boolean {
  return value === true || value === "true";
}

const id = (name: string) =>
  z.string({ error: `${name} must be a string` })
    .min(1, `${name} must not be empty`)
    .max(128, `${name} must be at most 128 characters`)
    .regex(/^[\x21-\x7e]+$/, `${name} must be printable ASCII without spaces`)
    // "." and ".." would vanish from the callback URL's path.
    .refine((value) => !/^\.+$/.test(value), `${name} must not consist of dots only`);

/** An id as it may appear in a status query path (the same rule as in bodies). */
export function isOperationId(value: string): boolean {
  return /^[\x21-\x7e]{1,128}$/.test(value) && !/^\.+$/.test(value);
}

const decimal = z.string({ error: "amount must be a decimal string" })
  .max(40, "amount is too long")
  .regex(/^\d+(\.\d+)?$/, 'amount must be a decimal string such as "10.00"');

const text = (max: number) => z.string().max(max);
const flag = z.unknown();
const address = z.looseObject({}).optional();

/** `paymentMethod.data` of a card payment: the ECIES package, under any of its documented field names. */
const paymentMethodData = z.looseObject({
  cipherText: z.string().max(8192).optional(),
  cipher: z.string().max(8192).optional(),
  ciphertext: z.string().max(8192).optional(),
  iv: z.string().max(256).optional(),
  ephemeralPublicKey: z.string().max(1024).optional(),
  suit: z.string().max(256).optional(),
  salt: z.string().max(256).optional(),
  returnUrl: z.url({ protocol: /^https?$/, error: "returnUrl must be an http(s) URL" }).max(2048)
    // deno-lint-ignore no-control-regex
    .refine((url) => !/[\u0000-\u001f\u007f]/.test(url), "returnUrl must not contain control characters")
    .optional(),
  // Card-on-file (this gateway's extension of the protocol, contract section 5).
  storeCard: z.unknown().optional(),
  cardToken: z.string().regex(/^ct_[a-z2-7]{20}$/, "cardToken is not a token this gateway issued").optional(),
  initiator: z.enum(["customer", "merchant"], { error: "initiator must be customer or merchant" }).optional(),
});

export const PAYMENT_REQUEST = z.looseObject({
  paymentId: id("paymentId"),
  amount: decimal,
  currency: z.string({ error: "currency must be a string" }).regex(
    /^[A-Z]{3}$/,
    "currency must be an ISO 4217 code",
  ),
  test: flag,
  manualCapture: flag,
  purchaseInfo: z.looseObject({ description: text(1000).optional() }).optional(),
  clientDetails: z.looseObject({
    acceptLanguage: text(256).optional(),
    ipAddress: text(64).optional(),
    userAgent: text(1024).optional(),
  }).optional(),
  paymentMethod: z.looseObject({ data: paymentMethodData }, { error: "paymentMethod.data is required" }),
  customer: z.looseObject({
    email: text(320).optional(),
    shippingAddress: address,
    billingAddress: address,
  }).optional(),
});
export type PaymentRequestBody = z.infer<typeof PAYMENT_REQUEST>;

export const CAPTURE_REQUEST = z.looseObject({
  captureId: id("captureId"),
  paymentId: id("paymentId"),
  amount: decimal,
  test: flag,
});

export const VOID_REQUEST = z.looseObject({
  voidId: id("voidId"),
  paymentId: id("paymentId"),
  test: flag,
});

export const REFUND_REQUEST = z.looseObject({
  refundId: id("refundId"),
  paymentId: id("paymentId"),
  amount: decimal,
  test: flag,
});

/** Route segment, id field and channel-id field of each operation kind. */
export const OPERATION_WIRE: Readonly<
  Record<OperationKind, { route: string; idField: string; channelField: string; schema: z.ZodType }>
> = {
  payment: {
    route: "payments",
    idField: "paymentId",
    channelField: "channelPaymentId",
    schema: PAYMENT_REQUEST,
  },
  capture: {
    route: "captures",
    idField: "captureId",
    channelField: "channelCaptureId",
    schema: CAPTURE_REQUEST,
  },
  void: { route: "voids", idField: "voidId", channelField: "channelVoidId", schema: VOID_REQUEST },
  refund: { route: "refunds", idField: "refundId", channelField: "channelRefundId", schema: REFUND_REQUEST },
};

/** The synchronous answer body. Key order is fixed, so the same answer always renders to the same bytes. */
export function renderAnswer(kind: OperationKind, answer: OperationAnswer): Record<string, string> {
  const body: Record<string, string> = {};
  if (answer.pspReference !== undefined) body[OPERATION_WIRE[kind].channelField] = answer.pspReference;
  if (answer.redirectUrl !== undefined) body.redirectUrl = answer.redirectUrl;
  if (answer.error !== undefined) body.error = answer.error;
  return body;
}

/** The status query answer body. */
export function renderDescription(
  kind: OperationKind,
  description: OperationDescription,
): Record<string, string> {
  const body: Record<string, string> = {
    [OPERATION_WIRE[kind].channelField]: description.channelId,
    status: description.status,
  };
  if (description.error !== undefined) body.error = description.error;
  return body;
}

/** Genstore's REST base for a shop: `{shop}` in the configured base is replaced by the shop handle. */
export function genstoreBase(apiBaseTemplate: string, shop: string): string {
  return apiBaseTemplate.replaceAll("{shop}", shop).replace(/\/+$/, "");
}

/** The path of a callback under the shop's REST base. */
export function callbackPath(message: CallbackMessage): string {
  const base = `/api/${API_VERSION}/app/${message.kind}`;
  return message.kind === "account_authorize" ? base : `${base}/${encodeURIComponent(message.targetId)}`;
}

/** The callback body. Deterministic: the same message always renders to the same bytes. */
export function renderCallback(message: CallbackMessage): Record<string, unknown> {
  const body: Record<string, unknown> = { status: message.succeeded };
  switch (message.kind) {
    case "payment":
    case "pre_authorize":
      body.channelPaymentId = message.channelId;
      break;
    case "capture":
      body.channelCaptureId = message.channelId;
      break;
    case "void":
      body.channelVoidId = message.channelId;
      break;
    case "refund":
      body.channelRefundId = message.channelId;
      break;
    case "account_authorize":
      body.extension = message.extension;
      break;
  }
  if (message.kind !== "void" && message.kind !== "account_authorize") {
    if (message.amount !== undefined) body.amount = message.amount;
    if (message.currency !== undefined) body.currency = message.currency;
  }
  body.test = message.test;
  if (message.error !== undefined) body.error = message.error;
  if (message.card !== undefined) {
    body.cardToken = message.card.token;
    for (const field of ["brand", "last4", "expiryMonth", "expiryYear"] as const) {
      if (message.card[field] !== undefined) body[field] = message.card[field];
    }
  }
  return body;
}

/** The domain every Genstore shop lives under (`{handle}.genmystore.com`), unless configured otherwise. */
export const DEFAULT_SHOP_DOMAIN = "genmystore.com";

/**
 * `demo.genmystore.com` → `demo`; undefined for anything else: another domain (`demo.evil.example`), a bare
 * handle, a sub-subdomain, or a handle that cannot be a shop's.
 */
export function shopFromDomain(
  domain: string | undefined | null,
  shopDomain = DEFAULT_SHOP_DOMAIN,
): string | undefined {
  if (domain === undefined || domain === null) return undefined;
  const suffix = `.${shopDomain.toLowerCase()}`;
  const normalized = domain.trim().toLowerCase();
  if (!normalized.endsWith(suffix)) return undefined;
  const handle = normalized.slice(0, -suffix.length);
  return /^[a-z0-9][a-z0-9-]{0,62}$/.test(handle) ? handle : undefined;
}
