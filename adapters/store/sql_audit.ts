/**
 * The audit trail over SQL: appends (the triggers of migration 004 append state changes by themselves), the
 * sealer that chains appended entries in batches (migration 012), and the verification of the chains.
 * @module
 */
import { createHash } from "node:crypto";
import { type SqlClient, toInt } from "./sql_client.ts";

const GENESIS = "0".repeat(64);

/** Appends one entry to a shop's chain (for what the database does not see by itself: PSP exchanges). */
export async function appendAudit(
  client: SqlClient,
  entry: { shop: string; kind: string; subject: string; payload: Record<string, unknown> },
): Promise<void> {
  await client.query("SELECT audit_append($1, $2, $3, $4)", [
    entry.shop,
    entry.kind,
    entry.subject,
    JSON.stringify(entry.payload),
  ]);
}

/**
 * Chains up to `limit` unsealed entries onto their shops' chains (one sealer at a time across processes).
 * @returns how many were sealed
 */
export async function sealAudit(client: SqlClient, limit = 5_000): Promise<number> {
  const [row] = await client.query<{ sealed: unknown }>("SELECT audit_seal($1) AS sealed", [limit]);
  return toInt(row.sealed);
}

export interface ChainReport {
  readonly shop: string;
  /** Sealed entries, on the chain. */
  readonly entries: number;
  /** Entries appended and not sealed yet (tamper-evident once sealed). */
  readonly unsealed: number;
  /** Empty when the chain is intact and the sealer keeps up. */
  readonly problems: readonly string[];
}

/** An entry left unsealed longer than this means the sealer is not running. */
export const UNSEALED_TOO_LONG_MS = 60_000;

/** The hash of an entry, computed independently of the database: sha256 of the fields joined by `|`. */
export function entryHash(prevHash: string, row: {
  shop: string;
  seq: number;
  at: string;
  kind: string;
  subject: string;
  payload: string;
}): string {
  return createHash("sha256")
    .update(
      [prevHash, row.shop, String(row.seq), row.at, row.kind, row.subject, row.payload].join("|"),
      "utf8",
    )
    .digest("hex");
}

/**
 * Recomputes every shop's chain: each entry's hash from its content and its predecessor's hash, sequence
 * numbers without gaps, and the chain's end matching the stored head. An edited entry breaks its own hash;
 * a deleted one breaks the sequence or the next entry's link; a deleted tail no longer matches the head.
 */
export async function verifyAudit(client: SqlClient): Promise<ChainReport[]> {
  const heads = await client.query<{ shop: string; seq: unknown; hash: string }>(
    "SELECT shop, seq, hash FROM audit_heads ORDER BY shop",
  );
  const shops = new Set([
    ...heads.map((h) => h.shop),
    ...(await client.query<{ shop: string }>("SELECT DISTINCT shop FROM audit_log")).map((r) => r.shop),
  ]);
  const reports: ChainReport[] = [];
  for (const shop of [...shops].sort()) {
    const problems: string[] = [];
    const rows = await client.query<
      {
        seq: unknown;
        at: string;
        kind: string;
        subject: string;
        payload: string;
        prev_hash: string;
        hash: string;
      }
    >(
      "SELECT seq, at, kind, subject, payload, prev_hash, hash FROM audit_log WHERE shop = $1 AND seq IS NOT NULL ORDER BY seq",
      [shop],
    );
    const [pending] = await client.query<{ count: unknown; oldest: string | null }>(
      "SELECT count(*) AS count, min(at) AS oldest FROM audit_log WHERE shop = $1 AND seq IS NULL",
      [shop],
    );
    const unsealed = toInt(pending.count);
    if (pending.oldest !== null && Date.now() - Date.parse(pending.oldest) > UNSEALED_TOO_LONG_MS) {
      problems.push(
        `${unsealed} entries are not sealed, the oldest since ${pending.oldest}: is the sealer running?`,
      );
    }
    let previous = GENESIS;
    let expectedSeq = 1;
    for (const row of rows) {
      const seq = toInt(row.seq);
      if (seq !== expectedSeq) {
        problems.push(`entry ${expectedSeq}${seq > expectedSeq + 1 ? `-${seq - 1}` : ""} missing`);
      }
      if (row.prev_hash !== previous) problems.push(`entry ${seq} does not link to the entry before it`);
      const recomputed = entryHash(row.prev_hash, { ...row, shop, seq });
      if (recomputed !== row.hash) problems.push(`entry ${seq} was changed after it was written`);
      previous = row.hash;
      expectedSeq = seq + 1;
    }
    const head = heads.find((h) => h.shop === shop);
    if (head === undefined) {
      if (rows.length > 0) problems.push("the chain has no head");
    } else if (toInt(head.seq) !== expectedSeq - 1 || head.hash !== previous) {
      problems.push(`the chain ends at entry ${expectedSeq - 1} but its head says ${toInt(head.seq)}`);
    }
    reports.push({ shop, entries: rows.length, unsealed, problems });
  }
  return reports;
}
