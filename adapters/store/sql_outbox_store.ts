import type {
  CallbackMessage,
  DeadLetter,
  DeliveryAttempt,
  DeliveryDecision,
  OutboxEntry,
  OutboxStore,
  RateLimit,
  RecordedAttempt,
  Release,
  SendableClaim,
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

/** Where a bucket statement finds the take's time, the shops' burst and their refill rate. */
interface BucketParams {
  readonly now: string;
  readonly burst: string;
  readonly perSecond: string;
}

/**
 * Token buckets, several shops in one statement: takes from each shop of `wanted` (rows of `shop, wanted`, in
 * the order the buckets are to be locked) and returns `shop, granted`. A new shop starts with a full bucket;
 * an existing one is refilled and taken from in its ON CONFLICT branch, which locks the row and reads its
 * latest committed version, so takers in any process never share a token. `granted` keeps what the last take
 * got, which is how the statement returns it (RETURNING sees only the row as written).
 */
function takeFromBuckets(wanted: string, { now, burst, perSecond }: BucketParams): string {
  // What the bucket holds now: what it kept plus the refill since, never above the burst; a clock that went
  // backwards adds nothing. `r` is the bucket's row as it was before this take.
  const available = `least(${burst}::float8,
    r.tokens + greatest(0, extract(epoch FROM (${now}::timestamptz - r.refilled_at))::float8) * ${perSecond}::float8)`;
  // What this take gets: what it asked for (excluded.granted, at most the burst), as far as whole tokens go.
  const granted = `greatest(0, least(excluded.granted, floor(${available})))::int`;
  return `
    INSERT INTO callback_rate AS r (shop, tokens, refilled_at, granted)
    SELECT w.shop, ${burst}::float8 - least(w.wanted, floor(${burst}::float8)), ${now}::timestamptz,
      least(w.wanted, floor(${burst}::float8))::int
    FROM ${wanted}
    ON CONFLICT (shop) DO UPDATE SET
      tokens = ${available} - ${granted},
      refilled_at = greatest(r.refilled_at, ${now}::timestamptz),
      granted = ${granted}
    RETURNING shop, granted`;
}

const TAKE_TOKENS = takeFromBuckets(
  "unnest($1::text[], $2::int[]) WITH ORDINALITY AS w(shop, wanted, position) ORDER BY w.position",
  { now: "$3", burst: "$4", perSecond: "$5" },
);

/**
 * Entries due at $1 that no other worker holds, oldest due first, at most $3, locked (others skip them). Read
 * in the order of the index outbox_due and stopped at $3, so a backlog does not slow the claim
 * (test/outbox_claim_plan_test.ts holds it to that).
 */
export const DUE = `
  SELECT o.shop, o.seq FROM outbox o
  WHERE o.status = 'pending' AND o.next_attempt_at <= $1::timestamptz
    AND (o.claimed_until IS NULL OR o.claimed_until <= $1::timestamptz)
    AND NOT EXISTS (
      SELECT 1 FROM outbox e
      WHERE e.shop = o.shop AND e.payment_id = o.payment_id AND e.status = 'pending' AND e.seq < o.seq)
  ORDER BY o.next_attempt_at, o.seq LIMIT $3 FOR UPDATE SKIP LOCKED`;

/**
 * One pass's claim within the rate limit, as one statement: the due entries ($1 now, $3 at most), ranked in
 * each shop by seq; each shop's tokens for them (buckets locked in the order of the shops' names, the same in
 * every process, so two passes never deadlock; $4 burst, $5 per second); then one UPDATE that claims the
 * entries a token covers until $2 and gives back the others, the n-th held one due n intervals ($6 ms) from
 * now. Each row is written once, by that last UPDATE.
 */
const CLAIM_SENDABLE = `
  WITH due AS MATERIALIZED (${DUE}),
  ranked AS (SELECT shop, seq, row_number() OVER (PARTITION BY shop ORDER BY seq) AS place FROM due),
  taken AS (${
  takeFromBuckets(
    '(SELECT shop, count(*)::int AS wanted FROM due GROUP BY shop) AS w ORDER BY w.shop COLLATE "C"',
    { now: "$1", burst: "$4", perSecond: "$5" },
  )
}),
  claimed AS (
    UPDATE outbox o SET
      claimed_until = CASE WHEN k.place <= t.granted THEN $2::timestamptz END,
      claim_token = CASE WHEN k.place <= t.granted THEN gen_random_uuid()::text END,
      next_attempt_at = CASE WHEN k.place <= t.granted THEN o.next_attempt_at
        ELSE $1::timestamptz + ceil($6::float8 * (k.place - t.granted)) * interval '1 millisecond' END
    FROM ranked k JOIN taken t ON t.shop = k.shop
    WHERE o.shop = k.shop AND o.seq = k.seq
    RETURNING o.shop, o.seq, o.message, o.attempts, o.created_at, o.claim_token, k.place <= t.granted AS sendable)
  SELECT * FROM claimed`;

/** The OutboxStore over SQL: claims with FOR UPDATE SKIP LOCKED plus a lease, so processes share the work. */
export function createSqlOutboxStore(client: SqlClient): OutboxStore {
  return {
    async claimDue(now: number, leaseMs: number, limit: number): Promise<readonly OutboxEntry[]> {
      const rows = await client.query(
        `UPDATE outbox SET claimed_until = $2::timestamptz, claim_token = gen_random_uuid()::text
         WHERE (shop, seq) IN (${DUE})
         RETURNING shop, seq, message, attempts, created_at, claim_token`,
        [toIso(now), toIso(now + leaseMs), limit],
      );
      return rows.map(entryFromRow).sort((a, b) => a.seq - b.seq);
    },
    async claimSendable(
      now: number,
      leaseMs: number,
      limit: number,
      rate: RateLimit,
    ): Promise<SendableClaim> {
      const rows = await client.query(CLAIM_SENDABLE, [
        toIso(now),
        toIso(now + leaseMs),
        limit,
        rate.burst,
        rate.perSecond,
        1000 / rate.perSecond,
      ]);
      const sendable = rows.filter((row) => row.sendable === true).map(entryFromRow);
      return { sendable: sendable.sort((a, b) => a.seq - b.seq), due: rows.length };
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
    async release(releases: readonly Release[]): Promise<void> {
      if (releases.length === 0) return;
      await client.query(
        `UPDATE outbox o SET claimed_until = NULL, claim_token = NULL, next_attempt_at = r.at
         FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::text[]) AS r(shop, seq, at, claim_token)
         WHERE o.shop = r.shop AND o.seq = r.seq AND o.status = 'pending' AND o.claim_token = r.claim_token`,
        [
          releases.map(({ entry }) => entry.shop),
          releases.map(({ entry }) => entry.seq),
          releases.map(({ at }) => toIso(at)),
          releases.map(({ entry }) => entry.claimToken),
        ],
      );
    },
    async takeTokens(
      now: number,
      rate: RateLimit,
      wanted: ReadonlyMap<string, number>,
    ): Promise<Map<string, number>> {
      if (wanted.size === 0) return new Map();
      // The buckets are locked in the order of the shops' names, the same order in every process: two passes
      // taking for the same shops in different orders would otherwise deadlock.
      const shops = [...wanted.keys()].sort();
      const rows = await client.query(TAKE_TOKENS, [
        shops,
        shops.map((shop) => wanted.get(shop)!),
        toIso(now),
        rate.burst,
        rate.perSecond,
      ]);
      return new Map(rows.map((row) => [String(row.shop), toInt(row.granted)]));
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
