/**
 * Runs the store contract on PGlite, or on PostgreSQL when DATABASE_URL is set:
 * `DATABASE_URL=postgres://... deno test -A test/store_test.ts`.
 */
import { runStoreContract } from "./contract/store_contract.ts";

runStoreContract();
