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
export type { DeliveryRecord } from "./webhooks.ts";
export type { StoredPaymentMethodSummary } from "./vault.ts";
export { TEST_CARDS } from "./test_cards.ts";
