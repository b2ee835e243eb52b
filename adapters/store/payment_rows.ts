import type { Operation, OperationKind, Payment } from "../../src/mod.ts";
import { type Row, toInt, toIso, toJson, toMillis } from "./sql_client.ts";

/** Row ↔ record mapping of payments and operations; nothing else knows the column names. */

export const PAYMENT_COLUMNS = `shop, payment_id, extension, plugin, test, reference, currency, amount_minor,
  capture_mode, state, psp_reference, authorized_minor, captured_minor, refunded_minor, capture_pending_minor,
  refund_pending_minor, void_pending, genstore_return_url, resume, redirect, return_params, card, store_card,
  description`;

export function paymentFromRow(row: Row): Payment {
  const currency = String(row.currency);
  return {
    shop: String(row.shop),
    paymentId: String(row.payment_id),
    extension: String(row.extension),
    plugin: String(row.plugin),
    test: Boolean(row.test),
    reference: String(row.reference),
    amount: { amountMinor: toInt(row.amount_minor), currency },
    captureMode: row.capture_mode === "authorize" ? "authorize" : "sale",
    state: String(row.state) as Payment["state"],
    pspReference: optionalText(row.psp_reference),
    authorizedMinor: toInt(row.authorized_minor),
    capturedMinor: toInt(row.captured_minor),
    refundedMinor: toInt(row.refunded_minor),
    capturePendingMinor: toInt(row.capture_pending_minor),
    refundPendingMinor: toInt(row.refund_pending_minor),
    voidPending: Boolean(row.void_pending),
    genstoreReturnUrl: optionalText(row.genstore_return_url),
    resume: toJson(row.resume),
    redirect: toJson(row.redirect),
    returnParams: toJson(row.return_params),
    card: toJson(row.card),
    storeCard: toJson(row.store_card),
    description: optionalText(row.description),
  };
}

/** Column values of a payment, keyed by column name. */
export function paymentValues(p: Payment): Record<string, unknown> {
  return {
    shop: p.shop,
    payment_id: p.paymentId,
    extension: p.extension,
    plugin: p.plugin,
    test: p.test,
    reference: p.reference,
    currency: p.amount.currency,
    amount_minor: p.amount.amountMinor,
    capture_mode: p.captureMode,
    state: p.state,
    psp_reference: p.pspReference ?? null,
    authorized_minor: p.authorizedMinor,
    captured_minor: p.capturedMinor,
    refunded_minor: p.refundedMinor,
    capture_pending_minor: p.capturePendingMinor,
    refund_pending_minor: p.refundPendingMinor,
    void_pending: p.voidPending,
    genstore_return_url: p.genstoreReturnUrl ?? null,
    resume: jsonParam(p.resume),
    redirect: jsonParam(p.redirect),
    return_params: jsonParam(p.returnParams),
    card: jsonParam(p.card),
    store_card: jsonParam(p.storeCard),
    description: p.description ?? null,
  };
}

export const OPERATION_COLUMNS =
  `shop, kind, operation_id, payment_id, extension, test, reference, fingerprint,
  answer, status, currency, amount_minor, amount_text, psp_reference, error_code, error_message, attempt,
  psp_idempotency_key, next_check_at, checks, created_at, updated_at, finalized_at, review_since, sent_until,
  claimed_by, action_deadline, returns, key_for, last_source`;

export function operationFromRow(row: Row): Operation {
  const currency = optionalText(row.currency);
  const amountMinor = row.amount_minor === null || row.amount_minor === undefined
    ? undefined
    : toInt(row.amount_minor);
  const errorCode = optionalText(row.error_code);
  return {
    shop: String(row.shop),
    kind: String(row.kind) as OperationKind,
    operationId: String(row.operation_id),
    paymentId: String(row.payment_id),
    extension: String(row.extension),
    test: Boolean(row.test),
    reference: String(row.reference),
    fingerprint: String(row.fingerprint),
    answer: toJson(row.answer),
    status: String(row.status) as Operation["status"],
    amount: amountMinor !== undefined && currency !== undefined ? { amountMinor, currency } : undefined,
    amountText: optionalText(row.amount_text),
    pspReference: optionalText(row.psp_reference),
    error: errorCode === undefined
      ? undefined
      : { code: errorCode, message: String(row.error_message ?? "") },
    attempt: toInt(row.attempt),
    pspIdempotencyKey: String(row.psp_idempotency_key),
    nextCheckAt: optionalMillis(row.next_check_at),
    checks: toInt(row.checks),
    createdAt: toMillis(row.created_at),
    updatedAt: toMillis(row.updated_at),
    reviewSince: optionalMillis(row.review_since),
    sentUntil: optionalMillis(row.sent_until),
    claimedBy: row.claimed_by === "request" || row.claimed_by === "reconcile" ? row.claimed_by : undefined,
    actionDeadline: optionalMillis(row.action_deadline),
    returns: toInt(row.returns),
    keyFor: row.key_for === "continue" ? "continue" : "request",
    lastSource: row.last_source === null || row.last_source === undefined
      ? undefined
      : String(row.last_source) as Operation["lastSource"],
  };
}

