/**
 * The operator's reading of payments, straight from the tables: a keyset-paginated search (each filter served
 * by an index of migration 016, named in docs/console.md) and one payment's story, its timeline assembled
 * from the audit trail, which already records every state change with its source, every PSP exchange
 * (scrubbed), every callback attempt, incident and operator action.
 * @module
 */
import type {
  CallbackSummary,
  IncidentSummary,
  OperationSummary,
  PaymentPage,
  PaymentSearch,
  PaymentStateName,
  PaymentStory,
  PaymentSummary,
  TimelineEntry,
  TimelineType,
} from "../operations/payment_story.ts";
import { type Row, type SqlExecutor, toInt, toIso, toMillis } from "./sql_client.ts";

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

const SUMMARY_COLUMNS =
  `p.shop, p.payment_id, p.extension, p.plugin, p.test, p.capture_mode, p.state, p.currency,
  p.amount_minor, p.authorized_minor, p.captured_minor, p.refunded_minor, p.psp_reference, p.created_at,
  p.updated_at, p.description, p.capture_pending_minor, p.refund_pending_minor, p.void_pending,
  o.error_code, o.error_message`;
// The payment operation carries the reason a payment failed.
const WITH_PAYMENT_OPERATION = `FROM payments p LEFT JOIN operations o
  ON o.shop = p.shop AND o.kind = 'payment' AND o.operation_id = p.payment_id`;

/** The cursor of a page: where the previous page stopped, in the listing's order. */
interface Cursor {
  readonly createdAt: string;
  readonly shop: string;
  readonly paymentId: string;
}

