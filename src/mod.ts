/**
 * The core's public surface for adapters and the composition root.
 * @module
 */
export * from "./plugin_api.ts";
export type { Clock } from "./ports/clock.ts";
export type { IdSource } from "./ports/id_source.ts";
export type { Logger, LogFields } from "./ports/logger.ts";
export type { CardDecryptor, DecryptedCard, DecryptionFailure, EncryptedCard } from "./ports/card_decryptor.ts";
export { parseAmount } from "./money/money.ts";
export type { AmountError } from "./money/money.ts";
export { ACTIVE_CURRENCIES } from "./money/currency.ts";
export { err, ok } from "./result.ts";
export type { Result } from "./result.ts";
