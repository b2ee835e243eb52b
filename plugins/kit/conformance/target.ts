/**
 * What a plugin folder gives the conformance kit: `plugins/<psp>/conformance.ts` declares
 * `export const CONFORMANCE_TARGET: ConformanceTarget = …`, importing the type from this kit
 * (`plugins/kit/conformance/mod.ts`). It names the plugin, starts the plugin's emulator on loopback, says how
 * the kit plays the buyer (test cards, or the PSP's hosted page), and hands over the few PSP-specific hooks
 * the kit cannot guess.
 *
 * A card plugin (`redirect: false` in its manifest) gives `cards`; an offsite plugin (`redirect: true`: every
 * payment goes through the PSP's hosted page) gives `offsite`.
 * @module
 */
import type {
  CardDetails,
  Money,
  PspPlugin,
  RawNotification,
  RedirectAction,
} from "../../../src/plugin_api.ts";

/** What every target gives, card or offsite. */
export interface TargetBasics {
  /** A fresh plugin; called once per scenario. */
  createPlugin(): PspPlugin;
  /** Starts a fresh emulator on 127.0.0.1 for one scenario; the kit closes it afterwards. */
  startEmulator(): Promise<ConformanceEmulator>;
  /** The request header that carries `ctx.idempotencyKey` to the PSP (compared case-insensitively). */
  readonly idempotencyHeader: string;
  /**
   * `PspHttpRequest.operation` names of requests that carry no idempotency key because they change nothing
   * at the PSP (an OAuth2 token request). GET requests never need one. Every other request must carry the
   * call's key, and every pay, capture, void and refund must send it at least once.
   */
  readonly keylessOperations?: readonly string[];
  /**
   * The PSP answer body with its amount replaced by `amount`, or undefined when the body carries no amount.
   * The kit uses it to make the PSP confirm another amount than the one asked for.
   */
  rewriteAnswerAmount(body: string, amount: Money): string | undefined;
  /** Currencies the emulator accepts, first one used by default (default `["EUR"]`). Add JPY or KWD if you can. */
  readonly currencies?: readonly string[];
}

/** A card plugin's target: the manifest says `redirect: false`, payments carry card data. */
export interface CardTarget extends TargetBasics {
  readonly cards: ConformanceCards;
  readonly offsite?: undefined;
}

/** An offsite plugin's target: the manifest says `redirect: true`, every payment goes through the PSP's page. */
export interface OffsiteTarget extends TargetBasics {
  readonly offsite: ConformanceOffsite;
  readonly cards?: undefined;
}

export type ConformanceTarget = CardTarget | OffsiteTarget;

/** One running emulator, with the test account the kit uses and the hooks to inspect what it booked. */
export interface ConformanceEmulator {
  /** Where the emulator listens: an http URL on 127.0.0.1, localhost or [::1]. */
  readonly baseUrl: string;
  /** Test-mode credentials of an emulator account, as a shop would store them (they must pass the schema). */
  readonly credentials: Readonly<Record<string, unknown>>;
  /** Credentials that pass the plugin's schema but that the emulator refuses (e.g. a wrong API key). */
  readonly badCredentials: Readonly<Record<string, unknown>>;
  /**
   * The payments the emulator holds under this merchant reference, whatever their state: for a card PSP every
   * payment it booked (approved or declined); for an offsite PSP every payment or order it created (approved
   * or not). "Charged once" means exactly one of them, for the asked amount.
   */
  charges(reference: string): EmulatedCharges;
  /**
   * Where the emulator can deliver notifications for PSPs that take a notification URL per payment (Mollie's
   * `webhookUrl`). The kit sends `PayInput.notificationUrl` as this URL with `?reference=<payment reference>`,
   * as the gateway does. Default: an unreachable gateway URL (`https://gateway.conformance.invalid/…`).
   */
  readonly notificationUrl?: string;
  /**
   * The notification the emulator sent (or would send) that tells an operation's result, named by the
   * reference the plugin sent; waits for it a few seconds, then rejects. For an offsite payment it is the one
   * sent once the money moved (PayPal: the capture's, not the buyer's approval).
   */
  notification(subject: NotificationSubject): Promise<RawNotification>;
  /**
   * The notification the PSP sends when the buyer approves on its page, before the buyer is back, for PSPs
   * whose result comes only after the gateway acts on the return (PayPal's `CHECKOUT.ORDER.APPROVED`). Only
   * with `offsite.resultBeforeReturn: false`; without it the kit skips that part of the scenario.
   */
  approvalNotification?(reference: string): Promise<RawNotification>;
  /**
   * A copy of a genuine notification that must not verify, or undefined when that forgery means nothing for
   * this PSP (a Mollie webhook carries no signature). At least one kind must apply.
   */
  forgeNotification(raw: RawNotification, how: ForgeKind): Promise<RawNotification | undefined>;
  /** Offsite PSPs that expire a payment the buyer never finishes (`offsite.abandon.kind: "expires"`): now. */
  expire?(reference: string): Promise<void>;
  close(): Promise<void>;
}

