/**
 * `deno task console-plans [count]`: which index serves each console search, and how long it takes, on a
 * scratch database of generated payments (a million by default): PostgreSQL at DATABASE_URL (a database
 * `console_plans` is created and dropped there), or an in-memory PGlite.
 * @module
 */
import postgres from "postgres";
import { connectPostgres } from "../adapters/store/postgres_driver.ts";
import { openPglite } from "../adapters/store/pglite_driver.ts";
import { fillPayments, planSearches } from "./_search_plans.ts";

const count = Number(Deno.args[0] ?? 1_000_000);
const base = Deno.env.get("DATABASE_URL");
const name = "console_plans";
let drop = async () => {};
let db;
if (base) {
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  db = connectPostgres(url.toString(), { max: 2 });
  drop = async () => {
    const dropper = postgres(base, { max: 1, onnotice: () => {} });
    await dropper.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await dropper.end();
  };
} else {
  db = await openPglite();
}
try {
  const started = performance.now();
  await fillPayments(db, count);
  console.log(
    `${count} payments generated in ${((performance.now() - started) / 1000).toFixed(0)} s on ${db.driver}`,
  );
  console.log("| search | index | rows | time |\n| --- | --- | --- | --- |");
  for (const plan of await planSearches(db, count)) {
    console.log(
      `| ${plan.filter} | ${plan.indexes.join(", ")}${plan.seqScan ? " + SEQ SCAN" : ""} | ${plan.rows} | ${
        plan.executionMs.toFixed(2)
      } ms |`,
    );
  }
} finally {
  await db.close();
  await drop();
}
