/**
 * The public surface for PSP plugins: everything a plugin may import from the core.
 * @module
 */
export type {
  CardDetails,
  ContinueInput,
  CredentialCheck,
  ModificationInput,
  NotificationEvent,
  NotificationParse,
  PayInput,
  PluginCapabilities,
  PluginManifest,
  PspCallContext,
  PspOutcome,
  PspOutcomeKind,
  PspPlugin,
  QueryInput,
  RawNotification,
  RedirectAction,
  StoredCard,
} from "./ports/psp_plugin.ts";
export type { PspHttp, PspHttpRequest, PspHttpResult } from "./ports/psp_http.ts";
export type { Money } from "./money/money.ts";
export { formatAmount, parseAmount } from "./money/money.ts";
export { currencyExponent } from "./money/currency.ts";
export { inProcess, PLUGIN_API_VERSION } from "./ports/psp_plugin.ts";
export type { CredentialValidation, LoadedPlugin } from "./ports/psp_plugin.ts";
export { hostMatches, isHostPattern } from "./ports/host_pattern.ts";
/** What the core makes of a success for another amount or currency than asked (it reads it as unknown). */
export { checkAnsweredAmount } from "./services/settle.ts";
