/**
 * The store contract: one suite that the SQL stores must pass on every driver, PGlite (embedded default) and
 * PostgreSQL (`DATABASE_URL`). Each test opens a fresh migrated database from `openTestDatabase()` and names
 * the driver, as in `store(pglite) insertOperation() returns the stored operation for a duplicate key`.
 * Tests that need several connections run on PostgreSQL only and show as ignored on PGlite.
 * @module
 */
import { runOperationStoreContract } from "./operation_store_contract.ts";
import { runOutboxDeliveryContract } from "./outbox_delivery_contract.ts";
import { runOutboxContract } from "./outbox_store_contract.ts";
import { runPaymentStoreContract } from "./payment_store_contract.ts";
import { runRateLimitContract } from "./rate_limit_contract.ts";
import { runShopStoreContract } from "./shop_store_contract.ts";
import { runInvariantContract } from "./store_invariant_contract.ts";
import { runMigrationContract } from "./store_migration_contract.ts";
import { runTransactionContract } from "./store_transaction_contract.ts";

/** Registers the whole store contract with `Deno.test`, on the store `storeUnderTest()` names. */
export function runStoreContract(): void {
  runMigrationContract();
  runOperationStoreContract();
  runPaymentStoreContract();
  runTransactionContract();
  runInvariantContract();
  runOutboxContract();
  runOutboxDeliveryContract();
  runRateLimitContract();
  runShopStoreContract();
}
