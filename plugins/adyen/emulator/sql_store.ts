/**
 * The emulator's state in SQL (PostgreSQL, or the embedded PGlite), for dev mode: it survives a crash of the
 * process and is shared by every process on the same database, so that a gateway restarted after kill -9 (or
 * another gateway process) still finds its payments, its stored answers and its tokens.
 *
 * The tables are the emulator's own (prefix `emulator_adyen_`), created by the store on first use with CREATE
 * TABLE IF NOT EXISTS under a transaction-scoped advisory lock, so two processes starting at once are safe;
 * they are not part of the gateway's migrations. Idempotency keys are claimed with INSERT ... ON CONFLICT DO
 * NOTHING; a payment is locked with SELECT ... FOR UPDATE for every change, so concurrent modifications from
 * several processes follow Adyen's accounting rules. Nothing stored is card data or a credential: the vault
 * keeps fingerprints (vault.ts), and keys are scoped by a hash of the API key.
 *
 * The store speaks to the database through the same minimal client as the gateway's own store (query, exec,
 * transaction), declared here structurally because a plugin does not import the gateway's adapters.
 * @module
 */
import type { KeyClaim, StoredAnswer } from "./idempotency.ts";
import { newClaimToken } from "./idempotency.ts";
import type { PaymentRecord } from "./ledger.ts";
import { newPspReference } from "./references.ts";
import type { AdyenEmulatorStore, EmulatorTransaction } from "./store.ts";
import {
  fingerprint,
  newFingerprintKey,
  restore,
  type StoredPaymentMethodRecord,
  type StoreRequest,
  type StoreResult,
} from "./vault.ts";

type Row = Record<string, unknown>;

/** Runs statements; parameters are positional ($1, $2, ...). */
export interface EmulatorSqlExecutor {
  query<T extends Row = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  exec(script: string): Promise<void>;
}

/** The part of the gateway's SqlClient (adapters/store/sql_client.ts) the store uses. */
export interface EmulatorSqlClient extends EmulatorSqlExecutor {
  transaction<T>(work: (tx: EmulatorSqlExecutor) => Promise<T>): Promise<T>;
}

/** An arbitrary constant, other than the gateway's migration lock: serialises the creation of the tables. */
const SCHEMA_LOCK = 7_262_071;

