import { PGlite, type Transaction } from "@electric-sql/pglite";
import type { Row, SqlClient, SqlExecutor } from "./sql_client.ts";

/**
 * The SqlClient over PGlite, the embedded PostgreSQL of the default set-up. It has one connection, so
 * transactions run one at a time; PGlite queues them.
 * @param dataDir a directory for the database files, or undefined for an in-memory database
 */
export async function openPglite(dataDir?: string): Promise<SqlClient> {
  const db = dataDir === undefined ? new PGlite() : new PGlite(dataDir);
  await db.waitReady;
  const executor = (runner: PGlite | Transaction): SqlExecutor => ({
    async query<T extends Row = Row>(text: string, params: readonly unknown[] = []): Promise<T[]> {
      const result = await runner.query<T>(text, params as unknown[]);
      return result.rows;
    },
    async exec(script: string): Promise<void> {
      await runner.exec(script);
    },
  });
  return {
    driver: "pglite",
    ...executor(db),
    async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      return await db.transaction((tx) => work(executor(tx)));
    },
    async close(): Promise<void> {
      await db.close();
    },
  };
}
