/**
 * The PSP plugin port, version 2 (`PLUGIN_API_VERSION`): the stable public surface between the gateway core and a PSP plugin.
 *
 * A plugin is a translator. The core owns identity (references, idempotency keys), I/O (every HTTP exchange
 * goes through `ctx.http`, which only reaches the hosts the manifest declares), secrets, retries, logging and
 * the payment rules. A plugin turns core requests into its PSP's API calls and its PSP's answers into
 * `PspOutcome`s. It never throws for anything the PSP says or does, and never mints an idempotency key.
 *
 * Breaking changes to this file bump `PLUGIN_API_VERSION`.
 * @module
 */
import { z } from "zod";
import type { Money } from "../money/money.ts";
import type { PspHttp } from "./psp_http.ts";

/** The version of this port. A plugin states the version it implements in its manifest. */
export const PLUGIN_API_VERSION = 2;

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

/** A card the PSP stored for later payments (card-on-file), as the PSP describes it. */
export interface StoredCard {
  /** The PSP's token for the stored card (e.g. Adyen's storedPaymentMethodId). Never a PAN. */
  readonly pspToken: string;
  readonly brand?: string;
  readonly last4?: string;
  readonly expiryMonth?: string;
  readonly expiryYear?: string;
}

/**
 * What the PSP told us, in core vocabulary. Plugins never throw for PSP answers; they return one of these.
 * - `succeeded`: the PSP did it (authorized, captured, voided or refunded, as asked). Report the amount the
 *   PSP confirmed when its answer carries one: the core refuses an answer for another amount or currency.
 * - `failed`: the PSP said no; final. `code` is a stable snake_case code such as `card_declined`.
 * - `requires_action`: the buyer must act (3DS, offsite page); `resume` is plugin state kept for continue.
 * - `pending`: the PSP accepted the request and will tell the final result later (notification or query).
 * - `unknown`: the result is not known (timeout, 5xx, unparseable answer, request maybe not even sent);
 *   only a query may settle it. Never guess `failed` instead.
 * - `not_received` (only from `query()`): the PSP says it has no record of the call made under the key,
 *   e.g. Adyen's replay under the original key fails validation, so nothing was ever stored under it. The
 *   core fails the operation once no copy of the original call can still reach the PSP. Only the PSP's own
 *   answer may say this; anything unclear is `unknown`.
 * - `return_refused` (from `continueAfterRedirect()`, or from a `query()` about a continue): the PSP did not accept what the buyer's browser
 *   brought back (garbled or missing parameters, an order not approved); nothing changed at the PSP. The
 *   payment keeps waiting for the buyer until its action timeout: a browser return never decides by itself.
 */
export type PspOutcome =
  | {
    readonly kind: "succeeded";
    readonly pspReference: string;
    readonly amount?: Money;
    /** Present when the payment asked to store the card and the PSP stored it. */
    readonly storedCard?: StoredCard;
  }
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
  | { readonly kind: "unknown"; readonly detail: string; readonly pspReference?: string }
  | { readonly kind: "not_received"; readonly detail: string }
  | { readonly kind: "return_refused"; readonly detail: string };

export type PspOutcomeKind = PspOutcome["kind"];

/** Everything a plugin operation needs besides its own input. The core builds it; the plugin never mints ids. */
export interface PspCallContext {
  /** Derived by the core from the operation and the attempt, stored before the call: send it as the PSP's key. */
  readonly idempotencyKey: string;
  /** Absolute deadline (epoch ms) for the whole operation. */
  readonly deadline: number;
  /** The shop's credentials for this mode, already decrypted and validated against the plugin's schema. */
  readonly credentials: Readonly<Record<string, unknown>>;
  readonly test: boolean;
  /** The only way to the network: it reaches only the manifest's hosts for this mode. */
  readonly http: PspHttp;
}

export interface PayInput {
  /** The gateway's reference of this payment; send it as the PSP's merchant reference. */
  readonly reference: string;
  readonly amount: Money;
  /** `sale` captures at once; `authorize` only reserves the funds. */
  readonly captureMode: "sale" | "authorize";
  /** The card, for a card payment with card data. */
  readonly card?: CardDetails;
  /** Card-on-file, first payment: also store the card for later payments under this shopper reference. */
  readonly storeCard?: { readonly shopperReference: string };
  /** Card-on-file, later payment: charge the stored card instead of card data. */
  readonly storedCard?: {
    readonly pspToken: string;
    readonly shopperReference: string;
    /** `customer`: the buyer is present (CIT); `merchant`: a merchant-initiated charge (MIT). */
    readonly initiator: "customer" | "merchant";
  };
  /** Gateway URL the PSP must send the buyer back to after a challenge or an offsite page. */
  readonly returnUrl: string;
  /** Gateway URL for this payment's notifications, for PSPs that take one per payment (it names the reference). */
  readonly notificationUrl?: string;
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

/** Which earlier call to ask the PSP about. The context carries that call's idempotency key. */
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
  /** For `pay`: what the pay call sent besides the amount, so a replay can send the same body. */
  readonly description?: string;
  readonly notificationUrl?: string;
}

