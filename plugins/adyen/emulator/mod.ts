/**
 * The Adyen Checkout API v71 emulator, for dev mode and tests.
 * @module
 */
export { createAdyenEmulator } from "./emulator.ts";
export type {
  AdyenEmulator,
  AdyenEmulatorAccount,
  AdyenEmulatorOptions,
  EmulatedPayment,
} from "./emulator.ts";
export type { AdyenEmulatorStore, EmulatorTransaction } from "./store.ts";
export { memoryEmulatorStore } from "./memory_store.ts";
export {
  EMULATOR_TABLES,
  type EmulatorSqlClient,
  type EmulatorSqlExecutor,
  sqlEmulatorStore,
} from "./sql_store.ts";
export type { DeliveryRecord } from "./webhooks.ts";
export type { StoredPaymentMethodSummary } from "./vault.ts";
export { TEST_CARDS } from "./test_cards.ts";
