/**
 * What the emulator keeps: orders, and the authorizations, captures and refunds made from them, one state
 * table each, keyed by PayPal id. Amounts are integer minor units; each authorization and capture keeps the
 * kit's ledger of what it allows next. Nothing stored is a credential: records name their app by client ID.
 * @module
 */
import type { Ledger, StateView } from "../../kit/emulator/mod.ts";
import type { Money } from "../../../src/plugin_api.ts";

export const ORDERS = "orders";
export const AUTHORIZATIONS = "authorizations";
export const CAPTURES = "captures";
export const REFUNDS = "refunds";

export type Intent = "CAPTURE" | "AUTHORIZE";
export type OrderStatus = "CREATED" | "PAYER_ACTION_REQUIRED" | "APPROVED" | "VOIDED" | "COMPLETED";
export type AuthorizationStatus = "CREATED" | "PARTIALLY_CAPTURED" | "CAPTURED" | "VOIDED" | "DENIED";
export type CaptureStatus = "COMPLETED" | "DECLINED" | "PARTIALLY_REFUNDED" | "REFUNDED";
export type RefundStatus = "COMPLETED" | "PENDING";

/**
 * What the buyer chose on the approval page: a funding source that pays (`approve`) or one that declines
 * the capture or authorization (`fail`, the sandbox's way to make a payment fail after approval).
 */
export type Funding = "pays" | "declines";

export interface PurchaseUnit {
  readonly referenceId: string;
  readonly amount: Money;
  readonly customId?: string;
  readonly invoiceId?: string;
  readonly description?: string;
}

export interface OrderRecord {
  readonly id: string;
  /** The client ID of the app that created it. */
  readonly app: string;
  readonly intent: Intent;
  readonly status: OrderStatus;
  readonly unit: PurchaseUnit;
  readonly returnUrl?: string;
  readonly cancelUrl?: string;
  /** Created with `payment_source.paypal` (payer-action link) rather than without (approve link). */
  readonly withPaymentSource: boolean;
  readonly payerId?: string;
  readonly funding?: Funding;
  readonly authorizationIds: readonly string[];
  readonly captureIds: readonly string[];
  readonly refundIds: readonly string[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface AuthorizationRecord {
  readonly id: string;
  readonly orderId: string;
  readonly app: string;
  readonly status: AuthorizationStatus;
  readonly amount: Money;
  readonly customId?: string;
  readonly invoiceId?: string;
  readonly ledger: Ledger;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly expiresAt: number;
}

export interface CaptureRecord {
  readonly id: string;
  readonly orderId: string;
  readonly app: string;
  /** Present for a capture of an authorization; absent for a sale's capture of its order. */
  readonly authorizationId?: string;
  readonly status: CaptureStatus;
  readonly amount: Money;
  readonly customId?: string;
  readonly invoiceId?: string;
  readonly finalCapture: boolean;
  /** What this capture allows to refund (the kit's sale ledger of the capture's amount). */
  readonly ledger: Ledger;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface RefundRecord {
  readonly id: string;
  readonly orderId: string;
  readonly app: string;
  readonly captureId: string;
  readonly status: RefundStatus;
  readonly amount: Money;
  readonly customId?: string;
  readonly invoiceId?: string;
  readonly noteToPayer?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A record of the app, or undefined (another app's ids are as unknown as ids that do not exist). */
export function ownRecord<T extends { readonly app: string }>(
  view: StateView,
  table: string,
  id: string,
  app: string,
): T | undefined {
  const record = view.get<T>(table, id);
  return record?.app === app ? record : undefined;
}

export function recordsOf<T>(view: StateView, table: string, ids: readonly string[]): T[] {
  return ids.map((id) => view.get<T>(table, id)).filter((record): record is T => record !== undefined);
}
