import type {
  GatewayMetrics,
  Operation,
  OperatorAction,
  ReviewStore,
  StoredIncident,
} from "../../src/mod.ts";
import { OPERATION_COLUMNS, operationFromRow } from "./payment_rows.ts";
import { type Row, type SqlClient, type SqlExecutor, toInt, toMillis } from "./sql_client.ts";

const OPEN = "('processing', 'requires_action', 'unknown')";

function incidentFromRow(row: Row): StoredIncident {
  return {
    shop: String(row.shop),
    id: toInt(row.id),
    kind: String(row.kind),
    operationKind: String(row.operation_kind),
    operationId: String(row.operation_id),
    reference: String(row.reference),
    reported: String(row.reported),
    pspSays: String(row.psp_says),
    pspReference: row.psp_reference === null ? undefined : String(row.psp_reference),
    source: String(row.source),
    recommendedAction: String(row.recommended_action),
    createdAt: toMillis(row.created_at),
    resolvedAt: row.resolved_at === null ? undefined : toMillis(row.resolved_at),
    resolution: row.resolution === null ? undefined : String(row.resolution),
  };
}

export async function insertOperatorAction(tx: SqlExecutor, action: OperatorAction): Promise<void> {
  await tx.query(
    "INSERT INTO operator_actions (shop, action, target, reason, operator) VALUES ($1, $2, $3, $4, $5)",
    [action.shop, action.action, action.target, action.reason, action.operator],
  );
}

export function createSqlReviewStore(client: SqlClient): ReviewStore {
  return {
    async reviewQueue(limit: number): Promise<readonly Operation[]> {
      const rows = await client.query(
        `SELECT ${OPERATION_COLUMNS} FROM operations
         WHERE review_since IS NOT NULL AND status IN ${OPEN} ORDER BY created_at LIMIT $1`,
        [limit],
      );
      return rows.map(operationFromRow);
    },
    async incidents(options): Promise<readonly StoredIncident[]> {
      const rows = await client.query(
        `SELECT * FROM incidents WHERE ($1::boolean IS FALSE OR resolved_at IS NULL) ORDER BY created_at LIMIT $2`,
        [options.open, options.limit],
      );
      return rows.map(incidentFromRow);
    },
    async resolveIncident(
      shop: string,
      id: number,
      resolution: string,
      action: OperatorAction,
    ): Promise<boolean> {
      return await client.transaction(async (tx) => {
        const rows = await tx.query(
          `UPDATE incidents SET resolved_at = now(), resolution = $3
           WHERE shop = $1 AND id = $2 AND resolved_at IS NULL RETURNING id`,
          [shop, id, resolution],
        );
        if (rows.length === 0) return false;
        await insertOperatorAction(tx, action);
        return true;
      });
    },
    async recordAction(action: OperatorAction): Promise<void> {
      await insertOperatorAction(client, action);
    },
    async metrics(now: number): Promise<GatewayMetrics> {
      const [operations] = await client.query(
        `SELECT count(*) FILTER (WHERE status = 'unknown') AS unknown,
           min(created_at) FILTER (WHERE status = 'unknown') AS oldest_unknown,
           count(*) AS open,
           count(*) FILTER (WHERE review_since IS NOT NULL) AS review
         FROM operations WHERE status IN ${OPEN}`,
      );
      const [incidents] = await client.query(
        "SELECT count(*) AS open FROM incidents WHERE resolved_at IS NULL",
      );
      const [outbox] = await client.query(
        `SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
           count(*) FILTER (WHERE status = 'dead') AS dead,
           min(created_at) FILTER (WHERE status = 'pending') AS oldest_pending
         FROM outbox WHERE status IN ('pending', 'dead')`,
      );
      const age = (value: unknown) =>
        value === null || value === undefined ? 0 : Math.max(0, now - toMillis(value));
      return {
        operationsUnknown: toInt(operations.unknown),
        oldestUnknownAgeMs: age(operations.oldest_unknown),
        operationsOpen: toInt(operations.open),
        reviewQueue: toInt(operations.review),
        incidentsOpen: toInt(incidents.open),
        callbacksPending: toInt(outbox.pending),
        callbacksDead: toInt(outbox.dead),
        oldestPendingCallbackAgeMs: age(outbox.oldest_pending),
      };
    },
  };
}