/** A PSP notification, as received on the gateway's notification route. */
export interface RawNotification {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /**
   * The query parameters of the notification URL. A PSP that takes a notification URL per payment (Mollie's
   * `webhookUrl`) gets `PayInput.notificationUrl`, which carries `reference`: the only way to know whose a
   * notification is when its body names nothing but the PSP's own id.
   */
  readonly params?: Readonly<Record<string, string>>;
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

export type CredentialCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** What a plugin can do. The core reads this; it never probes for optional methods. */
export interface PluginCapabilities {
  /** Authorize now, capture later. */
  readonly manualCapture: boolean;
  /** Several partial captures of one authorization (else one capture, which releases the rest). */
  readonly multiplePartialCaptures: boolean;
  /** Refunds below the captured amount, several of them. */
  readonly partialRefunds: boolean;
  /** Cancel an authorization before capture. */
  readonly void: boolean;
  /** 3-D Secure challenges (requires_action with a redirect, then continueAfterRedirect). */
  readonly threeDSecure: boolean;
  /** Offsite payments: every payment answers requires_action with the PSP's hosted page. */
  readonly redirect: boolean;
  /** query() can settle an unknown outcome. */
  readonly query: boolean;
  /** The PSP sends notifications that parseNotification() understands. */
  readonly notifications: boolean;
  /** storeCard and storedCard payments. */
  readonly cardOnFile: boolean;
  /**
   * The PSP itself ends a payment the buyer never finishes (Mollie's `expired`), and a buyer may still pay
   * after the gateway's action deadline: the core then asks the PSP instead of failing the payment. Without
   * it (3-D Secure, PayPal: nothing moves until the gateway continues) the deadline fails the payment.
   */
  readonly expiresAtPsp?: boolean;
}

export interface PluginManifest {
  readonly id: string;
  readonly displayName: string;
  /** The PLUGIN_API_VERSION this plugin implements. */
  readonly pluginApi: number;
  readonly paymentMethods: readonly ("card" | "wallet" | "bank")[];
  readonly capabilities: PluginCapabilities;
  /**
   * Hosts the plugin may reach, per mode: `host` (default port), `host:port` or `host:*`; `*` stands for any
   * run of characters other than a dot (`*.paypal.com`, `*-checkout-live.adyenpayments.com`). A test-mode
   * call can reach only the test hosts, a live call only the live hosts.
   */
  readonly hosts: { readonly live: readonly string[]; readonly test: readonly string[] };
}

/**
 * The port every PSP plugin implements. Every operation receives the core-derived idempotency key and a
 * deadline in `ctx`, and returns a PspOutcome; none of them throws for anything the PSP says or does.
 */
export interface PspPlugin {
  readonly manifest: PluginManifest;
  /** Validates a shop's credentials, per mode (they usually differ: test keys, test hosts). */
  readonly credentials: {
    readonly live: z.ZodType<Record<string, unknown>>;
    readonly test: z.ZodType<Record<string, unknown>>;
  };
  /** Pays (sale) or authorizes: with card data, a stored card, or a redirect to the PSP's page. */
  pay(input: PayInput, ctx: PspCallContext): Promise<PspOutcome>;
  /** Continues after the buyer came back from a challenge or an offsite page. */
  continueAfterRedirect(input: ContinueInput, ctx: PspCallContext): Promise<PspOutcome>;
  capture(input: ModificationInput, ctx: PspCallContext): Promise<PspOutcome>;
  void(input: ModificationInput, ctx: PspCallContext): Promise<PspOutcome>;
  refund(input: ModificationInput, ctx: PspCallContext): Promise<PspOutcome>;
  /**
   * Asks the PSP for the truth about an earlier call, with that call's idempotency key in ctx. For a payment it
   * must never be able to charge. For a capture, void or refund the PSP never received, a plugin may repeat
   * the modification under the same key (the core has already committed to it, and the key makes it happen at
   * most once); it says so in its documentation.
   */
  query(input: QueryInput, ctx: PspCallContext): Promise<PspOutcome>;
  /** Checks with the PSP that the credentials in ctx work (account authorization, the admin CLI). */
  verifyCredentials(ctx: PspCallContext): Promise<CredentialCheck>;
  /**
   * Verifies and parses a PSP notification with one shop's credentials for one mode (`ctx.credentials`,
   * `ctx.test`); a forged, unsigned or foreign one is rejected as a whole, never trusted in part. Verification
   * may ask the PSP through `ctx.http` (PayPal's verify-webhook-signature, fetching the Mollie payment a
   * notification names); `ctx.idempotencyKey` is not meant for any call with an effect.
   */
  parseNotification(raw: RawNotification, ctx: PspCallContext): Promise<NotificationParse>;
  /**
   * The gateway references a notification names (unverified), so the core can find whose credentials verify
   * it: from the body, or from `raw.params.reference` for PSPs notified on a per-payment URL.
   */
  notificationReferences(raw: RawNotification): readonly string[];
}

export type CredentialValidation =
  | { readonly ok: true; readonly credentials: Readonly<Record<string, unknown>> }
  /** Each issue is `{field path}: {message}` (`(root)` for the whole), naming fields, never values. */
  | { readonly ok: false; readonly issues: readonly string[] };

/** One field of a plugin's credential form, read from its schema's metadata (`.meta({ label, secret, help })`). */
export interface CredentialField {
  readonly name: string;
  readonly label: string;
  /** A password input: never prefilled with a stored value, never shown again once stored. */
  readonly secret: boolean;
  readonly help?: string;
  readonly required: boolean;
}

/** What the account-authorization page shows for each mode: the fields of the plugin's credential schemas. */
export interface CredentialForm {
  readonly live: readonly CredentialField[];
  readonly test: readonly CredentialField[];
}

/**
 * The form description of one credential schema: its top-level string fields, in schema order, with the
 * labels, help and secrecy its `.meta()` gives (a field without a label is shown by its name). Fields that
 * are not strings cannot be typed into a form and are left out; a schema JSON Schema cannot describe gives
 * no fields (the admin CLI can still bind it).
 */
export function describeCredentialSchema(schema: z.ZodType): readonly CredentialField[] {
  let json: Record<string, unknown>;
  try {
    json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  } catch {
    return [];
  }
  const properties = json.properties;
  if (json.type !== "object" || properties === null || typeof properties !== "object") return [];
  const required = new Set(Array.isArray(json.required) ? json.required.map(String) : []);
  const fields: CredentialField[] = [];
  for (const [name, value] of Object.entries(properties as Record<string, Record<string, unknown>>)) {
    if (value.type !== undefined && value.type !== "string") continue;
    const text = (key: string) => typeof value[key] === "string" ? value[key] as string : undefined;
    const help = text("help") ?? text("description");
    fields.push({
      name,
      label: text("label") ?? text("title") ?? name,
      secret: value.secret === true,
      ...(help === undefined ? {} : { help }),
      required: required.has(name),
    });
  }
  return fields;
}

/** The form description of a plugin's credentials, per mode. */
export function describeCredentials(credentials: PspPlugin["credentials"]): CredentialForm {
  return {
    live: describeCredentialSchema(credentials.live),
    test: describeCredentialSchema(credentials.test),
  };
}

/** Checks credentials with a schema: issues name fields and carry zod's message, never a value. */
export function checkCredentials(
  schema: z.ZodType<Record<string, unknown>>,
  raw: unknown,
): CredentialValidation {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, credentials: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`),
  };
}

/** The first message per top-level field of a failed validation (`(form)` for the whole), for a form. */
export function issuesByField(issues: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const colon = issue.indexOf(": ");
    const path = colon < 0 ? "(root)" : issue.slice(0, colon);
    const field = path === "(root)" ? "(form)" : path.split(".")[0];
    fields[field] ??= colon < 0 ? issue : issue.slice(colon + 2);
  }
  return fields;
}

/**
 * A plugin as the core holds it once loaded: in process, or isolated in a worker without permissions. Its
 * code only runs behind this interface, so every call is asynchronous and credentials are validated by the
 * plugin's own schemas wherever the plugin runs.
 */
export interface LoadedPlugin {
  readonly manifest: PluginManifest;
  /** Validates credentials for one mode with the plugin's schema; issues name fields, never values. */
  validateCredentials(mode: "live" | "test", raw: unknown): Promise<CredentialValidation>;
  /** The credential form per mode, read from the plugin's schemas (the account-authorization page). */
  credentialForm(): Promise<CredentialForm>;
  pay: PspPlugin["pay"];
  continueAfterRedirect: PspPlugin["continueAfterRedirect"];
  capture: PspPlugin["capture"];
  void: PspPlugin["void"];
  refund: PspPlugin["refund"];
  query: PspPlugin["query"];
  verifyCredentials: PspPlugin["verifyCredentials"];
  parseNotification: PspPlugin["parseNotification"];
  notificationReferences(raw: RawNotification): Promise<readonly string[]>;
}

/** Holds a plugin in this process (tests, tools); the gateway itself isolates plugins in workers. */
export function inProcess(plugin: PspPlugin): LoadedPlugin {
  return {
    manifest: plugin.manifest,
    validateCredentials: (mode, raw) => Promise.resolve(checkCredentials(plugin.credentials[mode], raw)),
    credentialForm: () => Promise.resolve(describeCredentials(plugin.credentials)),
    pay: (input, ctx) => plugin.pay(input, ctx),
    continueAfterRedirect: (input, ctx) => plugin.continueAfterRedirect(input, ctx),
    capture: (input, ctx) => plugin.capture(input, ctx),
    void: (input, ctx) => plugin.void(input, ctx),
    refund: (input, ctx) => plugin.refund(input, ctx),
    query: (input, ctx) => plugin.query(input, ctx),
    verifyCredentials: (ctx) => plugin.verifyCredentials(ctx),
    parseNotification: (raw, ctx) => plugin.parseNotification(raw, ctx),
    notificationReferences: (raw) => Promise.resolve(plugin.notificationReferences(raw)),
  };
}
