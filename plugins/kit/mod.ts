/**
 * The plugin kit: the rules and helpers every PSP plugin shares, so a PSP team writes only its request and
 * answer translation and its status map. Plugin code imports only `src/plugin_api.ts` and this module.
 *
 * The emulator kit (`plugins/kit/emulator/`) and the conformance kit (`plugins/kit/conformance/`) are
 * separate: only emulators and conformance targets import them.
 * @module
 */
export { headerValue, readAnswer } from "./http_answer.ts";
export type { AnswerRules, CallKind, ErrorAnswer, Reading } from "./http_answer.ts";
export { isObject, parseObject, safeText, stringField } from "./json.ts";
export type { Json } from "./json.ts";
export {
  fromBase64,
  fromHex,
  hmacSha256,
  sha256,
  signaturesMatch,
  timingSafeEqual,
  toBase64,
  toHex,
} from "./signatures.ts";
export { decimalAmount, moneyFromDecimal } from "./amounts.ts";
