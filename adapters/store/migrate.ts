import type { SqlClient } from "./sql_client.ts";

const MIGRATIONS_DIR = new URL("./migrations/", import.meta.url);
/** An arbitrary constant: the advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK = 7_262_024;

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** The migration files, `NNN_name.sql`, in version order. */
export async function loadMigrations(): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for await (const entry of Deno.readDir(MIGRATIONS_DIR)) {
    const match = /^(\d+)_([a-z0-9_]+)\.sql$/.exec(entry.name);
    if (!entry.isFile || match === null) continue;
    const sql = await Deno.readTextFile(new URL(entry.name, MIGRATIONS_DIR));
    migrations.push({ version: Number(match[1]), name: match[2], sql });
  }
  return migrations.sort((a, b) => a.version - b.version);
}

/**
 * Applies the migrations not applied yet, in one transaction under an advisory lock, so that two processes
 * starting at once neither race nor apply anything twice.
 * @returns the versions applied now
 */
export async function migrate(client: SqlClient): Promise<number[]> {
  const migrations = await loadMigrations();
  return await client.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Set(
      (await tx.query<{ version: number }>("SELECT version FROM schema_migrations")).map((row) =>
        Number(row.version)
      ),
    );
    const applied: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await tx.exec(migration.sql);
      await tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    return applied;
  });
}

/** Whether every known migration has been applied (for /readyz). */
export async function migrationsDone(client: SqlClient): Promise<boolean> {
  const migrations = await loadMigrations();
  const rows = await client.query<{ count: unknown }>(
    "SELECT count(*) AS count FROM schema_migrations WHERE version = ANY($1::int[])",
    [migrations.map((m) => m.version)],
  );
  return Number(rows[0]?.count) === migrations.length;
}
