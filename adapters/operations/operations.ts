/**
 * What an operator can do, as one interface: the admin routes serve it over HTTP, the CLIs call it directly on
 * the database or, when the embedded store belongs to a running gateway, through that gateway's admin routes
 * (remote_operations.ts). One set of actions, whichever way in, each with its reason recorded.
 * @module
 */
import type {
  DeadLetter,
  GatewayMetrics,
  HandSettlementResult,
  Operation,
  OperationKind,
  StoredIncident,
} from "../../src/mod.ts";
import type { ChainReport } from "../store/sql_audit.ts";
import type { ShopSummary } from "../store/sql_shop_store.ts";
import type { PaymentPage, PaymentSearch, PaymentStory } from "./payment_story.ts";

export interface SettleRequest {
  readonly shop: string;
  readonly kind: OperationKind;
  readonly operationId: string;
  readonly verdict: "succeeded" | "failed";
  readonly reason: string;
  readonly operator: string;
  readonly pspReference?: string;
}

export interface ReasonedAction {
  readonly shop: string;
  readonly reason: string;
  readonly operator: string;
}

export interface BindRequest {
  readonly shop: string;
  readonly extension: string;
  readonly plugin: string;
  /** Credentials as JSON values, checked by the plugin's schema; a mode left out keeps what it has. */
  readonly live?: unknown;
  readonly test?: unknown;
  /** Ask the PSP whether the credentials work before storing them. */
  readonly verify?: boolean;
}

export type BindResult =
  | { readonly kind: "bound" }
  | { readonly kind: "no_shop" }
  | { readonly kind: "nothing_to_bind" }
  | { readonly kind: "unknown_plugin"; readonly plugins: readonly string[] }
  | { readonly kind: "unknown_extension"; readonly extensions: readonly string[] }
  /** The plugin's schema refused them; issues name fields, never values. */
  | { readonly kind: "invalid"; readonly mode: "live" | "test"; readonly issues: readonly string[] }
  /** The PSP refused them. */
  | { readonly kind: "refused"; readonly mode: "live" | "test"; readonly reason: string };

export interface AuditEntry {
  /** The entry's place on its shop's chain; null until the sealer has chained it. */
  readonly seq: number | null;
  readonly at: string;
  readonly kind: string;
  readonly subject: string;
  readonly payload: string;
}

export interface Operations {
  metrics(): Promise<GatewayMetrics>;
  reviewQueue(): Promise<readonly Operation[]>;
  settle(request: SettleRequest): Promise<HandSettlementResult>;
  incidents(options: { readonly all: boolean }): Promise<readonly StoredIncident[]>;
  resolveIncident(request: ReasonedAction & { readonly id: number }): Promise<boolean>;
  deadLetters(): Promise<readonly DeadLetter[]>;
  redrive(request: ReasonedAction & { readonly seq: number }): Promise<boolean>;
  shops(): Promise<readonly ShopSummary[]>;
  addShop(request: { readonly shop: string; readonly token?: string }): Promise<void>;
  removeShop(shop: string): Promise<boolean>;
  /** False when there is no such shop. */
  setAccessToken(request: { readonly shop: string; readonly token: string }): Promise<boolean>;
  bind(request: BindRequest): Promise<BindResult>;
  /** Re-seals every secret under the first MASTER_KEY; how many were re-sealed. */
  resealSecrets(): Promise<number>;
  verifyAudit(): Promise<readonly ChainReport[]>;
  auditEntries(request: { readonly shop: string; readonly count: number }): Promise<readonly AuditEntry[]>;
  /** Payments, newest first, a page at a time. */
  payments(search: PaymentSearch): Promise<PaymentPage>;
  /** One payment's story; undefined when the shop has no such payment. */
  payment(request: { readonly shop: string; readonly paymentId: string }): Promise<PaymentStory | undefined>;
}

/** A shop handle: lower-case letters, digits and hyphens. */
export const SHOP_HANDLE = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** An extension name, as in the schema. */
export const EXTENSION_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
