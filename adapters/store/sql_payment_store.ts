import type {
  CallbackMessage,
  CardPackageClaim,
  CardToken,
  Incident,
  Operation,
  OperationKey,
  OperatorAction,
  Payment,
  PaymentStore,
  PaymentTx,
} from "../../src/mod.ts";
import { isFinalStatus } from "../../src/mod.ts";
import {
  insertStatement,
  jsonParam,
  OPERATION_COLUMNS,
  operationFromRow,
  operationValues,
  PAYMENT_COLUMNS,
  paymentFromRow,
  paymentValues,
  updateStatement,
} from "./payment_rows.ts";
import { createWriteBatch } from "./write_batch.ts";
import { isRetryable, type SqlClient, type SqlExecutor, toIso } from "./sql_client.ts";

const PAYMENT_UPDATABLE = [
  "state",
  "psp_reference",
  "authorized_minor",
  "captured_minor",
  "refunded_minor",
  "capture_pending_minor",
  "refund_pending_minor",
  "void_pending",
  "genstore_return_url",
  "resume",
  "redirect",
  "return_params",
  "card",
  "store_card",
];
const OPERATION_UPDATABLE = [
  "answer",
  "status",
  "currency",
  "amount_minor",
  "amount_text",
  "psp_reference",
  "error_code",
  "error_message",
  "attempt",
  "psp_idempotency_key",
  "next_check_at",
  "checks",
  "updated_at",
  "finalized_at",
  "review_since",
  "sent_until",
  "claimed_by",
  "action_deadline",
  "returns",
  "key_for",
  "last_source",
];

/**
 * Final operations this process committed or read, by shop and reference, for `findOperationByReference`: the
 * PSP's notification of a payment the gateway has just settled from the PSP's answer then costs no read. A
 * final operation's result, kind, mode and extension never change (the database refuses it), which is all
 * its readers look at; bookkeeping columns written later (claims, checks) are not read through it.
 */
const MOST_CACHED_FINAL_OPERATIONS = 10_000;

/** Transactions are retried this many times on a deadlock or serialization failure. */
const TRANSACTION_ATTEMPTS = 4;

export interface SqlPaymentStoreOptions {
  /** Called after a transaction that queued a callback has committed, to wake the outbox worker. */
  readonly onCallbackQueued?: () => void;
}

/** The PaymentStore over SQL, the same for PostgreSQL and PGlite. */
export function createSqlPaymentStore(client: SqlClient, options: SqlPaymentStoreOptions = {}): PaymentStore {
  const finalByReference = new Map<string, Operation>();
  const remember = (operation: Operation) => {
    if (!isFinalStatus(operation.status)) return;
    const key = `${operation.shop}|${operation.reference}`;
    finalByReference.delete(key);
    finalByReference.set(key, operation);
    if (finalByReference.size > MOST_CACHED_FINAL_OPERATIONS) {
      finalByReference.delete(finalByReference.keys().next().value!);
    }
  };
  return {
    async transaction<T>(work: (tx: PaymentTx) => Promise<T>): Promise<T> {
      for (let attempt = 1;; attempt++) {
        try {
          let queued = false;
          const saved: Operation[] = [];
          let lastWrites: Promise<void> = Promise.resolve();
          const result = await client.transaction(async (tx) => {
            const unit = paymentTx(tx, () => queued = true, (operation) => saved.push(operation));
            const value = await work(unit);
            // The last writes go out with the COMMIT right behind them on the same connection, a round trip
            // less. Whatever refuses them (a constraint, a trigger, a write's own check: write_batch.ts) aborts
            // the transaction in the database, so the COMMIT keeps nothing, and is thrown below.
            lastWrites = unit.flush();
            lastWrites.catch(() => {});
            return value;
            // Their failure, when there is one, is the transaction's (it says more than a rolled-back COMMIT).
          }).finally(() => lastWrites);
          // Only once committed: a rolled-back save never reaches the cache.
          saved.forEach(remember);
          if (queued) options.onCallbackQueued?.();
          return result;
        } catch (error) {
          if (!isRetryable(error) || attempt >= TRANSACTION_ATTEMPTS) throw error;
        }
      }
    },
    async findOperation(key: OperationKey): Promise<Operation | undefined> {
      const rows = await client.query(
        `SELECT ${OPERATION_COLUMNS} FROM operations WHERE shop = $1 AND kind = $2 AND operation_id = $3`,
        [key.shop, key.kind, key.operationId],
      );
      return rows.length === 0 ? undefined : operationFromRow(rows[0]);
    },
    async findPayment(shop: string, paymentId: string): Promise<Payment | undefined> {
      const rows = await client.query(
        `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE shop = $1 AND payment_id = $2`,
        [
          shop,
          paymentId,
        ],
      );
      return rows.length === 0 ? undefined : paymentFromRow(rows[0]);
    },
    async findCardToken(shop: string, token: string): Promise<CardToken | undefined> {
      const rows = await client.query(
        `SELECT shop, token, extension, plugin, test, psp_token, shopper_reference, brand, last4, expiry_month,
           expiry_year, payment_id FROM card_tokens WHERE shop = $1 AND token = $2`,
        [shop, token],
      );
      if (rows.length === 0) return undefined;
      const row = rows[0];
      const optional = (value: unknown) => value === null || value === undefined ? undefined : String(value);
      return {
        shop: String(row.shop),
        token: String(row.token),
        extension: String(row.extension),
        plugin: String(row.plugin),
        test: Boolean(row.test),
        pspToken: String(row.psp_token),
        shopperReference: String(row.shopper_reference),
        brand: optional(row.brand),
        last4: optional(row.last4),
        expiryMonth: optional(row.expiry_month),
        expiryYear: optional(row.expiry_year),
        paymentId: String(row.payment_id),
      };
    },
    async findOperationByReference(shop: string, reference: string): Promise<Operation | undefined> {
      const cached = finalByReference.get(`${shop}|${reference}`);
      if (cached !== undefined) return cached;
      const rows = await client.query(
        `SELECT ${OPERATION_COLUMNS} FROM operations WHERE shop = $1 AND reference = $2`,
        [shop, reference],
      );
      if (rows.length === 0) return undefined;
      const operation = operationFromRow(rows[0]);
      remember(operation);
      return operation;
    },
    async claimOperationsToCheck(now: number, leaseMs: number, limit: number): Promise<readonly Operation[]> {
      return await client.transaction(async (tx) => {
        const rows = await tx.query(
          `UPDATE operations SET next_check_at = $2::timestamptz, checks = checks + 1, claimed_by = 'reconcile',
             -- queryHasEffect(): a modification's or a continue's query may act at the PSP under its key.
             sent_until = CASE WHEN kind <> 'payment' OR key_for = 'continue'
               THEN GREATEST(sent_until, $2::timestamptz) ELSE sent_until END
           WHERE (shop, kind, operation_id) IN (
             SELECT shop, kind, operation_id FROM operations
             WHERE status IN ('processing', 'requires_action', 'unknown') AND next_check_at <= $1::timestamptz
             ORDER BY next_check_at LIMIT $3 FOR UPDATE SKIP LOCKED)
           RETURNING ${OPERATION_COLUMNS}`,
          [toIso(now), toIso(now + leaseMs), limit],
        );
        return rows.map(operationFromRow);
      });
    },
  };
}

