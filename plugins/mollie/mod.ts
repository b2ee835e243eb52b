/**
 * The Mollie bank plugin (Payments API v2, offsite payments). Its emulator has its own entry point,
 * emulator/mod.ts.
 * @module
 */
export { createMolliePlugin } from "./plugin.ts";
export { MOLLIE_MANIFEST } from "./manifest.ts";
export { mollieLiveCredentialsSchema, mollieTestCredentialsSchema } from "./credentials.ts";
export type { MollieCredentials } from "./credentials.ts";
