/**
 * The PayPal wallet plugin (Orders v2 and Payments v2). Its emulator has its own entry point, emulator/mod.ts.
 * @module
 */
export { createPayPalPlugin } from "./plugin.ts";
export { PAYPAL_MANIFEST } from "./manifest.ts";
export { paypalLiveCredentialsSchema, paypalTestCredentialsSchema } from "./credentials.ts";
export type { PayPalCredentials } from "./credentials.ts";
