/**
 * Every table can be distributed by shop (the layout Citus needs): its primary key and every unique index
 * lead with `shop`. A table that cannot says how it would be distributed, in its comment.
 */
import { deepStrictEqual } from "node:assert/strict";
import { openTestDatabase } from "./support/databases.ts";

Deno.test("every table is distributable by shop, or its comment says how it is distributed", async () => {
  const db = await openTestDatabase();
  try {
    const keys = await db.client.query<{ table_name: string; index_name: string; first_column: string }>(
      `SELECT t.relname AS table_name, i.relname AS index_name, a.attname AS first_column
       FROM pg_index x
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
       WHERE n.nspname = 'public' AND t.relkind = 'r' AND (x.indisprimary OR x.indisunique)`,
    );
    const tables = await db.client.query<{ table_name: string; comment: string | null; has_key: boolean }>(
      `SELECT c.relname AS table_name, obj_description(c.oid, 'pg_class') AS comment,
         EXISTS (SELECT 1 FROM pg_index x WHERE x.indrelid = c.oid AND x.indisprimary) AS has_key
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r'`,
    );
    const explained = new Set(
      tables.filter((t) => /reference table|distributed by/i.test(t.comment ?? "")).map((t) => t.table_name),
    );
    const problems = [
      ...keys.filter((k) => k.first_column !== "shop" && !explained.has(k.table_name))
        .map((k) => `${k.table_name}: ${k.index_name} leads with ${k.first_column}, not shop`),
      ...tables.filter((t) => !t.has_key && !explained.has(t.table_name)).map((t) =>
        `${t.table_name}: no primary key`
      ),
    ];
    deepStrictEqual(problems, []);
  } finally {
    await db.close();
  }
});
