/**
 * What a plugin folder gives the conformance kit: `plugins/<name>/conformance.ts` exports
 * `CONFORMANCE_TARGET`, an object of this shape. It names the plugin, starts the plugin's emulator on loopback,
 * and hands over the test cards and the few PSP-specific hooks the kit cannot guess. Copy the Adyen one
 * (`plugins/adyen/conformance.ts`).
 *
 * Plugins may import only `src/plugin_api.ts` (test/architecture_test.ts), so a target does not import this
 * file: the kit checks the shape when it loads the target (`targetProblems`), and TypeScript checks it
 * wherever a test assigns the target to `ConformanceTarget`.
 * @module
 */
import type { CardDetails, Money, PspPlugin, RawNotification, RedirectAction } from "../../src/plugin_api.ts";

export interface ConformanceTarget {
  /** A fresh plugin; called once per scenario. */
  createPlugin(): PspPlugin;
  /** Starts a fresh emulator on 127.0.0.1 for one scenario; the kit closes it afterwards. */
  startEmulator(): Promise<ConformanceEmulator>;
  readonly cards: ConformanceCards;
  /** The request header that carries `ctx.idempotencyKey` to the PSP (compared case-insensitively). */
  readonly idempotencyHeader: string;
  /**
   * The PSP answer body with its amount replaced by `amount`, or undefined when the body carries no amount.
   * The kit uses it to make the PSP confirm another amount than the one asked for.
   */
  rewriteAnswerAmount(body: string, amount: Money): string | undefined;
  /** Currencies the emulator accepts, first one used by default (default `["EUR"]`). Add JPY or KWD if you can. */
  readonly currencies?: readonly string[];
}

/** One running emulator, with the test account the kit uses and the hooks to inspect what it booked. */
export interface ConformanceEmulator {
  /** Where the emulator listens: an http URL on 127.0.0.1, localhost or [::1]. */
  readonly baseUrl: string;
  /** Test-mode credentials of an emulator account, as a shop would store them (they must pass the schema). */
  readonly credentials: Readonly<Record<string, unknown>>;
  /** Credentials that pass the plugin's schema but that the emulator refuses (e.g. a wrong API key). */
  readonly badCredentials: Readonly<Record<string, unknown>>;
  /** The payments the emulator booked under this merchant reference, whatever their result. */
  charges(reference: string): EmulatedCharges;
  /**
   * The signed notification the emulator sent (or would send) about an operation the plugin made, named by
   * the reference the plugin sent: rejects when there is none within a few seconds.
   */
  notification(subject: NotificationSubject): Promise<RawNotification>;
  /** A copy of a genuine notification that must not verify. */
  forgeNotification(raw: RawNotification, how: ForgeKind): Promise<RawNotification>;
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
 * `wrong_key`: signed with a key that is not the shop's. `tampered`: a signed field (the amount) changed after
 * signing. `unsigned`: the signature removed.
 */
export type ForgeKind = "wrong_key" | "tampered" | "unsigned";

export type ChallengeDecision = "approve" | "fail";

export interface ConformanceCards {
  /** Approved without 3-D Secure. Any future expiry. */
  readonly approved: CardDetails;
  /** Declined, with the snake_case code the plugin must report (e.g. `card_declined`). */
  readonly declined: { readonly card: CardDetails; readonly code: string };
  /** Asks for a 3-D Secure challenge; required when the manifest declares `threeDSecure`. */
  readonly challenge?: CardDetails;
  /**
   * Plays the buyer on the challenge page and returns the parameters the browser brings back to `returnUrl`.
   * Default: POST `action=approve|fail` to the redirect URL and follow 303s until the return URL (contract
   * section 7: every emulator page is a plain form that does exactly that).
   */
  driveChallenge?(
    redirect: RedirectAction,
    decision: ChallengeDecision,
    returnUrl: string,
  ): Promise<Record<string, string>>;
}

const FUNCTIONS = ["createPlugin", "startEmulator", "rewriteAnswerAmount"] as const;

/** What is wrong with a loaded target, as sentences; empty when it has the shape the kit needs. */
export function targetProblems(value: unknown): string[] {
  if (value === null || typeof value !== "object") return ["CONFORMANCE_TARGET is not an object"];
  const target = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const name of FUNCTIONS) {
    if (typeof target[name] !== "function") problems.push(`${name} is not a function`);
  }
  if (typeof target.idempotencyHeader !== "string" || target.idempotencyHeader === "") {
    problems.push("idempotencyHeader is not a header name");
  }
  const cards = target.cards as Record<string, unknown> | undefined;
  if (cards === undefined || typeof cards !== "object") {
    problems.push("cards is missing");
  } else {
    if (!isCard(cards.approved)) problems.push("cards.approved is not a card");
    const declined = cards.declined as Record<string, unknown> | undefined;
    if (!isCard(declined?.card) || typeof declined?.code !== "string") {
      problems.push("cards.declined needs a card and a code");
    }
    if (cards.challenge !== undefined && !isCard(cards.challenge)) {
      problems.push("cards.challenge is not a card");
    }
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

function isCard(value: unknown): value is CardDetails {
  if (value === null || typeof value !== "object") return false;
  const card = value as Record<string, unknown>;
  return ["number", "expiryMonth", "expiryYear", "cvv"].every((field) => typeof card[field] === "string");
}
