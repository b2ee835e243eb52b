import postgres from "postgres";
import type { Row, SqlClient, SqlExecutor } from "./sql_client.ts";

/**
 * Statements are prepared once per connection and then only bound and executed: one round trip instead of
 * postgres.js's two for an unprepared statement with parameters (describe, then execute), and no parse or plan
 * on the server. The store's statements come from a small set of shapes; this bounds the per-connection cache
 * anyway, should a caller ever build texts without bound: past it, new texts run unprepared.
 */
const MOST_PREPARED_TEXTS = 1_000;

/**
 * The SqlClient over postgres.js, for a PostgreSQL server named by DATABASE_URL. `maxPipeline` (postgres.js's
 * max_pipeline, 100 by default) is there for tests that need a connection's pipeline to fill.
 */
export function connectPostgres(
  url: string,
  options: { max?: number; maxPipeline?: number } = {},
): SqlClient {
  const clientName = `genstore-gateway ${crypto.randomUUID().slice(0, 8)}`;
  const sql = postgres(url, {
    max: options.max ?? 10,
    ...(options.maxPipeline === undefined ? {} : { max_pipeline: options.maxPipeline }),
    onnotice: () => {},
    // Timestamps and bigints are converted by the store's row mappers. The stores hand jsonb parameters over as
    // JSON text (one form for PGlite and PostgreSQL); postgres.js would JSON.stringify that text again and
    // store a JSON *string*, which SQL's JSON operators cannot look into. Text goes through as it is.
    types: {
      json: {
        to: 114,
        from: [114, 3802],
        serialize: (value: unknown) => typeof value === "string" ? value : JSON.stringify(value),
        parse: (text: string) => JSON.parse(text),
      },
    },
    // Unique per client, so a notification can say who sent it (migration 018): a process skips its own.
    connection: { application_name: clientName },
  });
  const prepared = new Set<string>();
  const preparable = (text: string): boolean => {
    if (prepared.has(text)) return true;
    if (prepared.size >= MOST_PREPARED_TEXTS) return false;
    prepared.add(text);
    return true;
  };
  const executor = (runner: postgres.Sql | postgres.TransactionSql): SqlExecutor => ({
    async query<T extends Row = Row>(text: string, params: readonly unknown[] = []): Promise<T[]> {
      const query = runner.unsafe(text, params as postgres.ParameterOrJSON<never>[], {
        prepare: params.length > 0 && preparable(text),
      });
      // Handed to the connection now, in the order of the calls: a transaction's COMMIT may follow a write
      // that has not been answered yet (sql_payment_store.ts), and must go out behind it.
      query.execute();
      return await query as unknown as T[];
    },
    async exec(script: string): Promise<void> {
      // Without parameters postgres.js uses the simple protocol, which runs several statements.
      await runner.unsafe(script);
    },
  });
  return {
    driver: "postgres",
    ...executor(sql),
    async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      // postgres.js's own begin(), from the vendored copy that fixes 3.4.9's reservation bugs (vendor/postgres:
      // upstream could leave a transaction's connection in the pool, porsager/postgres#1189 and #1207).
      return await sql.begin((tx) => work(executor(tx))) as T;
    },
    async close(): Promise<void> {
      await sql.end({ timeout: 5 });
    },
    async listen(channel: string, onNotify: () => void) {
      const { unlisten } = await sql.listen(channel, (sender) => {
        if (sender !== clientName) onNotify();
      });
      return unlisten;
    },
  };
}
