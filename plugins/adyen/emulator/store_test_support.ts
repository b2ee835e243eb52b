/**
 * The emulator's stores under test: in memory (the default), SQL on an in-memory PGlite, and SQL on PostgreSQL
 * when DATABASE_URL is set (a fresh database per test, from test/support/databases.ts).
 * @module
 */
import { openPglite } from "../../../adapters/store/pglite_driver.ts";
import type { SqlClient } from "../../../adapters/store/sql_client.ts";
import { openTestDatabase } from "../../../test/support/databases.ts";
import { EMULATOR_TABLES, sqlEmulatorStore } from "./sql_store.ts";
import type { AdyenEmulatorStore } from "./store.ts";

export type StoreKind = "memory" | "pglite" | "postgres";

/** The stores every emulator test runs on. */
export const STORE_KINDS: readonly StoreKind[] = Deno.env.get("DATABASE_URL")
  ? ["memory", "pglite", "postgres"]
  : ["memory", "pglite"];

/** The SQL stores: PGlite always, PostgreSQL when DATABASE_URL is set. */
export const SQL_STORE_KINDS: readonly Exclude<StoreKind, "memory">[] = Deno.env.get("DATABASE_URL")
  ? ["pglite", "postgres"]
  : ["pglite"];

export interface StoreFixture {
  /** Undefined for the memory kind: the emulator's default. */
  readonly store?: AdyenEmulatorStore;
  /** The database of a SQL kind. */
  readonly client?: SqlClient;
  close(): Promise<void>;
}

let sharedPglite: Promise<SqlClient> | undefined;

/**
 * A store with nothing in it. PGlite takes a second to start, so the PGlite kind shares one in-memory database
 * per test file, its emulator tables dropped before each test (tests of one file run one at a time).
 */
export async function openStore(kind: StoreKind): Promise<StoreFixture> {
  switch (kind) {
    case "memory":
      return { close: () => Promise.resolve() };
    case "pglite": {
      sharedPglite ??= openPglite();
      const client = await sharedPglite;
      await dropEmulatorTables(client);
      return { store: sqlEmulatorStore(client), client, close: () => Promise.resolve() };
    }
    case "postgres": {
      const database = await openTestDatabase({ migrated: false });
      return {
        store: sqlEmulatorStore(database.client),
        client: database.client,
        close: () => database.close(),
      };
    }
  }
}

export async function dropEmulatorTables(client: SqlClient): Promise<void> {
  await client.exec(`DROP TABLE IF EXISTS ${EMULATOR_TABLES.join(", ")}`);
}

/** The name of a test for a store kind: the memory kind keeps the original name. */
export function nameFor(name: string, kind: StoreKind): string {
  return kind === "memory" ? name : `${name} [${kind} store]`;
}
