/**
 * Writes of one transaction held until they are needed, then sent as one statement: each write becomes a
 * data-modifying CTE, so N writes cost one round trip instead of N, with every trigger and constraint as
 * before. A write may be keyed (a row's save): saved twice, only the last one is sent, because one statement
 * must not change a row twice.
 * @module
 */
import type { SqlExecutor } from "./sql_client.ts";

export interface Write {
  readonly text: string;
  readonly params: readonly unknown[];
  /** The row the write saves; a later write with the same key replaces it. */
  readonly key?: string;
  /** The write inserts its row (a later save of it stays an insert). */
  readonly insert?: boolean;
  /** The write must touch exactly one row; otherwise this is thrown. */
  readonly exactlyOne?: string;
}

export interface WriteBatch {
  add(write: Write): void;
  /** Whether the held write of this row inserts it. */
  isInsert(key: string): boolean;
  /**
   * Sends what is held, as one statement, at once (the statement is on its way when this returns); the promise
   * rejects with what a write's check or the database refuses.
   */
  flush(): Promise<void>;
}

export function createWriteBatch(tx: SqlExecutor): WriteBatch {
  let held: Write[] = [];
  return {
    add(write) {
      if (write.key !== undefined) held = held.filter((other) => other.key !== write.key);
      held.push(write);
    },
    isInsert(key) {
      return held.some((write) => write.key === key && write.insert === true);
    },
    flush() {
      if (held.length === 0) return Promise.resolve();
      const writes = held;
      held = [];
      const counted = writes.flatMap((write, index) => write.exactlyOne === undefined ? [] : [index]);
      if (writes.length === 1 && counted.length === 0) {
        return tx.query(writes[0].text, [...writes[0].params]).then(() => {});
      }
      const params: unknown[] = [];
      const parts = writes.map((write, index) => {
        const offset = params.length;
        params.push(...write.params);
        const text = write.text.replace(/\$(\d+)/g, (_, n) => `$${Number(n) + offset}`);
        return `w${index} AS (${text}${write.exactlyOne === undefined ? "" : " RETURNING 1"})`;
      });
      // Checked by the statement itself (write_refused raises, migration 021), not after its answer: a failed
      // check must abort the transaction before its COMMIT, which may already be on its way behind it.
      const checks = counted.map((index) => {
        params.push(writes[index].exactlyOne);
        return `CASE WHEN (SELECT count(*) FROM w${index}) <> 1 THEN write_refused($${params.length}::text) END`;
      });
      const select = checks.length === 0 ? "SELECT 1 AS done" : `SELECT ${checks.join(", ")}`;
      return tx.query(`WITH ${parts.join(", ")} ${select}`, params).then(() => {});
    },
  };
}
