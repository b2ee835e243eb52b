/**
 * Shared pieces of the store contract: test registration on a fresh database, sample records and database
 * error assertions. Private to `test/contract/`.
 * @module
 */
import assert from "node:assert/strict";
import type { CallbackMessage, Operation, Payment } from "../../src/mod.ts";
import { connectPostgres } from "../../adapters/store/postgres_driver.ts";
import type { Row, SqlClient } from "../../adapters/store/sql_client.ts";
import { openTestDatabase, postgresOnly, storeUnderTest, type TestDatabase } from "../support/databases.ts";

/** Every test gives up after this long, so a lock wait or a hung connection fails instead of stalling CI. */
const TEST_BOUND_MS = 30_000;

/** A fixed instant with milliseconds, for timestamps the store must keep exactly. */
export const T0 = Date.UTC(2024, 0, 15, 10, 30, 0, 123);

/** SQLSTATE codes the schema raises. */
export const SQLSTATE = {
  integrity: "23000",
  foreignKey: "23503",
  unique: "23505",
  check: "23514",
} as const;

export interface ContractOptions {
  /** Runs on PostgreSQL only; on PGlite the test shows as ignored. */
  readonly postgresOnly?: boolean;
  /** False for a database without the schema (migration tests). */
  readonly migrated?: boolean;
}

/**
 * Registers `store(<driver>) <name>`, run on its own fresh database that is closed afterwards.
 */
export function contractTest(
  name: string,
  fn: (db: TestDatabase, t: Deno.TestContext) => Promise<void>,
  options: ContractOptions = {},
): void {
  const { name: fullName, ignore } = options.postgresOnly === true
    ? postgresOnly(`store(${storeUnderTest()}) ${name}`)
    : { name: `store(${storeUnderTest()}) ${name}`, ignore: false };
  Deno.test({
    name: fullName,
    ignore,
    async fn(t) {
      const db = await openTestDatabase({ migrated: options.migrated });
      try {
        await bounded(fn(db, t), `${name} took longer than ${TEST_BOUND_MS} ms`);
      } finally {
        await db.close();
      }
    },
  });
}

async function bounded<T>(work: Promise<T>, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), TEST_BOUND_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Opens `count` extra clients on the test database (PostgreSQL only), each with its own connections. */
export async function withClients<T>(
  db: TestDatabase,
  count: number,
  work: (clients: SqlClient[]) => Promise<T>,
): Promise<T> {
  assert.ok(db.url, "Extra clients need a PostgreSQL test database");
  const clients = Array.from({ length: count }, () => connectPostgres(db.url!, { max: 2 }));
  try {
    return await work(clients);
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
}

/** Waits (bounded) until `count` sessions of the test database wait on a lock (PostgreSQL only). */
export async function waitForLockWaiters(db: TestDatabase, count: number): Promise<void> {
  for (let poll = 0; poll < 500; poll++) {
    const [{ waiting }] = await db.client.query<{ waiting: unknown }>(
      `SELECT count(*) AS waiting FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (Number(waiting) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Cannot see ${count} sessions waiting on a lock after 5 s`);
}

export function anOperation(overrides: Partial<Operation> = {}): Operation {
  const shop = overrides.shop ?? "shop-a";
  const kind = overrides.kind ?? "payment";
  const operationId = overrides.operationId ?? "pay-1";
  return {
    shop,
    kind,
    operationId,
    paymentId: operationId,
    extension: "card",
    test: true,
    reference: `${shop}.${kind}-${operationId}`,
    fingerprint: "fp-1",
    status: "processing",
    amount: { amountMinor: 1000, currency: "EUR" },
    attempt: 1,
    pspIdempotencyKey: `gw-${kind}-${operationId}-p1`,
    createdAt: T0,
    updatedAt: T0,
    checks: 0,
    returns: 0,
    keyFor: "request",
    ...overrides,
  };
}

export function aPayment(overrides: Partial<Payment> = {}): Payment {
  const shop = overrides.shop ?? "shop-a";
  const paymentId = overrides.paymentId ?? "pay-1";
  return {
    shop,
    paymentId,
    extension: "card",
    plugin: "fakepsp",
    test: true,
    reference: `${shop}.payment-${paymentId}`,
    amount: { amountMinor: 1000, currency: "EUR" },
    captureMode: "authorize",
    state: "processing",
    authorizedMinor: 0,
    capturedMinor: 0,
    refundedMinor: 0,
    capturePendingMinor: 0,
    refundPendingMinor: 0,
    voidPending: false,
    ...overrides,
  };
}

/** An authorized payment of 1000 with the given sums. */
export function anAuthorizedPayment(overrides: Partial<Payment> = {}): Payment {
  return aPayment({ state: "authorized", authorizedMinor: 1000, ...overrides });
}

export function aCallback(overrides: Partial<CallbackMessage> = {}): CallbackMessage {
  const paymentId = overrides.paymentId ?? "pay-1";
  return {
    kind: "payment",
    targetId: paymentId,
    paymentId,
    succeeded: true,
    channelId: "psp-ref-1",
    amount: "10.00",
    currency: "EUR",
    test: true,
    ...overrides,
  };
}

/** The value without its undefined properties (recursively), to compare records the way JSON sees them. */
export function defined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(defined) as T;
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, defined(v)]),
  ) as T;
}

/** Asserts that each of `fields` reads back as undefined (an absent column is never null). */
export function assertAbsent(record: object, fields: readonly string[]): void {
  for (const field of fields) {
    assert.strictEqual(
      (record as Record<string, unknown>)[field],
      undefined,
      `${field} reads back as undefined`,
    );
  }
}

/** Asserts that `work` fails with a database error of SQLSTATE `code` whose message matches `message`. */
export async function assertDatabaseError(
  work: () => Promise<unknown>,
  code: string,
  message?: RegExp,
): Promise<void> {
  await assert.rejects(work, (error: unknown) => {
    const { code: actual, message: text } = error as { code?: unknown; message?: unknown };
    assert.strictEqual(actual, code, `expected SQLSTATE ${code}, got ${String(actual)}: ${String(text)}`);
    if (message !== undefined) assert.match(String(text), message);
    return true;
  });
}

/** Reads rows with plain SQL, bypassing the stores. */
export async function rawRows(
  db: TestDatabase,
  text: string,
  params: readonly unknown[] = [],
): Promise<Row[]> {
  return await db.client.query(text, params);
}

export async function rawCount(db: TestDatabase, table: string): Promise<number> {
  const rows = await db.client.query<{ count: unknown }>(`SELECT count(*) AS count FROM ${table}`);
  return Number(rows[0].count);
}