/**
 * A transaction's work. Writes (saves, callbacks, incidents, actions, tokens) are held and sent to the
 * database as one statement (data-modifying CTEs) before the next read or the commit: one round trip for
 * what used to be one per write, with the same effects, checks and triggers, in the same transaction.
 */
function paymentTx(
  tx: SqlExecutor,
  onQueued: () => void,
  onSaved: (operation: Operation) => void,
): PaymentTx & { flush(): Promise<void> } {
  const writes = createWriteBatch(tx);
  const read = <T>(run: () => Promise<T>) => writes.flush().then(run);
  return {
    flush: () => writes.flush(),
    async insertOperation(operation: Operation) {
      await writes.flush();
      const insert = insertStatement("operations", operationValues(operation));
      const rows = await tx.query(
        `${insert.text} ON CONFLICT (shop, kind, operation_id) DO NOTHING RETURNING operation_id`,
        insert.params,
      );
      if (rows.length === 1) return { created: true, operation };
      const existing = await lockOperation(tx, operation);
      if (existing === undefined) {
        throw new Error(`Cannot read a conflicting operation: ${operation.operationId}`);
      }
      return { created: false, operation: existing };
    },
    lockOperation: (key: OperationKey) => read(() => lockOperation(tx, key)),
    async lockWithPayment(key: OperationKey) {
      await writes.flush();
      // A payment's own operation carries the payment's id: no need to read it first.
      if (key.kind === "payment") {
        // Sent together (the connection pipelines them), run in this order: the payment's lock, then its operation's.
        const [payment, operation] = await Promise.all([
          lockPayment(tx, key.shop, key.operationId),
          lockOperation(tx, key),
        ]);
        return { payment, operation };
      }
      const rows = await tx.query(
        "SELECT payment_id FROM operations WHERE shop = $1 AND kind = $2 AND operation_id = $3",
        [key.shop, key.kind, key.operationId],
      );
      if (rows.length === 0) return {};
      const payment = await lockPayment(tx, key.shop, String(rows[0].payment_id));
      return { payment, operation: await lockOperation(tx, key) };
    },
    async lockWithPaymentByReference(shop: string, reference: string) {
      await writes.flush();
      const rows = await tx.query(
        "SELECT kind, operation_id, payment_id FROM operations WHERE shop = $1 AND reference = $2",
        [shop, reference],
      );
      if (rows.length === 0) return {};
      const payment = await lockPayment(tx, shop, String(rows[0].payment_id));
      const key = {
        shop,
        kind: rows[0].kind as OperationKey["kind"],
        operationId: String(rows[0].operation_id),
      };
      return { payment, operation: await lockOperation(tx, key) };
    },
    saveOperation(operation: Operation) {
      const update = updateStatement(
        "operations",
        operationValues(operation),
        ["shop", "kind", "operation_id"],
        OPERATION_UPDATABLE,
      );
      writes.add({
        key: `operation|${operation.shop}|${operation.kind}|${operation.operationId}`,
        ...update,
        exactlyOne: `Cannot save an operation that does not exist: ${operation.reference}`,
      });
      onSaved(operation);
      return Promise.resolve();
    },
    lockPayment: (shop: string, paymentId: string) => read(() => lockPayment(tx, shop, paymentId)),
    savePayment(payment: Payment, created = false) {
      const values = paymentValues(payment);
      const key = `payment|${payment.shop}|${payment.paymentId}`;
      // Saved again in the same transaction: the last save wins; an insert stays an insert.
      const inserting = created || writes.isInsert(key);
      const statement = inserting
        ? insertStatement("payments", values)
        : updateStatement("payments", values, ["shop", "payment_id"], PAYMENT_UPDATABLE);
      writes.add({
        key,
        ...statement,
        insert: inserting,
        exactlyOne: `Cannot save a payment that does not exist: ${payment.reference}`,
      });
      return Promise.resolve();
    },
    enqueueCallback(shop: string, message: CallbackMessage) {
      writes.add({
        text:
          `INSERT INTO outbox (shop, kind, target_id, payment_id, message) VALUES ($1, $2, $3, $4, $5::jsonb)`,
        params: [shop, message.kind, message.targetId, message.paymentId, jsonParam(message)],
      });
      onQueued();
      return Promise.resolve();
    },
    recordOperatorAction(action: OperatorAction) {
      writes.add({
        text:
          "INSERT INTO operator_actions (shop, action, target, reason, operator) VALUES ($1, $2, $3, $4, $5)",
        params: [action.shop, action.action, action.target, action.reason, action.operator],
      });
      return Promise.resolve();
    },
    async claimCardPackage(claim: CardPackageClaim): Promise<CardPackageClaim> {
      await writes.flush();
      // The first use wins; a concurrent second insert waits on the primary key, then reads the winner.
      const [row] = await tx.query<{ shop: string; payment_id: string }>(
        `WITH claimed AS (
           INSERT INTO card_packages (fingerprint, shop, payment_id) VALUES ($1, $2, $3)
           ON CONFLICT (fingerprint) DO NOTHING RETURNING shop, payment_id)
         SELECT shop, payment_id FROM claimed
         UNION ALL SELECT shop, payment_id FROM card_packages WHERE fingerprint = $1 AND NOT EXISTS (SELECT 1 FROM claimed)`,
        [claim.fingerprint, claim.shop, claim.paymentId],
      ).then(async (rows) =>
        // A concurrent claim committed while this statement waited on the key: its snapshot predates it.
        rows.length > 0 ? rows : await tx.query<{ shop: string; payment_id: string }>(
          "SELECT shop, payment_id FROM card_packages WHERE fingerprint = $1",
          [claim.fingerprint],
        )
      );
      return { fingerprint: claim.fingerprint, shop: String(row.shop), paymentId: String(row.payment_id) };
    },
    async insertCardToken(token: CardToken) {
      await tx.query(
        `INSERT INTO card_tokens (shop, token, extension, plugin, test, psp_token, shopper_reference, brand, last4,
           expiry_month, expiry_year, payment_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          token.shop,
          token.token,
          token.extension,
          token.plugin,
          token.test,
          token.pspToken,
          token.shopperReference,
          token.brand ?? null,
          token.last4 ?? null,
          token.expiryMonth ?? null,
          token.expiryYear ?? null,
          token.paymentId,
        ],
      );
    },
    async recordIncident(incident: Incident) {
      await tx.query(
        `INSERT INTO incidents (shop, kind, operation_kind, operation_id, reference, reported, psp_says,
           psp_reference, source, recommended_action)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (shop, operation_kind, operation_id, kind) WHERE resolved_at IS NULL DO NOTHING`,
        [
          incident.shop,
          incident.kind,
          incident.operationKind,
          incident.operationId,
          incident.reference,
          incident.reported,
          incident.pspSays,
          incident.pspReference ?? null,
          incident.source,
          incident.recommendedAction,
        ],
      );
    },
  };
}

async function lockOperation(tx: SqlExecutor, key: OperationKey): Promise<Operation | undefined> {
  const rows = await tx.query(
    `SELECT ${OPERATION_COLUMNS} FROM operations WHERE shop = $1 AND kind = $2 AND operation_id = $3 FOR UPDATE`,
    [key.shop, key.kind, key.operationId],
  );
  return rows.length === 0 ? undefined : operationFromRow(rows[0]);
}

async function lockPayment(tx: SqlExecutor, shop: string, paymentId: string): Promise<Payment | undefined> {
  const rows = await tx.query(
    `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE shop = $1 AND payment_id = $2 FOR UPDATE`,
    [shop, paymentId],
  );
  return rows.length === 0 ? undefined : paymentFromRow(rows[0]);
}
