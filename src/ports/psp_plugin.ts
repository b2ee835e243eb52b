import type { z } from "zod";
import type { Money } from "../money/money.ts";
import type { PspHttp } from "./psp_http.ts";

/** Card data as decrypted from Genstore's ECIES package. Lives in memory for one PSP call only. */
export interface CardDetails {
  readonly number: string;
  readonly expiryMonth: string;
  readonly expiryYear: string;
  readonly cvv: string;
  readonly holderName?: string;
}

/** Where the buyer must be sent, as the PSP describes it. */
export interface RedirectAction {
  readonly url: string;
  readonly method: "GET" | "POST";
  /** Form fields for a POST redirect. */
  readonly data?: Readonly<Record<string, string>>;
}

/**
 * What the PSP told us, in core vocabulary. Plugins never throw for PSP answers; they return one of these.
 * - `succeeded`: the PSP did it (authorized, captured, voided or refunded, as asked).
 * - `failed`: the PSP said no; final. `code` is a stable snake_case code such as `card_declined`.
 * - `requires_action`: the buyer must act (3DS, offsite page); `resume` is plugin state kept for continue().
 * - `pending`: the PSP accepted the request and will tell the final result later (notification or query).
 * - `unknown`: sent, but the result is not known (timeout, 5xx, unparseable answer); only a query may settle it.
 */
export type PspOutcome =
  | { readonly kind: "succeeded"; readonly pspReference: string; readonly amount?: Money }
  | {
    readonly kind: "failed";
    readonly code: string;
    readonly message: string;
    readonly pspReference?: string;
  }
  | {
    readonly kind: "requires_action";
    readonly redirect: RedirectAction;
    readonly pspReference?: string;
    readonly resume: Readonly<Record<string, string>>;
  }
  | { readonly kind: "pending"; readonly pspReference: string }
  | { readonly kind: "unknown"; readonly detail: string; readonly pspReference?: string };

export type PspOutcomeKind = PspOutcome["kind"];

/** Everything a plugin operation needs besides its own input. The core builds it; the plugin never mints ids. */
export interface PspCallContext {
  /** Derived by the core from (shop, operation, attempt) and stored before the call; send it as the PSP's key. */
  readonly idempotencyKey: string;
  /** Absolute deadline (epoch ms) for the whole operation. */
  readonly deadline: number;
  /** The shop's credentials for this mode, already decrypted and validated against the plugin's schema. */
  readonly credentials: Readonly<Record<string, unknown>>;
  readonly test: boolean;
  readonly http: PspHttp;
}

export interface PayInput {
  /** The gateway's reference of this payment; send it as the PSP's merchant reference. */
  readonly reference: string;
  readonly amount: Money;
  /** `sale` captures at once; `authorize` only reserves the funds. */
  readonly captureMode: "sale" | "authorize";
  readonly card?: CardDetails;
  /** Gateway URL the PSP must send the buyer back to after a challenge or an offsite page. */
  readonly returnUrl: string;
  readonly shopper: {
    readonly ipAddress?: string;
    readonly userAgent?: string;
    readonly acceptLanguage?: string;
    readonly email?: string;
  };
  readonly description?: string;
}

export interface ContinueInput {
  readonly reference: string;
  readonly amount: Money;
  readonly pspReference?: string;
  /** What the plugin returned in `requires_action.resume`. */
  readonly resume: Readonly<Record<string, string>>;
  /** Query and form parameters the buyer's browser brought back to the return URL. */
  readonly returnParams: Readonly<Record<string, string>>;
}

export interface ModificationInput {
  /** The gateway's reference of this capture, void or refund. */
  readonly reference: string;
  /** The PSP reference of the payment being modified. */
  readonly paymentPspReference: string;
  /** Absent for a void. */
  readonly amount?: Money;
  /** The payment's amount, for PSPs whose void needs it. */
  readonly paymentAmount: Money;
}

/** Which earlier call to ask the PSP about. */
export interface QueryInput {
  /** `continue` is the call made after the buyer came back from a redirect. */
  readonly operation: "pay" | "continue" | "capture" | "void" | "refund";
  readonly reference: string;
  readonly pspReference?: string;
  readonly paymentPspReference?: string;
  readonly amount: Money;
  readonly captureMode?: "sale" | "authorize";
  readonly returnUrl?: string;
  /** For `continue`: the plugin state and the return parameters of that call. */
  readonly resume?: Readonly<Record<string, string>>;
  readonly returnParams?: Readonly<Record<string, string>>;
}

/** A PSP notification, as received on the gateway's notification route. */
export interface RawNotification {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** One event a notification carries, in core vocabulary. */
export interface NotificationEvent {
  readonly operation: "pay" | "capture" | "void" | "refund";
  /** The gateway reference we sent as merchant reference. */
  readonly reference: string;
  readonly outcome: PspOutcome;
}

export type NotificationParse =
  | {
    readonly kind: "events";
    readonly events: readonly NotificationEvent[];
    readonly acknowledgement: string;
  }
  | { readonly kind: "rejected"; readonly reason: string };

export interface PluginCapabilities {
  readonly manualCapture: boolean;
  readonly multiplePartialCaptures: boolean;
  readonly partialRefunds: boolean;
  readonly void: boolean;
  readonly threeDSecure: boolean;
  readonly redirect: boolean;
  readonly query: boolean;
  readonly notifications: boolean;
}

export interface PluginManifest {
  readonly id: string;
  readonly displayName: string;
  readonly paymentMethods: readonly ("card" | "wallet" | "bank")[];
  readonly capabilities: PluginCapabilities;
  /** Hosts the plugin may reach, live and test. */
  readonly hosts: { readonly live: readonly string[]; readonly test: readonly string[] };
}

/**
 * The port every PSP plugin implements. Each operation receives the core-derived idempotency key and a
 * deadline in `ctx`, and returns a PspOutcome; none of them throws for anything the PSP says or does.
 */
export interface PspPlugin {
  readonly manifest: PluginManifest;
  /** Validates a shop's credentials for one mode (live or test). */
  readonly credentialsSchema: z.ZodType<Record<string, unknown>>;
  /** Pays (sale) or authorizes, with card data or a redirect. */
  pay(input: PayInput, ctx: PspCallContext): Promise<PspOutcome>;
  /** Continues after the buyer came back from a challenge or an offsite page. */
  continueAfterRedirect(input: ContinueInput, ctx: PspCallContext): Promise<PspOutcome>;
  capture(input: ModificationInput, ctx: PspCallContext): Promise<PspOutcome>;
  void(input: ModificationInput, ctx: PspCallContext): Promise<PspOutcome>;
  refund(input: ModificationInput, ctx: PspCallContext): Promise<PspOutcome>;
  /** Asks the PSP for the truth about an earlier call, with that call's idempotency key in ctx. */
  query(input: QueryInput, ctx: PspCallContext): Promise<PspOutcome>;
  /** Verifies and parses a PSP notification; a forged or unsigned one is rejected. */
  parseNotification(
    raw: RawNotification,
    credentials: Readonly<Record<string, unknown>>,
  ): Promise<NotificationParse>;
  /** Extracts the routing key (e.g. merchant account) to find which shop's credentials verify a notification. */
  notificationReferences(raw: RawNotification): readonly string[];
}