function optionalMillis(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : toMillis(value);
}

/** Column values of an operation, keyed by column name (finalized_at is derived from the status). */
export function operationValues(o: Operation): Record<string, unknown> {
  const final = o.status === "succeeded" || o.status === "failed";
  return {
    shop: o.shop,
    kind: o.kind,
    operation_id: o.operationId,
    payment_id: o.paymentId,
    extension: o.extension,
    test: o.test,
    reference: o.reference,
    fingerprint: o.fingerprint,
    answer: jsonParam(o.answer),
    status: o.status,
    currency: o.amount?.currency ?? null,
    amount_minor: o.amount?.amountMinor ?? null,
    amount_text: o.amountText ?? null,
    psp_reference: o.pspReference ?? null,
    error_code: o.error?.code ?? null,
    error_message: o.error?.message ?? null,
    attempt: o.attempt,
    psp_idempotency_key: o.pspIdempotencyKey,
    next_check_at: o.nextCheckAt === undefined ? null : toIso(o.nextCheckAt),
    checks: o.checks,
    created_at: toIso(o.createdAt),
    updated_at: toIso(o.updatedAt),
    finalized_at: final ? toIso(o.updatedAt) : null,
    review_since: o.reviewSince === undefined ? null : toIso(o.reviewSince),
    sent_until: o.sentUntil === undefined ? null : toIso(o.sentUntil),
    claimed_by: o.claimedBy ?? null,
    action_deadline: o.actionDeadline === undefined ? null : toIso(o.actionDeadline),
    returns: o.returns,
    key_for: o.keyFor,
    last_source: o.lastSource ?? null,
  };
}

/** Casts for columns whose parameters travel as text. */
export const COLUMN_CASTS: Readonly<Record<string, string>> = {
  answer: "::jsonb",
  resume: "::jsonb",
  redirect: "::jsonb",
  return_params: "::jsonb",
  card: "::jsonb",
  store_card: "::jsonb",
  next_check_at: "::timestamptz",
  created_at: "::timestamptz",
  updated_at: "::timestamptz",
  finalized_at: "::timestamptz",
  review_since: "::timestamptz",
  sent_until: "::timestamptz",
  action_deadline: "::timestamptz",
};

/** An INSERT of every column of `values`. */
export function insertStatement(
  table: string,
  values: Record<string, unknown>,
): { text: string; params: unknown[] } {
  const columns = Object.keys(values);
  const slots = columns.map((column, i) => `$${i + 1}${COLUMN_CASTS[column] ?? ""}`);
  return {
    text: `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${slots.join(", ")})`,
    params: Object.values(values),
  };
}

/** An UPDATE of `columns`, for the row named by `keys` (all taken from `values`). */
export function updateStatement(
  table: string,
  values: Record<string, unknown>,
  keys: readonly string[],
  columns: readonly string[],
): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const slot = (column: string) => {
    params.push(values[column]);
    return `$${params.length}${COLUMN_CASTS[column] ?? ""}`;
  };
  const assignments = columns.map((column) => `${column} = ${slot(column)}`);
  const where = keys.map((column) => `${column} = ${slot(column)}`);
  return { text: `UPDATE ${table} SET ${assignments.join(", ")} WHERE ${where.join(" AND ")}`, params };
}

function optionalText(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

/** jsonb parameters travel as text and are cast in SQL, the same way for both drivers. */
export function jsonParam(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}