export interface EmulatedCharges {
  readonly count: number;
  /** The amount of each booked payment, in booking order. */
  readonly amounts: readonly Money[];
}

export interface NotificationSubject {
  readonly operation: "pay" | "capture" | "void" | "refund";
  /** The gateway reference the plugin sent: the payment's for `pay`, the modification's otherwise. */
  readonly reference: string;
}

/**
 * `wrong_key`: signed with a key that is not the shop's (or, for a PSP verified by asking it, about another
 * account's payment). `tampered`: a signed field changed after signing (or the id it names changed).
 * `unsigned`: the signature removed.
 */
export type ForgeKind = "wrong_key" | "tampered" | "unsigned";

/** What the buyer does on a page: a 3-D Secure challenge knows approve and fail, a hosted page cancel too. */
export type BuyerDecision = "approve" | "fail" | "cancel";

/**
 * Plays the buyer on the page a redirect names and returns the parameters the browser brings back to
 * `returnUrl`. The kit's default (`driveBuyerPage`): POST `action=<decision>` (with the redirect's form fields)
 * to the redirect URL and follow 303s until the return URL, as contract section 7 describes every emulator
 * page.
 */
export type BuyerDriver = (
  redirect: RedirectAction,
  decision: BuyerDecision,
  returnUrl: string,
) => Promise<Record<string, string>>;

export interface ConformanceCards {
  /** Approved without 3-D Secure. Any future expiry. */
  readonly approved: CardDetails;
  /** Declined, with the snake_case code the plugin must report (e.g. `card_declined`). */
  readonly declined: { readonly card: CardDetails; readonly code: string };
  /** Asks for a 3-D Secure challenge; required when the manifest declares `threeDSecure`. */
  readonly challenge?: CardDetails;
  /** Plays the buyer on the challenge page (`approve` or `fail`); default `driveBuyerPage`. */
  readonly driveChallenge?: BuyerDriver;
}

/** How an offsite payment ends when the buyer does not approve, at this PSP. */
export interface ConformanceOffsite {
  /** Plays the buyer on the PSP's hosted page; default `driveBuyerPage`. */
  readonly driveBuyer?: BuyerDriver;
  /**
   * The buyer fails on the page: `continueAfterRedirect()` answers `failed` with this snake_case code.
   * `notified` (default true): the PSP also sends a notification saying so.
   */
  readonly fail: { readonly code: string; readonly notified?: boolean };
  /**
   * The buyer cancels on the page: `failed` with a code, or `return_refused` where the return proves nothing
   * (PayPal: a cancelled order is an order not approved; the core fails it at its action timeout).
   */
  readonly cancel: { readonly kind: "failed"; readonly code: string } | { readonly kind: "return_refused" };
  /**
   * The buyer never comes back: the payment `waits` (the core fails it with `authentication_abandoned` at its
   * action timeout; PayPal), or the PSP `expires` it (Mollie: `expired`), which `emulator.expire()` makes
   * happen at once; a query then answers `failed` with this code.
   */
  readonly abandon: { readonly kind: "waits" } | { readonly kind: "expires"; readonly code: string };
  /**
   * Whether the PSP knows, and notifies, the payment's result as soon as the buyer acts on its page (Mollie:
   * `paid`), rather than only once the gateway acts on the return (PayPal: the capture). Default true.
   */
  readonly resultBeforeReturn?: boolean;
}

