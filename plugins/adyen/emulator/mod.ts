/**
 * The Adyen Checkout API v71 emulator, a program of the sandbox and usable in process by tests.
 * @module
 */
export { createAdyenEmulator } from "./emulator.ts";
export type { AdyenEmulator, AdyenEmulatorOptions, EmulatedPayment } from "./emulator.ts";
export type { AdyenEmulatorAccount } from "./accounts.ts";
export { createAdyenSandboxEmulator, NOTIFICATION_PATH } from "./sandbox_program.ts";
export { signingString, signItem } from "./notifications.ts";
export type { AdyenDelivery, NotificationItem, UnsignedItem } from "./notifications.ts";
export type { StoredPaymentMethodSummary } from "./vault.ts";
export { TEST_CARDS } from "./test_cards.ts";
