import type {
  CallbackMessage,
  DeadLetter,
  DeliveryAttempt,
  DeliveryDecision,
  OutboxEntry,
  OutboxStore,
  RateLimit,
  RecordedAttempt,
} from "../../src/mod.ts";
import { type Row, type SqlClient, type SqlExecutor, toInt, toIso, toJson, toMillis } from "./sql_client.ts";

function entryFromRow(row: Row): OutboxEntry {
  return {
    shop: String(row.shop),
    seq: toInt(row.seq),
    message: toJson<CallbackMessage>(row.message)!,
    attempts: toInt(row.attempts),
    createdAt: toMillis(row.created_at),
    claimToken: String(row.claim_token),
  };
}

/** The OutboxStore over SQL: claims with FOR UPDATE SKIP LOCKED plus a lease, so processes share the work. */
export function createSqlOutboxStore(client: SqlClient): OutboxStore {
  return {
    async claimDue(now: number, leaseMs: number, limit: number): Promise<readonly OutboxEntry[]> {
      const rows = await client.query(
        `UPDATE outbox SET claimed_until = $2::timestamptz, claim_token = gen_random_uuid()::text
         WHERE (shop, seq) IN (
           SELECT o.shop, o.seq FROM outbox o
           WHERE o.status = 'pending' AND o.next_attempt_at <= $1::timestamptz
             AND (o.claimed_until IS NULL OR o.claimed_until <= $1::timestamptz)
             AND NOT EXISTS (
               SELECT 1 FROM outbox e
               WHERE e.shop = o.shop AND e.payment_id = o.payment_id AND e.status = 'pending' AND e.seq < o.seq)
           ORDER BY o.next_attempt_at, o.seq LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING shop, seq, message, attempts, created_at, claim_token`,
        [toIso(now), toIso(now + leaseMs), limit],
      );
      return rows.map(entryFromRow).sort((a, b) => a.seq - b.seq);
    },
    recordAttempt(entry: OutboxEntry, attempt: DeliveryAttempt, decision: DeliveryDecision): Promise<void> {
      return this.recordAttempts([{ entry, attempt, decision }]);
    },
    async recordAttempts(results: readonly RecordedAttempt[]): Promise<void> {
      if (results.length === 0) return;
      const status = ({ decision }: RecordedAttempt) =>
        decision.kind === "delivered" ? "delivered" : decision.kind === "dead" ? "dead" : "pending";
      const column = <T>(pick: (result: RecordedAttempt) => T) => results.map(pick);
      // One statement, so atomic without a transaction of its own: a round trip instead of four a batch.
      await client.query(
        `WITH e AS (
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::int[], $5::text[], $6::int[],
             $7::text[], $8::timestamptz[], $9::text[])
             AS e(shop, seq, at, http_status, error, duration_ms, status, next_at, claim_token)),
         -- Every real HTTP attempt is kept, even one whose claim has expired meanwhile.
         recorded AS (
           INSERT INTO callback_attempts (shop, seq, attempt, at, http_status, error, duration_ms)
           SELECT e.shop, e.seq,
             COALESCE((SELECT max(a.attempt) FROM callback_attempts a WHERE a.shop = e.shop AND a.seq = e.seq), 0) + 1,
             e.at, e.http_status, e.error, e.duration_ms
           FROM e),
         marked AS (
           UPDATE outbox o SET status = e.status, attempts = o.attempts + 1, claimed_until = NULL,
             claim_token = NULL, last_status = e.http_status, last_error = e.error,
             next_attempt_at = COALESCE(e.next_at, o.next_attempt_at),
             delivered_at = CASE WHEN e.status = 'delivered' THEN e.at ELSE o.delivered_at END
           FROM e
           WHERE o.shop = e.shop AND o.seq = e.seq AND o.claim_token = e.claim_token AND o.status = 'pending'
           RETURNING 1)
         SELECT (SELECT count(*) FROM marked) AS marked`,
        [
          column((r) => r.entry.shop),
          column((r) => r.entry.seq),
          column((r) => toIso(r.attempt.at)),
          column((r) => r.attempt.httpStatus ?? null),
          column((r) => r.attempt.error ?? null),
          column((r) => Math.round(r.attempt.durationMs)),
          column(status),
          column((r) => r.decision.kind === "retry" ? toIso(r.decision.at) : null),
          column((r) => r.entry.claimToken),
        ],
      );
    },
    async release(entry: OutboxEntry, at: number): Promise<void> {
      await client.query(
        `UPDATE outbox SET claimed_until = NULL, claim_token = NULL, next_attempt_at = $3::timestamptz
         WHERE shop = $1 AND seq = $2 AND status = 'pending' AND claim_token = $4`,
        [entry.shop, entry.seq, toIso(at), entry.claimToken],
      );
    },
    async takeTokens(shop: string, now: number, rate: RateLimit, wanted: number): Promise<number> {
      // One row per shop, locked for the read-modify-write, so takers in any process never share a token.
      return await client.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO callback_rate (shop, tokens, refilled_at) VALUES ($1, $2, $3::timestamptz)
           ON CONFLICT (shop) DO NOTHING`,
          [shop, rate.burst, toIso(now)],
        );
        const [row] = await tx.query(
          "SELECT tokens, refilled_at FROM callback_rate WHERE shop = $1 FOR UPDATE",
          [shop],
        );
        const refilledAt = toMillis(row.refilled_at);
        // A clock that went backwards adds nothing.
        const elapsed = Math.max(0, now - refilledAt) / 1000;
        const available = Math.min(rate.burst, Number(row.tokens) + elapsed * rate.perSecond);
        const granted = Math.max(0, Math.min(wanted, Math.floor(available)));
        await tx.query(
          "UPDATE callback_rate SET tokens = $2, refilled_at = $3::timestamptz WHERE shop = $1",
          [shop, available - granted, toIso(Math.max(refilledAt, now))],
        );
        return granted;
      });
    },
    async listDead(limit: number): Promise<readonly DeadLetter[]> {
      const rows = await client.query(
        `SELECT shop, seq, kind, target_id, attempts, last_status, last_error, created_at FROM outbox
         WHERE status = 'dead' ORDER BY created_at, shop, seq LIMIT $1`,
        [limit],
      );
      return rows.map((row) => ({
        shop: String(row.shop),
        seq: toInt(row.seq),
        kind: String(row.kind),
        targetId: String(row.target_id),
        attempts: toInt(row.attempts),
        lastStatus: row.last_status === null ? undefined : toInt(row.last_status),
        lastError: row.last_error === null ? undefined : String(row.last_error),
        createdAt: toMillis(row.created_at),
      }));
    },
    async redrive(shop: string, seq: number, now: number): Promise<boolean> {
      const rows = await client.query(
        `UPDATE outbox SET status = 'pending', next_attempt_at = $3::timestamptz, claimed_until = NULL,
           claim_token = NULL
         WHERE shop = $1 AND seq = $2 AND status = 'dead' RETURNING seq`,
        [shop, seq, toIso(now)],
      );
      return rows.length === 1;
    },
  };
}

/**
 * Queues a callback inside the caller's transaction, so it exists exactly when the change it reports does
 * (account authorization results are queued with the credentials they report).
 */
export async function enqueueCallbackWithin(
  tx: SqlExecutor,
  shop: string,
  message: CallbackMessage,
): Promise<void> {
  await tx.query(
    `INSERT INTO outbox (shop, kind, target_id, payment_id, message) VALUES ($1, $2, $3, $4, $5::jsonb)`,
    [shop, message.kind, message.targetId, message.paymentId, JSON.stringify(message)],
  );
}

/**
 * Dead-letters every pending callback of a shop with the reason (an uninstalled shop has no access token to
 * send them with); an operator can still list and re-drive them. Returns how many.
 */
export async function deadLetterPendingWithin(
  tx: SqlExecutor,
  shop: string,
  reason: string,
): Promise<number> {
  const rows = await tx.query(
    `UPDATE outbox SET status = 'dead', last_error = $2, claimed_until = NULL, claim_token = NULL
     WHERE shop = $1 AND status = 'pending' RETURNING seq`,
    [shop, reason],
  );
  return rows.length;
}

/**
 * GDPR: removes the card summary (token, brand, last 4, expiry) from a shop's callbacks that are no longer to
 * be sent, for the named payments or, without names, all of them. A pending callback keeps it: it must still
 * go out as it was stored. Returns how many callbacks changed.
 */
export async function redactCallbackCardsWithin(
  tx: SqlExecutor,
  shop: string,
  paymentIds?: readonly string[],
): Promise<number> {
  const rows = await tx.query(
    `UPDATE outbox SET message = outbox_message(message) - 'card'
     WHERE shop = $1 AND status IN ('delivered', 'dead') AND outbox_message(message) -> 'card' IS NOT NULL
       AND ($2::text[] IS NULL OR payment_id = ANY($2::text[]))
     RETURNING seq`,
    [shop, paymentIds === undefined ? null : [...paymentIds]],
  );
  return rows.length;
}
