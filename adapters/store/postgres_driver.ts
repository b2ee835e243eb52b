import postgres from "postgres";
import type { Row, SqlClient, SqlExecutor } from "./sql_client.ts";

/** The SqlClient over postgres.js, for a PostgreSQL server named by DATABASE_URL. */
export function connectPostgres(url: string, options: { max?: number } = {}): SqlClient {
  const sql = postgres(url, {
    max: options.max ?? 10,
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
    connection: { application_name: "genstore-gateway" },
  });
  const executor = (runner: postgres.Sql | postgres.TransactionSql): SqlExecutor => ({
    async query<T extends Row = Row>(text: string, params: readonly unknown[] = []): Promise<T[]> {
      const rows = await runner.unsafe(text, params as postgres.ParameterOrJSON<never>[]);
      return rows as unknown as T[];
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
      return await sql.begin((tx) => work(executor(tx))) as T;
    },
    async close(): Promise<void> {
      await sql.end({ timeout: 5 });
    },
    async listen(channel: string, onNotify: () => void) {
      const { unlisten } = await sql.listen(channel, () => onNotify());
      return unlisten;
    },
  };
}
