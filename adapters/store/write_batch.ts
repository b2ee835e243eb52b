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
  /** Sends what is held, as one statement; throws what a write's check or the database refuses. */
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
    async flush() {
      if (held.length === 0) return;
      const writes = held;
      held = [];
      if (writes.length === 1) {
        const [write] = writes;
        const rows = await tx.query(
          write.exactlyOne === undefined ? write.text : `${write.text} RETURNING 1 AS found`,
          [
            ...write.params,
          ],
        );
        if (write.exactlyOne !== undefined && rows.length !== 1) throw new Error(write.exactlyOne);
        return;
      }
      const params: unknown[] = [];
      const parts = writes.map((write, index) => {
        const offset = params.length;
        params.push(...write.params);
        const text = write.text.replace(/\$(\d+)/g, (_, n) => `$${Number(n) + offset}`);
        return `w${index} AS (${text}${write.exactlyOne === undefined ? "" : " RETURNING 1"})`;
      });
      const counted = writes.map((write, index) => write.exactlyOne === undefined ? undefined : index)
        .filter((index) => index !== undefined);
      const select = counted.length === 0
        ? "SELECT 1 AS done"
        : `SELECT ${counted.map((index) => `(SELECT count(*) FROM w${index}) AS n${index}`).join(", ")}`;
      const [row] = await tx.query(`WITH ${parts.join(", ")} ${select}`, params);
      for (const index of counted) {
        if (Number(row[`n${index}`]) !== 1) throw new Error(writes[index!].exactlyOne);
      }
    },
  };
}
