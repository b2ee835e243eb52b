/**
 * Audit entries the database does not see by itself (PSP exchanges), written in batches: one multi-row insert
 * every `flushMs` instead of one statement per exchange on the request path. An entry waits at most `flushMs`;
 * the process flushes what is queued when it stops. What a process killed with -9 had queued is lost: the
 * exchange's effect is recorded with its outcome anyway, and the next question to the PSP is audited again.
 * @module
 */
import type { Logger } from "../../src/mod.ts";
import type { SqlClient } from "./sql_client.ts";

export interface AuditEntryInput {
  readonly shop: string;
  readonly kind: string;
  readonly subject: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

export interface AuditBatcher {
  append(entry: AuditEntryInput): void;
  /** Writes what is queued now. */
  flush(): Promise<void>;
  /** Flushes and stops. */
  close(): Promise<void>;
}

/** Rows per insert; a larger queue is written in several. */
const MAX_ROWS = 500;

export function createAuditBatcher(
  client: SqlClient,
  options: { readonly flushMs: number; readonly logger: Logger },
): AuditBatcher {
  let queue: (AuditEntryInput & { readonly at: string })[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let writing = Promise.resolve();

  async function write(entries: readonly (AuditEntryInput & { readonly at: string })[]): Promise<void> {
    for (let start = 0; start < entries.length; start += MAX_ROWS) {
      const rows = entries.slice(start, start + MAX_ROWS);
      try {
        await client.query(
          `INSERT INTO audit_log (shop, at, kind, subject, payload)
           SELECT shop, at, kind, subject, payload
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
             AS e(shop, kind, subject, payload, at)`,
          [
            rows.map((row) => row.shop),
            rows.map((row) => row.kind),
            rows.map((row) => row.subject),
            rows.map((row) => JSON.stringify(row.payload)),
            rows.map((row) => row.at),
          ],
        );
      } catch (error) {
        // The record must not change what happened: a failure to record is logged, not thrown.
        options.logger.error("audit.batch_unrecorded", {
          entries: rows.length,
          error: error instanceof Error ? error.message : "unknown",
        });
      }
    }
  }

  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const entries = queue;
    queue = [];
    writing = writing.then(() => entries.length === 0 ? undefined : write(entries));
    return writing;
  }

  return {
    append(entry) {
      // The entry keeps the time of the exchange, not of the flush, so a payment's timeline puts it before
      // the state change it caused. Same text form as the database's own entries (microseconds, UTC).
      queue.push({ ...entry, at: new Date().toISOString().replace(/Z$/, "000Z") });
      timer ??= setTimeout(() => void flush(), options.flushMs);
    },
    flush,
    async close() {
      await flush();
    },
  };
}