/** Transactions are retried this many times on a deadlock or a serialization failure. */
const TRANSACTION_ATTEMPTS = 4;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS emulator_adyen_meta (
  name text PRIMARY KEY,
  value text NOT NULL
);
CREATE TABLE IF NOT EXISTS emulator_adyen_idempotency_keys (
  scope text NOT NULL,
  key text NOT NULL,
  token text NOT NULL,
  claimed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  status integer,
  body json,
  answered_at timestamptz,
  PRIMARY KEY (scope, key)
);
CREATE TABLE IF NOT EXISTS emulator_adyen_payments (
  psp_reference text PRIMARY KEY,
  seq bigserial NOT NULL,
  merchant_account text NOT NULL,
  merchant_reference text NOT NULL,
  challenge_id text UNIQUE,
  redirect_result text UNIQUE,
  record json NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS emulator_adyen_payments_reference ON emulator_adyen_payments (merchant_reference);
CREATE TABLE IF NOT EXISTS emulator_adyen_tokens (
  id text PRIMARY KEY,
  seq bigserial NOT NULL,
  merchant_account text NOT NULL,
  shopper_reference text NOT NULL,
  fingerprint text NOT NULL,
  record json NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (merchant_account, shopper_reference, fingerprint)
);
`;

/** The names of the store's tables, for tests and for an operator who wants to reset the emulator. */
export const EMULATOR_TABLES = [
  "emulator_adyen_meta",
  "emulator_adyen_idempotency_keys",
  "emulator_adyen_payments",
  "emulator_adyen_tokens",
] as const;

/**
 * The emulator's state over a SQL client. The client stays the caller's: the store never closes it.
 * The tables are created on first use.
 */
export function sqlEmulatorStore(client: EmulatorSqlClient): AdyenEmulatorStore {
  let ready: Promise<string> | undefined;
  /** Creates the tables (once per store) and answers the fingerprint key, the same for every process. */
  function prepare(): Promise<string> {
    ready ??= client.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [SCHEMA_LOCK]);
      await tx.exec(SCHEMA);
      await tx.query(
        "INSERT INTO emulator_adyen_meta (name, value) VALUES ('fingerprint_key', $1) ON CONFLICT DO NOTHING",
        [newFingerprintKey()],
      );
      const [row] = await tx.query<{ value: string }>(
        "SELECT value FROM emulator_adyen_meta WHERE name = 'fingerprint_key'",
      );
      return String(row.value);
    }).catch((error) => {
      // A failed start (the database was not reachable) is tried again by the next call.
      ready = undefined;
      throw error;
    });
    return ready;
  }

  async function claimKey(scope: string, key: string, leaseMs: number): Promise<KeyClaim> {
    await prepare();
    // A key released between the failed insert and the read is claimed again: a few rounds at most.
    for (let round = 0;; round++) {
      const token = newClaimToken();
      const inserted = await client.query(
        `INSERT INTO emulator_adyen_idempotency_keys (scope, key, token) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING token`,
        [scope, key, token],
      );
      if (inserted.length === 1) return { kind: "new", token };
      // A claim whose process died before answering is taken over once its lease has passed; the row lock
      // makes the take-over and the answer of the old claim exclude each other.
      const takenOver = await client.query(
        `UPDATE emulator_adyen_idempotency_keys SET token = $3, claimed_at = clock_timestamp()
          WHERE scope = $1 AND key = $2 AND status IS NULL
            AND claimed_at < clock_timestamp() - $4::double precision * interval '1 millisecond'
         RETURNING token`,
        [scope, key, token, leaseMs],
      );
      if (takenOver.length === 1) return { kind: "new", token };
      const [row] = await client.query<{ status: unknown; body: unknown }>(
        "SELECT status, body FROM emulator_adyen_idempotency_keys WHERE scope = $1 AND key = $2",
        [scope, key],
      );
      if (row === undefined) {
        if (round < 5) continue;
        return { kind: "in_progress" };
      }
      if (row.status === null || row.status === undefined) return { kind: "in_progress" };
      return { kind: "replay", answer: { status: Number(row.status), body: fromJson(row.body) } };
    }
  }

  async function releaseKey(scope: string, key: string, token: string): Promise<void> {
    await prepare();
    await client.query(
      "DELETE FROM emulator_adyen_idempotency_keys WHERE scope = $1 AND key = $2 AND token = $3 AND status IS NULL",
      [scope, key, token],
    );
  }

  function transactionOver(tx: EmulatorSqlExecutor): EmulatorTransaction {
    const lockBy = async (column: string, value: string) => {
      const [row] = await tx.query(
        `SELECT record FROM emulator_adyen_payments WHERE ${column} = $1 FOR UPDATE`,
        [value],
      );
      return row === undefined ? undefined : fromJson<PaymentRecord>(row.record);
    };
    const tokenBy = async (request: StoreRequest) => {
      const [row] = await tx.query(
        `SELECT record FROM emulator_adyen_tokens
          WHERE merchant_account = $1 AND shopper_reference = $2 AND fingerprint = $3 FOR UPDATE`,
        [request.merchantAccount, request.shopperReference, request.card.fingerprint],
      );
      return row === undefined ? undefined : fromJson<StoredPaymentMethodRecord>(row.record);
    };
    return {
      async completeKey(scope: string, key: string, token: string, answer: StoredAnswer) {
        const rows = await tx.query(
          `UPDATE emulator_adyen_idempotency_keys SET status = $4, body = $5::json, answered_at = clock_timestamp()
            WHERE scope = $1 AND key = $2 AND token = $3 AND status IS NULL
           RETURNING 1 AS done`,
          [scope, key, token, answer.status, JSON.stringify(answer.body)],
        );
        return rows.length === 1;
      },
      async insertPayment(payment) {
        await tx.query(
          `INSERT INTO emulator_adyen_payments
             (psp_reference, merchant_account, merchant_reference, challenge_id, redirect_result, record)
           VALUES ($1, $2, $3, $4, $5, $6::json)`,
          [
            payment.pspReference,
            payment.merchantAccount,
            payment.merchantReference,
            payment.challengeId ?? null,
            payment.redirectResult ?? null,
            JSON.stringify(payment),
          ],
        );
      },
      lockPayment: (pspReference) => lockBy("psp_reference", pspReference),
      lockPaymentByChallenge: (challengeId) => lockBy("challenge_id", challengeId),
      lockPaymentByRedirectResult: (redirectResult) => lockBy("redirect_result", redirectResult),
      async updatePayment(payment) {
        const rows = await tx.query(
          `UPDATE emulator_adyen_payments
              SET challenge_id = $2, redirect_result = $3, record = $4::json, updated_at = clock_timestamp()
            WHERE psp_reference = $1 RETURNING 1 AS done`,
          [
            payment.pspReference,
            payment.challengeId ?? null,
            payment.redirectResult ?? null,
            JSON.stringify(payment),
          ],
        );
        if (rows.length !== 1) throw new Error("Cannot update a payment that was never booked");
      },
      async shopperTokens(merchantAccount, shopperReference) {
        const rows = await tx.query(
          `SELECT record FROM emulator_adyen_tokens
            WHERE merchant_account = $1 AND shopper_reference = $2 ORDER BY seq`,
          [merchantAccount, shopperReference],
        );
        return rows.map((row) => fromJson<StoredPaymentMethodRecord>(row.record));
      },
      async storeToken(request): Promise<StoreResult> {
        // A concurrent store of the same card for the same shopper waits on the unique constraint, then finds
        // the other's token: one token per shopper and card, whichever process stores it first.
        for (;;) {
          const existing = await tokenBy(request);
          if (existing !== undefined) {
            const result = restore(existing, request.card);
            await tx.query("UPDATE emulator_adyen_tokens SET record = $2::json WHERE id = $1", [
              result.record.id,
              JSON.stringify(result.record),
            ]);
            return result;
          }
          const record: StoredPaymentMethodRecord = {
            id: newPspReference(),
            merchantAccount: request.merchantAccount,
            shopperReference: request.shopperReference,
            recurringProcessingModel: request.recurringProcessingModel,
            card: request.card,
          };
          const inserted = await tx.query(
            `INSERT INTO emulator_adyen_tokens (id, merchant_account, shopper_reference, fingerprint, record)
             VALUES ($1, $2, $3, $4, $5::json) ON CONFLICT DO NOTHING RETURNING id`,
            [
              record.id,
              record.merchantAccount,
              record.shopperReference,
              record.card.fingerprint,
              JSON.stringify(record),
            ],
          );
          if (inserted.length === 1) return { record, operation: "created" };
        }
      },
      async removeToken(merchantAccount, shopperReference, id) {
        const rows = await tx.query(
          `DELETE FROM emulator_adyen_tokens WHERE id = $1 AND merchant_account = $2 AND shopper_reference = $3
           RETURNING id`,
          [id, merchantAccount, shopperReference],
        );
        return rows.length === 1;
      },
    };
  }

  return {
    claimKey,
    releaseKey,
    async transaction(work) {
      await prepare();
      for (let attempt = 1;; attempt++) {
        try {
          return await client.transaction((tx) => work(transactionOver(tx)));
        } catch (error) {
          if (!isRetryable(error) || attempt >= TRANSACTION_ATTEMPTS) throw error;
        }
      }
    },
    async paymentByChallenge(challengeId) {
      await prepare();
      const [row] = await client.query("SELECT record FROM emulator_adyen_payments WHERE challenge_id = $1", [
        challengeId,
      ]);
      return row === undefined ? undefined : fromJson<PaymentRecord>(row.record);
    },
    async payments() {
      await prepare();
      const rows = await client.query("SELECT record FROM emulator_adyen_payments ORDER BY seq");
      return rows.map((row) => fromJson<PaymentRecord>(row.record));
    },
    async chargeCount(merchantReference) {
      await prepare();
      const [row] = await client.query(
        "SELECT count(*) AS count FROM emulator_adyen_payments WHERE merchant_reference = $1",
        [merchantReference],
      );
      return Number(row.count);
    },
    async storedPaymentMethods() {
      await prepare();
      const rows = await client.query("SELECT record FROM emulator_adyen_tokens ORDER BY seq");
      return rows.map((row) => fromJson<StoredPaymentMethodRecord>(row.record));
    },
    async cardFingerprint(number) {
      return await fingerprint(await prepare(), number);
    },
  };
}

/** json columns come back parsed from both drivers; tolerate a string anyway. */
function fromJson<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

/** Deadlocks and serialization failures: worth running the whole transaction again. */
function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === "40001" || code === "40P01";
}
