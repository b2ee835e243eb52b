/** A row as both drivers return it: column name to value. */
export type Row = Record<string, unknown>;

/** Runs statements. Parameters are positional ($1, $2, ...). */
export interface SqlExecutor {
  query<T extends Row = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

/**
 * The minimal client the SQL store needs, implemented by a postgres.js driver (DATABASE_URL) and a PGlite
 * driver (embedded default). One SQL dialect, one schema, two drivers.
 */
export interface SqlClient extends SqlExecutor {
  /** Runs `work` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly driver: "postgres" | "pglite";
  /**
   * Calls `onNotify` for every NOTIFY on `channel` sent by another client (PostgreSQL): a notification whose
   * payload names this client (its application_name) is its own, and left out. The returned function stops
   * listening.
   */
  listen?(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
}

/** PostgreSQL error codes worth retrying a whole transaction for. */
const RETRYABLE = new Set(["40001", "40P01"]);

export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && RETRYABLE.has(code);
}

/** Converts a bigint/numeric column (string, bigint or number depending on the driver) to a safe integer. */
export function toInt(value: unknown): number {
  const number = typeof value === "number" ? value : Number(value);
  if (!Number.isSafeInteger(number)) throw new RangeError(`Cannot read an integer column: ${typeof value}`);
  return number;
}

export function toMillis(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === "string" || typeof value === "number") return new Date(value).getTime();
  throw new RangeError(`Cannot read a timestamp column: ${typeof value}`);
}

export function toIso(millis: number): string {
  return new Date(millis).toISOString();
}

/** jsonb columns come back parsed from both drivers; tolerate a string anyway. */
export function toJson<T>(value: unknown): T | undefined {
  if (value === null || value === undefined) return undefined;
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}
