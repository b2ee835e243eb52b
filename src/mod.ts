/**
 * The core's public surface for adapters and the composition root.
 * @module
 */
export * from "./plugin_api.ts";
export type { Clock } from "./ports/clock.ts";
export type { FailpointName, Failpoints } from "./ports/failpoints.ts";
export { NO_FAILPOINTS } from "./ports/failpoints.ts";
export type { IdSource } from "./ports/id_source.ts";
export type { LogFields, Logger } from "./ports/logger.ts";
export type {
  CardDecryptor,
  DecryptedCard,
  DecryptionFailure,
  EncryptedCard,
} from "./ports/card_decryptor.ts";
export type { CardPackageClaim, PaymentStore, PaymentTx } from "./ports/payment_store.ts";
export type { ExtensionBinding, ShopDirectory } from "./ports/shop_directory.ts";
export { parseAmount } from "./money/money.ts";
export type { AmountError } from "./money/money.ts";
export { ACTIVE_CURRENCIES } from "./money/currency.ts";
export { err, ok } from "./result.ts";
export type { Result } from "./result.ts";
export { errorText, REJECTIONS } from "./errors.ts";
export type { Rejection, RejectionCode } from "./errors.ts";
export type {
  CallbackKind,
  CallbackMessage,
  Operation,
  OperationAnswer,
  OperationKey,
  OperationKind,
} from "./payment/operation.ts";
export { shopOfReference } from "./payment/operation.ts";
export type { Incident } from "./payment/incident.ts";
export type { CardToken } from "./payment/card_token.ts";
export type { CaptureMode, Payment, StoredCardSummary } from "./payment/payment.ts";
export type { OperationStatus } from "./payment/operation_machine.ts";
export { isFinalStatus } from "./payment/operation_machine.ts";
export type { PaymentState } from "./payment/payment_machine.ts";
export { PAYMENT_STATES } from "./payment/payment_machine.ts";
export type { BackgroundWork, GatewayDeps, GatewaySettings, PspCallLabels } from "./services/deps.ts";
export type { RequestOutcome } from "./services/request_outcome.ts";
export { startPayment } from "./services/start_payment.ts";
export type { StartPayment } from "./services/start_payment.ts";
export { modifyPayment } from "./services/modify_payment.ts";
export type { ModificationKind, ModifyPayment } from "./services/modify_payment.ts";
export { continuePayment, pendingRedirect } from "./services/continue_payment.ts";
export type { ReturnOutcome } from "./services/continue_payment.ts";
export { describeOperation } from "./services/describe_operation.ts";
export type { OperationDescription, QueryStatus } from "./services/describe_operation.ts";
export { handleNotification } from "./services/handle_notification.ts";
export type { NotificationResult } from "./services/handle_notification.ts";
export { reconcileDue } from "./services/reconcile.ts";
export { createSettlingCalls, SETTLING_WAIT_MS, type SettlingCalls } from "./services/settling_calls.ts";
export type {
  DeadLetter,
  DeliveryAttempt,
  DeliveryDecision,
  OutboxEntry,
  OutboxStore,
  RateLimit,
  RecordedAttempt,
  Release,
  SendableClaim,
} from "./ports/outbox_store.ts";
export {
  backoffDelay,
  decideDelivery,
  DEFAULT_CALLBACK_POLICY,
  isDelivered,
  isTransient,
} from "./services/callback_policy.ts";
export type { AttemptResult, CallbackPolicy } from "./services/callback_policy.ts";
export type { GatewayMetrics, OperatorAction, ReviewStore, StoredIncident } from "./ports/review_store.ts";
export { settleByHand } from "./services/settle_by_hand.ts";
export type { HandSettlement, HandSettlementResult } from "./services/settle_by_hand.ts";