function encodeCursor(cursor: Cursor): string {
  return btoa(JSON.stringify([cursor.createdAt, cursor.shop, cursor.paymentId]))
    .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The cursor, or undefined when `text` is not one this module wrote. */
export function decodeCursor(text: string): Cursor | undefined {
  try {
    const value: unknown = JSON.parse(atob(text.replaceAll("-", "+").replaceAll("_", "/")));
    if (!Array.isArray(value) || value.length !== 3 || !value.every((part) => typeof part === "string")) {
      return undefined;
    }
    const [createdAt, shop, paymentId] = value as string[];
    return Number.isFinite(Date.parse(createdAt)) ? { createdAt, shop, paymentId } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One page of payments, newest first. Only the filters given reach the SQL, so the planner picks the index
 * that serves them (a catch-all `$1 IS NULL OR …` would hide them from it).
 */
export async function searchPayments(db: SqlExecutor, search: PaymentSearch): Promise<PaymentPage> {
  const query = searchQuery(search);
  const rows = await db.query(query.text, query.params);
  const payments = rows.slice(0, query.limit).map(paymentSummary);
  const last = payments.at(-1);
  return rows.length > query.limit && last !== undefined
    ? {
      payments,
      next: encodeCursor({ createdAt: last.createdAt, shop: last.shop, paymentId: last.paymentId }),
    }
    : { payments };
}

/** The SQL of a search (one row more than the page, to know whether there is a next), for EXPLAIN too. */
export function searchQuery(search: PaymentSearch): { text: string; params: unknown[]; limit: number } {
  const limit = Math.min(Math.max(search.limit ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (search.shop !== undefined) where.push(`p.shop = ${param(search.shop)}`);
  if (search.paymentId !== undefined) where.push(`p.payment_id = ${param(search.paymentId)}`);
  if (search.pspReference !== undefined) {
    const reference = param(search.pspReference);
    where.push(`(p.shop, p.payment_id) IN (
      SELECT shop, payment_id FROM payments WHERE psp_reference = ${reference}
      UNION SELECT shop, payment_id FROM operations WHERE psp_reference = ${reference})`);
  }
  if (search.state !== undefined) where.push(`p.state = ${param(search.state)}`);
  if (search.method !== undefined) where.push(`p.extension = ${param(search.method)}`);
  if (search.from !== undefined) where.push(`p.created_at >= ${param(search.from)}::timestamptz`);
  if (search.to !== undefined) where.push(`p.created_at < ${param(search.to)}::timestamptz`);
  const cursor = search.after === undefined ? undefined : decodeCursor(search.after);
  if (cursor !== undefined) {
    // Within one shop the shop column is constant: compare in the order of the shop's indexes, so the
    // comparison is an index condition there too and a later page starts where the last one stopped.
    where.push(
      search.shop !== undefined
        ? `(p.created_at, p.payment_id) < (${param(cursor.createdAt)}::timestamptz, ${
          param(cursor.paymentId)
        })`
        : `(p.created_at, p.shop, p.payment_id) < (${param(cursor.createdAt)}::timestamptz, ${
          param(cursor.shop)
        }, ${param(cursor.paymentId)})`,
    );
  }
  const text = `SELECT ${SUMMARY_COLUMNS} ${WITH_PAYMENT_OPERATION}
     ${where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`}
     ORDER BY p.created_at DESC, p.shop DESC, p.payment_id DESC
     LIMIT ${param(limit + 1)}`;
  return { text, params, limit };
}

/** The cursor that continues after this payment, in the listing's order. */
export function cursorAfter(payment: { createdAt: string; shop: string; paymentId: string }): string {
  return encodeCursor(payment);
}

/** A payment's whole story, or undefined when the shop has no such payment. */
export async function paymentStory(
  db: SqlExecutor,
  shop: string,
  paymentId: string,
): Promise<PaymentStory | undefined> {
  const [row] = await db.query(
    `SELECT ${SUMMARY_COLUMNS} ${WITH_PAYMENT_OPERATION} WHERE p.shop = $1 AND p.payment_id = $2`,
    [shop, paymentId],
  );
  if (row === undefined) return undefined;
  const summary = paymentSummary(row);
  const operationRows = await db.query(
    `SELECT kind, operation_id, reference, status, amount_minor, currency, psp_reference, error_code,
       error_message, last_source, review_since, created_at, finalized_at
     FROM operations WHERE shop = $1 AND payment_id = $2 ORDER BY created_at, kind, operation_id`,
    [shop, paymentId],
  );
  const callbackRows = await db.query(
    `SELECT seq, kind, target_id, status, attempts, last_status, last_error, next_attempt_at, delivered_at
     FROM outbox WHERE shop = $1 AND payment_id = $2 ORDER BY seq`,
    [shop, paymentId],
  );
  const operationKeys = operationRows.map((op) => `${op.kind}/${op.operation_id}`);
  const incidentRows = (await db.query(
    `SELECT id, kind, operation_kind, operation_id, reported, psp_says, recommended_action, created_at,
       resolved_at, resolution
     FROM incidents WHERE shop = $1 AND operation_id = ANY($2::text[]) ORDER BY id`,
    [shop, operationRows.map((op) => String(op.operation_id))],
  )).filter((incident) => operationKeys.includes(`${incident.operation_kind}/${incident.operation_id}`));
  const callbacks = callbackRows.map(callbackSummary);
  // Every subject the payment's audit entries are filed under: the payment and its operations (state changes,
  // operator settlements), their references (PSP exchanges), its callbacks and its incidents.
  const subjects = [
    `payment/${paymentId}`,
    ...operationKeys,
    ...operationRows.map((op) => String(op.reference)),
    ...callbacks.map((callback) => `outbox/${callback.seq}`),
    ...incidentRows.map((incident) => `incident/${incident.id}`),
  ];
  const auditRows = await db.query(
    `SELECT seq, at, kind, subject, payload FROM audit_log
     WHERE shop = $1 AND subject = ANY($2::text[]) ORDER BY at, id`,
    [shop, [...new Set(subjects)]],
  );
  const callbackBySeq = new Map(callbacks.map((callback) => [callback.seq, callback]));
  const capturePendingMinor = toInt(row.capture_pending_minor);
  const refundPendingMinor = toInt(row.refund_pending_minor);
  const voidPending = row.void_pending === true;
  const voided = summary.state === "voided";
  return {
    payment: {
      ...summary,
      description: (row.description as string | null) ?? null,
      capturePendingMinor,
      refundPendingMinor,
      voidPending,
      remainingToCaptureMinor: voided || voidPending
        ? 0
        : Math.max(summary.authorizedMinor - summary.capturedMinor - capturePendingMinor, 0),
      remainingToRefundMinor: Math.max(summary.capturedMinor - summary.refundedMinor - refundPendingMinor, 0),
    },
    operations: operationRows.map(operationSummary),
    callbacks,
    incidents: incidentRows.map(incidentSummary),
    timeline: auditRows.map((entry) => timelineEntry(entry, callbackBySeq)),
  };
}

function iso(value: unknown): string {
  return toIso(toMillis(value));
}

function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : iso(value);
}

function intOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : toInt(value);
}

function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function paymentSummary(row: Row): PaymentSummary {
  return {
    shop: String(row.shop),
    paymentId: String(row.payment_id),
    extension: String(row.extension),
    plugin: String(row.plugin),
    test: row.test === true,
    captureMode: row.capture_mode as PaymentSummary["captureMode"],
    state: row.state as PaymentStateName,
    currency: String(row.currency),
    amountMinor: toInt(row.amount_minor),
    authorizedMinor: toInt(row.authorized_minor),
    capturedMinor: toInt(row.captured_minor),
    refundedMinor: toInt(row.refunded_minor),
    pspReference: textOrNull(row.psp_reference),
    errorCode: textOrNull(row.error_code),
    errorMessage: textOrNull(row.error_message),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

function operationSummary(row: Row): OperationSummary {
  return {
    kind: row.kind as OperationSummary["kind"],
    operationId: String(row.operation_id),
    status: row.status as OperationSummary["status"],
    amountMinor: intOrNull(row.amount_minor),
    currency: textOrNull(row.currency),
    pspReference: textOrNull(row.psp_reference),
    errorCode: textOrNull(row.error_code),
    errorMessage: textOrNull(row.error_message),
    source: textOrNull(row.last_source),
    reviewSince: isoOrNull(row.review_since),
    createdAt: iso(row.created_at),
    finalizedAt: isoOrNull(row.finalized_at),
  };
}

function callbackSummary(row: Row): CallbackSummary {
  const status = row.status as CallbackSummary["status"];
  return {
    seq: toInt(row.seq),
    kind: String(row.kind),
    targetId: String(row.target_id),
    status,
    attempts: toInt(row.attempts),
    lastStatus: intOrNull(row.last_status),
    lastError: textOrNull(row.last_error),
    nextAttemptAt: status === "pending" ? isoOrNull(row.next_attempt_at) : null,
    deliveredAt: isoOrNull(row.delivered_at),
  };
}

function incidentSummary(row: Row): IncidentSummary {
  return {
    id: toInt(row.id),
    kind: String(row.kind),
    operation: `${row.operation_kind}/${row.operation_id}`,
    reported: String(row.reported),
    pspSays: String(row.psp_says),
    recommendedAction: String(row.recommended_action),
    createdAt: iso(row.created_at),
    resolvedAt: isoOrNull(row.resolved_at),
    resolution: textOrNull(row.resolution),
  };
}

type Scalar = string | number | boolean | null;

/** The payload's scalar fields; the audit trail holds no bodies, cards or secrets, and nothing nested is shown. */
function scalars(payload: unknown): Record<string, Scalar> {
  let value: unknown;
  try {
    value = typeof payload === "string" ? JSON.parse(payload) : payload;
  } catch {
    return {};
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return {};
  const out: Record<string, Scalar> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field === null || ["string", "number", "boolean"].includes(typeof field)) out[key] = field as Scalar;
  }
  return out;
}

function timelineType(kind: string): TimelineType {
  if (kind === "psp.exchange") return "psp";
  if (kind === "callback.attempt") return "callback";
  if (kind.startsWith("incident.")) return "incident";
  if (kind.startsWith("operator.")) return "operator";
  return "state";
}

function timelineEntry(row: Row, callbacks: ReadonlyMap<number, CallbackSummary>): TimelineEntry {
  const kind = String(row.kind);
  const subject = String(row.subject);
  const details = scalars(row.payload);
  const type = timelineType(kind);
  const at = iso(row.at);
  return {
    at,
    type,
    kind,
    subject,
    summary: describe(kind, subject, details, callbacks),
    details,
    seq: row.seq === null || row.seq === undefined ? null : toInt(row.seq),
  };
}

/** One line for people: what happened, in the business's words. */
function describe(
  kind: string,
  subject: string,
  d: Readonly<Record<string, Scalar>>,
  callbacks: ReadonlyMap<number, CallbackSummary>,
): string {
  const source = d.source === null || d.source === undefined ? "" : ` (${d.source})`;
  const error = typeof d.error === "string" ? `, ${d.error}` : "";
  switch (kind) {
    case "operation.insert":
      return `${subject} received${amount(d)}: ${d.to}${source}`;
    case "operation.update":
      return d.from === d.to
        ? `${subject}: ${d.to}${d.review === true ? ", in review" : ""}${error}${source}`
        : `${subject}: ${d.from} → ${d.to}${error}${source}`;
    case "payment.insert":
      return `payment created${amount(d)}: ${d.to}`;
    case "payment.update":
      return `payment ${
        d.from === d.to ? String(d.to) : `${d.from} → ${d.to}`
      }: authorized ${d.authorizedMinor}, captured ${d.capturedMinor}, refunded ${d.refundedMinor}${
        pending(d)
      }`;
    case "psp.exchange":
      return `PSP ${d.operation ?? ""} ${d.method ?? ""} ${d.host ?? ""} → ${
        d.status ?? d.result ?? "?"
      } in ${d.durationMs ?? "?"} ms`.replace(/\s+/g, " ");
    case "callback.attempt": {
      const seq = Number(subject.slice("outbox/".length));
      const callback = callbacks.get(seq);
      const answer = d.httpStatus === null || d.httpStatus === undefined
        ? `no answer${typeof d.error === "string" ? ` (${d.error})` : ""}`
        : `HTTP ${d.httpStatus}`;
      const retry =
        callback?.status === "pending" && callback.attempts === d.attempt && callback.nextAttemptAt
          ? `; next attempt ${callback.nextAttemptAt}`
          : "";
      return `callback ${callback?.kind ?? subject} attempt ${d.attempt}: ${answer}${retry}`;
    }
    case "incident.raised":
      return `incident raised: ${d.kind} on ${d.operation}`;
    case "incident.resolved":
      return `incident resolved: ${d.kind} on ${d.operation}${
        typeof d.resolution === "string" ? ` (${d.resolution})` : ""
      }`;
    default:
      if (kind.startsWith("operator.")) {
        return `operator ${d.operator}: ${kind.slice("operator.".length)} ${subject}, reason "${d.reason}"`;
      }
      return `${kind} ${subject}`;
  }
}

function amount(d: Readonly<Record<string, Scalar>>): string {
  return typeof d.amountMinor === "number" ? ` for ${d.amountMinor} ${d.currency ?? ""}`.trimEnd() : "";
}

function pending(d: Readonly<Record<string, Scalar>>): string {
  const parts: string[] = [];
  if (typeof d.capturePendingMinor === "number" && d.capturePendingMinor > 0) {
    parts.push(`capture pending ${d.capturePendingMinor}`);
  }
  if (typeof d.refundPendingMinor === "number" && d.refundPendingMinor > 0) {
    parts.push(`refund pending ${d.refundPendingMinor}`);
  }
  if (d.voidPending === true) parts.push("void pending");
  return parts.length === 0 ? "" : `, ${parts.join(", ")}`;
}
