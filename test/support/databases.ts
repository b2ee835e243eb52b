/**
 * Test databases: an in-memory PGlite by default, or a fresh database on the PostgreSQL server named by
 * DATABASE_URL (created per call, dropped afterwards), so the same suites run on both drivers.
 * @module
 */
import postgres from "postgres";
import { migrate } from "../../adapters/store/migrate.ts";
import { openPglite } from "../../adapters/store/pglite_driver.ts";
import { connectPostgres } from "../../adapters/store/postgres_driver.ts";
import type { SqlClient, SqlExecutor } from "../../adapters/store/sql_client.ts";

export interface TestDatabase {
  readonly client: SqlClient;
  /** The PostgreSQL URL of this database (undefined on PGlite). */
  readonly url?: string;
  readonly driver: "postgres" | "pglite";
  /** Closes the client and drops the database. */
  close(): Promise<void>;
}

/** Which store the suite runs on: PostgreSQL when DATABASE_URL is set, PGlite otherwise. */
export function storeUnderTest(): "postgres" | "pglite" {
  return Deno.env.get("DATABASE_URL") ? "postgres" : "pglite";
}

/** A fresh, migrated database of the store under test. */
export async function openTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const base = Deno.env.get("DATABASE_URL");
  if (!base) {
    const client = await openPglite();
    if (options.migrated !== false) await migrate(client);
    return { client, driver: "pglite", close: () => client.close() };
  }
  const name = `gw_test_${Date.now().toString(36)}_${crypto.randomUUID().slice(0, 8).replaceAll("-", "")}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(base, name);
  const client = connectPostgres(url, { max: 10 });
  if (options.migrated !== false) await migrate(client);
  return {
    client,
    url,
    driver: "postgres",
    async close() {
      await client.close();
      const dropper = postgres(base, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

/** The same server URL with another database name. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * Name and ignore flag of a test that needs real gateway processes sharing PostgreSQL: on the embedded store
 * the name itself says why it is ignored and how to run it.
 */
export function postgresOnly(name: string): { readonly name: string; readonly ignore: boolean } {
  const ignore = storeUnderTest() !== "postgres";
  return { name: ignore ? `${name} [PostgreSQL only: run with DATABASE_URL set]` : name, ignore };
}

/**
 * Every jsonb column holding a JSON *string* where the stores write objects or arrays: a value stored as a
 * string of JSON (double-encoded) reads back the same through the mappers but is opaque to SQL's JSON operators.
 */
export async function jsonbHeldAsStrings(db: SqlExecutor): Promise<string[]> {
  const columns = await db.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND data_type = 'jsonb' ORDER BY table_name, column_name`,
  );
  const found: string[] = [];
  for (const { table_name, column_name } of columns) {
    const rows = await db.query<{ n: number | string }>(
      `SELECT count(*) AS n FROM "${table_name}" WHERE jsonb_typeof("${column_name}") = 'string'`,
    );
    if (Number(rows[0].n) > 0) found.push(`${table_name}.${column_name}`);
  }
  return found;
}
