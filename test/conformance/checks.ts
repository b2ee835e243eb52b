/**
 * How scenarios fail, and the outcome checks they share: what the core would make of an outcome, and what a
 * parsed notification must carry.
 * @module
 */
import type { Money, NotificationEvent, NotificationParse, Operation, PspOutcome } from "../../src/mod.ts";
import { checkAnsweredAmount } from "../../src/services/settle.ts";
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

const OUTCOME_KINDS: readonly string[] = ["succeeded", "failed", "requires_action", "pending", "unknown"];

/** Outcomes only some calls may return: `not_received` from a query, `return_refused` from a buyer's return. */
const CALL_OUTCOMES: Readonly<Record<string, readonly string[]>> = {
  query: ["not_received", "return_refused"],
  continueAfterRedirect: ["return_refused"],
};

/** Whether `value` is an outcome the named plugin method may return. */
export function isOutcome(value: unknown, call = ""): value is PspOutcome {
  if (value === null || typeof value !== "object") return false;
  const kind = (value as { kind?: unknown }).kind as string;
  return OUTCOME_KINDS.includes(kind) || (CALL_OUTCOMES[call] ?? []).includes(kind);
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

/** The minimum of an operation `checkAnsweredAmount` reads: the amount that was asked. */
function operationAsking(amount: Money): Operation {
  return { amount } as Partial<Operation> as Operation;
}

/** What the core makes of an outcome for an operation that asked for `asked`. */
export function coreView(outcome: PspOutcome, asked: Money): PspOutcome {
  if (outcome.kind === "not_received" || outcome.kind === "return_refused") return outcome;
  return checkAnsweredAmount(operationAsking(asked), outcome);
}

/** A success the core accepts: a PSP reference, and no other amount or currency than the one asked. */
export function expectAccepted(outcome: PspOutcome, asked: Money, what: string) {
  const succeeded = expectKind(outcome, "succeeded", what);
  check(succeeded.pspReference !== "", `${what}: a success needs the PSP's reference`);
  const seen = coreView(outcome, asked);
  check(seen.kind === "succeeded", `${what}: the core refuses it (${describe(seen)})`);
  return succeeded;
}

/** A capture, void or refund the PSP took: done now, or accepted and settled by a notification later. */
export function expectModificationTaken(outcome: PspOutcome, asked: Money | undefined, what: string) {
  check(
    outcome.kind === "succeeded" || outcome.kind === "pending",
    `${what}: expected succeeded or pending, got ${describe(outcome)}`,
  );
  if (outcome.kind === "succeeded" && asked !== undefined) expectAccepted(outcome, asked, what);
  return outcome;
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
