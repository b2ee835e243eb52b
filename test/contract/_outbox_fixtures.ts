/**
 * Helpers of the outbox contract: queueing callbacks and reading outbox rows as stored.
 * @module
 */
import assert from "node:assert/strict";
import type { CallbackMessage, OutboxEntry, OutboxStore } from "../../src/mod.ts";
import { createSqlPaymentStore } from "../../adapters/store/sql_payment_store.ts";
import { toMillis } from "../../adapters/store/sql_client.ts";
import type { TestDatabase } from "../support/databases.ts";
import { rawRows } from "./_store_fixtures.ts";

export const LEASE = 30_000;

/** Queues callbacks, each in its own transaction (as the services do), and returns a time they are all due. */
export async function enqueue(db: TestDatabase, ...messages: CallbackMessage[]): Promise<number> {
  const store = createSqlPaymentStore(db.client);
  for (const message of messages) await store.transaction((tx) => tx.enqueueCallback("shop-a", message));
  // next_attempt_at defaults to the database's now(); a second of margin covers the clock read.
  return Date.now() + 1_000;
}

export function targets(entries: readonly OutboxEntry[]): string[] {
  return entries.map((entry) => entry.message.targetId);
}

export async function outboxRow(db: TestDatabase, entry: OutboxEntry) {
  const [row] = await rawRows(
    db,
    `SELECT status, attempts, claimed_until, last_status, last_error, next_attempt_at, delivered_at
     FROM outbox WHERE shop = $1 AND seq = $2`,
    [entry.shop, entry.seq],
  );
  const time = (value: unknown) => value === null ? null : toMillis(value);
  return {
    status: row.status,
    attempts: Number(row.attempts),
    claimedUntil: time(row.claimed_until),
    lastStatus: row.last_status === null ? null : Number(row.last_status),
    lastError: row.last_error,
    nextAttemptAt: time(row.next_attempt_at),
    deliveredAt: time(row.delivered_at),
  };
}

export async function attemptRows(db: TestDatabase, entry: OutboxEntry) {
  const rows = await rawRows(
    db,
    `SELECT attempt, at, http_status, error, duration_ms FROM callback_attempts
     WHERE shop = $1 AND seq = $2 ORDER BY attempt`,
    [entry.shop, entry.seq],
  );
  return rows.map((row) => ({
    attempt: Number(row.attempt),
    at: toMillis(row.at),
    httpStatus: row.http_status === null ? null : Number(row.http_status),
    error: row.error,
    durationMs: Number(row.duration_ms),
  }));
}

export async function claimOne(outbox: OutboxStore, now: number, targetId: string): Promise<OutboxEntry> {
  const entry = (await outbox.claimDue(now, LEASE, 10)).find((e) => e.message.targetId === targetId);
  assert.ok(entry, `${targetId} is claimable at ${now}`);
  return entry;
}
