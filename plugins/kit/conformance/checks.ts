/**
 * How scenarios fail, and the outcome checks they share: which outcomes each plugin method may return, what
 * the core would make of an outcome, and what a parsed notification must carry.
 * @module
 */
import { checkAnsweredAmount } from "../../../src/plugin_api.ts";
import type { Money, NotificationEvent, NotificationParse, PspOutcome } from "../../../src/plugin_api.ts";
import type { NotificationSubject } from "./target.ts";

/** A broken promise of the port, found by a scenario. */
export class ScenarioFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScenarioFailure";
  }
}

export function fail(message: string): never {
  throw new ScenarioFailure(message);
}

export function check(condition: boolean, message: string): asserts condition {
  if (!condition) fail(message);
}

/**
 * The calls whose outcomes the kit checks. A query about a continue is its own call: it replays the buyer's
 * return, so it may answer what the return answered.
 */
export type OutcomeCall =
  | "pay"
  | "continueAfterRedirect"
  | "capture"
  | "void"
  | "refund"
  | "query"
  | "query:continue"
  | "notification";

type Kind = PspOutcome["kind"];

const SETTLING: readonly Kind[] = ["succeeded", "failed", "pending", "unknown"];

/**
 * Which outcome kinds each call may return (port version 2). `not_received` only from a query; `return_refused`
 * only from a buyer's return (`continueAfterRedirect()`, or a query about one); `requires_action` never from a
 * capture, void or refund, which have no buyer.
 */
export const LEGAL_OUTCOMES: { readonly [C in OutcomeCall]: readonly Kind[] } = {
  pay: [...SETTLING, "requires_action"],
  continueAfterRedirect: [...SETTLING, "requires_action", "return_refused"],
  capture: SETTLING,
  void: SETTLING,
  refund: SETTLING,
  query: [...SETTLING, "requires_action", "not_received"],
  "query:continue": [...SETTLING, "requires_action", "not_received", "return_refused"],
  notification: [...SETTLING, "requires_action"],
};

const WHO_MAY: Partial<Record<Kind, string>> = {
  not_received: "only query() may",
  return_refused: "only continueAfterRedirect() (or a query about it) may",
  requires_action: "only a payment (pay, continue, or a query about one) may",
};

/** Why a value is not an outcome the call may return, or undefined when it is one. */
export function outcomeProblem(value: unknown, call: OutcomeCall): string | undefined {
  if (value === null || typeof value !== "object") return "it is not an object";
  const outcome = value as Record<string, unknown>;
  const kind = outcome.kind as Kind;
  const text = (field: string) => typeof outcome[field] === "string" && outcome[field] !== "";
  const shape: Record<Kind, boolean> = {
    succeeded: text("pspReference"),
    failed: text("code") && typeof outcome.message === "string",
    requires_action: isRedirect(outcome.redirect) && isStrings(outcome.resume),
    pending: text("pspReference"),
    unknown: typeof outcome.detail === "string",
    not_received: typeof outcome.detail === "string",
    return_refused: typeof outcome.detail === "string",
  };
  if (!Object.hasOwn(shape, kind)) return `kind ${describe(outcome.kind)} is not a PspOutcome`;
  if (!LEGAL_OUTCOMES[call].includes(kind)) {
    return `${kind} is not an outcome ${
      call === "notification" ? "a notification event" : `${call}()`
    } may ` +
      `return (${WHO_MAY[kind] ?? "see src/ports/psp_plugin.ts"})`;
  }
  if (!shape[kind]) return `it lacks what a ${kind} outcome carries`;
  return undefined;
}

function isRedirect(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  const redirect = value as Record<string, unknown>;
  return typeof redirect.url === "string" && (redirect.method === "GET" || redirect.method === "POST") &&
    (redirect.data === undefined || isStrings(redirect.data));
}

function isStrings(value: unknown): boolean {
  return value !== null && typeof value === "object" &&
    Object.values(value as object).every((entry) => typeof entry === "string");
}

export function describe(value: unknown): string {
  return JSON.stringify(value);
}

export function expectKind<K extends PspOutcome["kind"]>(
  outcome: PspOutcome,
  kind: K,
  what: string,
): Extract<PspOutcome, { kind: K }> {
  check(outcome.kind === kind, `${what}: expected ${kind}, got ${describe(outcome)}`);
  return outcome as Extract<PspOutcome, { kind: K }>;
}

type AskingOperation = Parameters<typeof checkAnsweredAmount>[0];

/** What the core makes of an outcome for an operation that asked for `asked` (its `checkAnsweredAmount`). */
export function coreView(outcome: PspOutcome, asked: Money): PspOutcome {
  if (outcome.kind === "not_received" || outcome.kind === "return_refused") return outcome;
  // checkAnsweredAmount reads only the amount the operation asked for.
  return checkAnsweredAmount({ amount: asked } as Partial<AskingOperation> as AskingOperation, outcome);
}

/** A success the core accepts: a PSP reference, and no other amount or currency than the one asked. */
export function expectAccepted(outcome: PspOutcome, asked: Money, what: string) {
  const succeeded = expectKind(outcome, "succeeded", what);
  check(succeeded.pspReference !== "", `${what}: a success needs the PSP's reference`);
  const seen = coreView(outcome, asked);
  check(seen.kind === "succeeded", `${what}: the core refuses it (${describe(seen)})`);
  return succeeded;
}

/** A capture, void or refund the PSP took: done now, or accepted and settled later. */
export function expectModificationTaken(outcome: PspOutcome, asked: Money | undefined, what: string) {
  check(
    outcome.kind === "succeeded" || outcome.kind === "pending",
    `${what}: expected succeeded or pending, got ${describe(outcome)}`,
  );
  if (outcome.kind === "succeeded" && asked !== undefined) expectAccepted(outcome, asked, what);
  return outcome;
}

export function sameMoney(a: Money | undefined, b: Money | undefined): boolean {
  return a !== undefined && b !== undefined && a.amountMinor === b.amountMinor && a.currency === b.currency;
}

export const SNAKE_CASE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/** The event a parsed notification carries about a subject, or a failure naming what was parsed. */
export function eventAbout(
  parsed: NotificationParse,
  subject: NotificationSubject,
  what: string,
): NotificationEvent {
  check(parsed.kind === "events", `${what}: the genuine notification was rejected: ${describe(parsed)}`);
  const event = parsed.events.find((e) =>
    e.operation === subject.operation && e.reference === subject.reference
  );
  check(
    event !== undefined,
    `${what}: no ${subject.operation} event for ${subject.reference} in ${describe(parsed.events)}`,
  );
  return event;
}
