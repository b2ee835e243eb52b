/**
 * The Adyen card acquirer plugin (Checkout API v71). Its emulator has its own entry point, emulator/mod.ts.
 * @module
 */
export { createAdyenPlugin } from "./plugin.ts";
export { ADYEN_MANIFEST } from "./manifest.ts";
export { adyenCredentialsSchema } from "./credentials.ts";
export type { AdyenCredentials } from "./credentials.ts";
