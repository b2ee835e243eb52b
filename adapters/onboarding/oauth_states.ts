/**
 * The install's one-time OAuth states, kept server-side (migration 010) until they expire: the signed cookie
 * binds a state to the browser and the shop, the table makes it usable once, whatever the cookie says.
 * @module
 */
import { type SqlClient, toIso } from "../store/sql_client.ts";

/** A fresh state: 32 random bytes, hex. */
export function newState(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
}

/** Records a state for the shop, valid until `expiresAt`, and purges the expired ones. */
export async function issueState(
  db: SqlClient,
  shop: string,
  state: string,
  now: number,
  ttlMs: number,
): Promise<void> {
  await db.query("DELETE FROM oauth_states WHERE expires_at < $1::timestamptz", [toIso(now)]);
  await db.query(
    "INSERT INTO oauth_states (shop, state, expires_at) VALUES ($1, $2, $3::timestamptz)",
    [shop, state, toIso(now + ttlMs)],
  );
}

/**
 * Uses a state: true for the one caller that finds it issued for this shop, unexpired and unused. Concurrent
 * callbacks with one state race on the row; only one update matches.
 */
export async function useState(db: SqlClient, shop: string, state: string, now: number): Promise<boolean> {
  if (!/^[0-9a-f]{64}$/.test(state)) return false;
  const rows = await db.query(
    `UPDATE oauth_states SET used_at = $3::timestamptz
     WHERE shop = $1 AND state = $2 AND used_at IS NULL AND expires_at > $3::timestamptz RETURNING state`,
    [shop, state, toIso(now)],
  );
  return rows.length === 1;
}
