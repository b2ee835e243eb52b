import type { OperationKey } from "../payment/operation.ts";
import type { OperationStatus } from "../payment/operation_machine.ts";
import type { PaymentState } from "../payment/payment_machine.ts";
import { errorText } from "../errors.ts";
import type { GatewayDeps } from "./deps.ts";

/** What Genstore's status queries report. */
export type QueryStatus = "PROCESSING" | "AUTHORIZED" | "SUCCESS" | "FAILURE";

export interface OperationDescription {
  readonly status: QueryStatus;
  /** The PSP's reference, or the gateway's own when the PSP never assigned one. */
  readonly channelId: string;
  readonly error?: string;
}

/** A payment reports where its lifecycle stands; a voided authorization holds no money, so it reads FAILURE. */
const PAYMENT_QUERY_STATUS: Readonly<Record<PaymentState, QueryStatus>> = {
  processing: "PROCESSING",
  requires_action: "PROCESSING",
  unknown: "PROCESSING",
  authorized: "AUTHORIZED",
  succeeded: "SUCCESS",
  partially_captured: "SUCCESS",
  captured: "SUCCESS",
  voided: "FAILURE",
  failed: "FAILURE",
};

const OPERATION_QUERY_STATUS: Readonly<Record<OperationStatus, QueryStatus>> = {
  processing: "PROCESSING",
  requires_action: "PROCESSING",
  unknown: "PROCESSING",
  succeeded: "SUCCESS",
  failed: "FAILURE",
};

/** Answers Genstore's status query for one id of one extension, or undefined when there is none. */
export async function describeOperation(
  deps: GatewayDeps,
  key: OperationKey,
  extension: string,
): Promise<OperationDescription | undefined> {
  const operation = await deps.store.findOperation(key);
  if (operation === undefined || operation.extension !== extension) return undefined;
  const error = operation.error === undefined ? undefined : errorText(operation.error);
  if (key.kind === "payment") {
    const payment = await deps.store.findPayment(key.shop, key.operationId);
    return {
      status: payment === undefined
        ? OPERATION_QUERY_STATUS[operation.status]
        : PAYMENT_QUERY_STATUS[payment.state],
      channelId: payment?.pspReference ?? operation.pspReference ?? operation.reference,
      error,
    };
  }
  return {
    status: OPERATION_QUERY_STATUS[operation.status],
    channelId: operation.pspReference ?? operation.reference,
    error,
  };
}