const FUNCTIONS = ["createPlugin", "startEmulator", "rewriteAnswerAmount"] as const;

/**
 * What is wrong with a loaded target, as sentences; empty when it has the shape the kit needs. `redirect` is
 * the plugin's manifest capability: it decides whether the target must give `cards` or `offsite`.
 */
export function targetProblems(value: unknown, redirect?: boolean): string[] {
  if (value === null || typeof value !== "object") return ["CONFORMANCE_TARGET is not an object"];
  const target = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const name of FUNCTIONS) {
    if (typeof target[name] !== "function") problems.push(`${name} is not a function`);
  }
  if (typeof target.idempotencyHeader !== "string" || target.idempotencyHeader === "") {
    problems.push("idempotencyHeader is not a header name");
  }
  if (target.cards !== undefined && target.offsite !== undefined) {
    problems.push("a target gives cards (a card plugin) or offsite (an offsite plugin), not both");
  }
  if (redirect === true && target.offsite === undefined) {
    problems.push("the manifest declares redirect, so the target needs offsite");
  } else if (redirect === false && target.cards === undefined) {
    problems.push("the manifest does not declare redirect, so the target needs cards");
  }
  if (target.cards !== undefined) problems.push(...cardProblems(target.cards));
  if (target.offsite !== undefined) problems.push(...offsiteProblems(target.offsite));
  if (
    target.keylessOperations !== undefined &&
    (!Array.isArray(target.keylessOperations) ||
      !target.keylessOperations.every((o) => typeof o === "string"))
  ) {
    problems.push("keylessOperations must be a list of operation names");
  }
  if (
    target.currencies !== undefined &&
    (!Array.isArray(target.currencies) || target.currencies.length === 0 ||
      !target.currencies.every((c) => typeof c === "string" && /^[A-Z]{3}$/.test(c)))
  ) {
    problems.push("currencies must be a non-empty list of ISO 4217 codes");
  }
  return problems;
}

function cardProblems(value: unknown): string[] {
  if (value === null || typeof value !== "object") return ["cards is not an object"];
  const cards = value as Record<string, unknown>;
  const problems: string[] = [];
  if (!isCard(cards.approved)) problems.push("cards.approved is not a card");
  const declined = cards.declined as Record<string, unknown> | undefined;
  if (!isCard(declined?.card) || typeof declined?.code !== "string") {
    problems.push("cards.declined needs a card and a code");
  }
  if (cards.challenge !== undefined && !isCard(cards.challenge)) {
    problems.push("cards.challenge is not a card");
  }
  if (cards.driveChallenge !== undefined && typeof cards.driveChallenge !== "function") {
    problems.push("cards.driveChallenge is not a function");
  }
  return problems;
}

function offsiteProblems(value: unknown): string[] {
  if (value === null || typeof value !== "object") return ["offsite is not an object"];
  const offsite = value as Record<string, unknown>;
  const problems: string[] = [];
  const fail = offsite.fail as Record<string, unknown> | undefined;
  if (typeof fail?.code !== "string") problems.push("offsite.fail needs the code of a failed payment");
  const cancel = offsite.cancel as Record<string, unknown> | undefined;
  if (
    !(cancel?.kind === "return_refused" || (cancel?.kind === "failed" && typeof cancel.code === "string"))
  ) {
    problems.push('offsite.cancel is {kind: "failed", code} or {kind: "return_refused"}');
  }
  const abandon = offsite.abandon as Record<string, unknown> | undefined;
  if (!(abandon?.kind === "waits" || (abandon?.kind === "expires" && typeof abandon.code === "string"))) {
    problems.push('offsite.abandon is {kind: "waits"} or {kind: "expires", code}');
  }
  if (offsite.driveBuyer !== undefined && typeof offsite.driveBuyer !== "function") {
    problems.push("offsite.driveBuyer is not a function");
  }
  return problems;
}

function isCard(value: unknown): value is CardDetails {
  if (value === null || typeof value !== "object") return false;
  const card = value as Record<string, unknown>;
  return ["number", "expiryMonth", "expiryYear", "cvv"].every((field) => typeof card[field] === "string");
}
