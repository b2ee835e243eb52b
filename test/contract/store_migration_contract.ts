import assert from "node:assert/strict";
import { loadMigrations, migrate, migrationsDone } from "../../adapters/store/migrate.ts";
import { openTestDatabase } from "../support/databases.ts";
import { contractTest, rawCount, rawRows, withClients } from "./_store_fixtures.ts";

export function runMigrationContract(): void {
  contractTest("migrate() applies every migration once and nothing the second time", async (db) => {
    const versions = (await loadMigrations()).map((migration) => migration.version);
    assert.ok(versions.length > 0);
    assert.strictEqual(await migrationsDone(db.client).catch(() => false), false);

    assert.deepStrictEqual(await migrate(db.client), versions);
    assert.deepStrictEqual(await migrate(db.client), []);
    assert.deepStrictEqual(await migrate(db.client), []);

    assert.strictEqual(await migrationsDone(db.client), true);
    const applied = await rawRows(db, "SELECT version FROM schema_migrations ORDER BY version");
    assert.deepStrictEqual(applied.map((row) => Number(row.version)), versions);
  }, { migrated: false });

  contractTest("migrate() applies nothing to a database openTestDatabase() migrated", async (db) => {
    assert.deepStrictEqual(await migrate(db.client), []);
    assert.strictEqual(await migrationsDone(db.client), true);
    assert.strictEqual(await rawCount(db, "operations"), 0);
  });

  contractTest("migrate() applies once when two processes migrate a fresh database at once", async (db) => {
    const versions = (await loadMigrations()).map((migration) => migration.version);
    // Several fresh databases, since a race shows up only sometimes.
    for (let round = 0; round < 3; round++) {
      const fresh = round === 0 ? db : await openTestDatabase({ migrated: false });
      try {
        const results = await withClients(fresh, 2, (clients) => Promise.all(clients.map((c) => migrate(c))));
        const applied = results.filter((versionsNow) => versionsNow.length > 0);
        assert.strictEqual(
          applied.length,
          1,
          `round ${round}: exactly one migrate() applies: ${JSON.stringify(results)}`,
        );
        assert.deepStrictEqual(applied[0], versions);
        assert.strictEqual(await rawCount(fresh, "schema_migrations"), versions.length);
        assert.strictEqual(await migrationsDone(fresh.client), true);
      } finally {
        if (fresh !== db) await fresh.close();
      }
    }
  }, { postgresOnly: true, migrated: false });
}
