/**
 * The PayPal REST emulator (Orders v2, Payments v2, webhooks), a program of the sandbox and usable in
 * process by tests.
 * @module
 */
export { createPayPalEmulator } from "./emulator.ts";
export type { EmulatedOrder, PayPalEmulator, PayPalEmulatorOptions } from "./emulator.ts";
export type { PayPalEmulatorApp } from "./accounts.ts";
export { createPayPalSandboxEmulator, NOTIFICATION_PATH } from "./sandbox_program.ts";
export { AUTH_ALGO, CERT_ID, crc32 } from "./webhooks.ts";
export type { DeliveryView, SignedEvent } from "./webhooks.ts";
export { PAYPAL_CURRENCIES } from "./amounts.ts";
