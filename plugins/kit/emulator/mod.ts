/**
 * The emulator kit: what every PSP emulator of the sandbox shares (state, idempotency keys, the ledger,
 * notifications, hosted buyer pages, HTTP helpers, the program shape and the loopback test harness). Only
 * emulators (`plugins/<psp>/emulator/`) and conformance targets import it; see README.md beside this file.
 * @module
 */
export {
  type EmulatorState,
  fileState,
  type FileStateOptions,
  type JsonValue,
  memoryState,
  openState,
  StateFileError,
  type StateTransaction,
  type StateView,
} from "./state.ts";
export {
  ClaimLostError,
  createIdempotencyStore,
  DEFAULT_IDEMPOTENCY_LEASE_MS,
  type IdempotencyOptions,
  idempotencyScope,
  type IdempotencyStore,
  type KeyClaim,
  type KeyRequest,
  type OwnedKey,
  requestFingerprint,
  type StoredAnswer,
} from "./idempotency.ts";
export { answerOnce, type Decision, type Settled } from "./answer_once.ts";
export {
  authorization,
  capturable,
  capture,
  type Ledger,
  type LedgerRefusal,
  type LedgerResult,
  type LedgerRules,
  refund,
  refundable,
  reverseRefund,
  sale,
  voidRemaining,
} from "./ledger.ts";
export {
  createNotificationSender,
  type DeliveryRecord,
  type NotificationSender,
  type NotificationSenderOptions,
  type PreparedNotification,
} from "./notification_sender.ts";
export {
  hostedPage,
  type HostedPageView,
  messagePage,
  type PageAction,
  readPageAction,
  seeOther,
} from "./hosted_page.ts";
export {
  type BodyLimits,
  type BodyProblem,
  type BodyResult,
  type Json,
  jsonAnswer,
  readForm,
  readJsonObject,
  readText,
  underPrefix,
} from "./http.ts";
export {
  accountCredentials,
  type EmulatorFactory,
  type EmulatorProgram,
  type EmulatorProgramOptions,
  type SandboxAccount,
} from "./program.ts";
export {
  type LoopbackServer,
  type NotificationReceiver,
  type ReceivedNotification,
  type Servable,
  serveOnLoopback,
  startNotificationReceiver,
} from "./loopback.ts";
