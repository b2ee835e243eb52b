/**
 * Steps the scenarios are made of: an approved payment, a modification the PSP must take, the buyer on a
 * challenge page, what the emulator booked, and the notification that settles a pending operation.
 * @module
 */
import type { Money, PspOutcome, RawNotification, RedirectAction } from "../../src/plugin_api.ts";
import {
  check,
  describe,
  eventAbout,
  expectAccepted,
  expectKind,
  expectModificationTaken,
  fail,
} from "./checks.ts";
import type { ChallengeDecision, NotificationSubject } from "./target.ts";
import { RETURN_URL, type World } from "./world.ts";

/** The buyer on an emulator page, as contract section 7 describes it: POST the action, follow 303s home. */
export async function defaultDriveChallenge(
  redirect: RedirectAction,
  decision: ChallengeDecision,
  returnUrl: string,
): Promise<Record<string, string>> {
  let url = redirect.url;
  let response = await fetch(url, {
    method: "POST",
    body: new URLSearchParams({ ...redirect.data, action: decision }),
    redirect: "manual",
  });
  for (let hop = 0; hop < 10; hop++) {
    await response.body?.cancel();
    const location = response.headers.get("location");
    if (response.status < 300 || response.status > 399 || location === null) {
      return fail(`the challenge page at ${url} answered HTTP ${response.status}, not a redirect onward`);
    }
    const next = new URL(location, url);
    if (next.href.startsWith(returnUrl)) return Object.fromEntries(next.searchParams);
    url = next.href;
    response = await fetch(url, { redirect: "manual" });
  }
  return fail("the challenge page redirected more than 10 times without reaching the return URL");
}

/** Pays with the challenge card, plays the buyer, and continues: the continue call's outcome. */
export async function challenge(world: World, decision: ChallengeDecision) {
  const card = world.target.cards.challenge;
  if (card === undefined) {
    return fail("the manifest declares threeDSecure but the target has no challenge card");
  }
  const input = world.payInput({ card });
  const action = expectKind((await world.pay(input)).value, "requires_action", "pay() with the 3DS card");
  const drive = world.target.cards.driveChallenge ?? defaultDriveChallenge;
  const returnParams = await drive(action.redirect, decision, RETURN_URL);
  const outcome = await world.continueAfterRedirect({
    reference: input.reference,
    amount: input.amount,
    pspReference: action.pspReference,
    resume: action.resume,
    returnParams,
  });
  return { input, outcome: outcome.value };
}

/** An approved payment, checked; `authorize` leaves it to capture. */
export async function approvedPayment(
  world: World,
  captureMode: "sale" | "authorize",
  amount?: Money,
) {
  const input = world.payInput({ card: world.target.cards.approved, captureMode, amount });
  const outcome = expectAccepted((await world.pay(input)).value, input.amount, `pay() ${captureMode}`);
  return { input, pspReference: outcome.pspReference };
}

/** A capture, void or refund that must be taken; confirmed by its notification when it is pending. */
export async function modification(
  world: World,
  operation: "capture" | "void" | "refund",
  payment: { readonly pspReference: string; readonly amount: Money },
  amount: Money | undefined,
): Promise<PspOutcome> {
  const reference = world.reference();
  const { value } = await world.modify(operation, {
    reference,
    paymentPspReference: payment.pspReference,
    amount,
    paymentAmount: payment.amount,
  });
  const what = `${operation}() of ${amount === undefined ? "the authorization" : describe(amount)}`;
  expectModificationTaken(value, amount, what);
  if (value.kind === "pending") await confirmByNotification(world, { operation, reference }, amount);
  return value;
}

/** The emulator booked exactly one payment under the reference, for exactly the asked money. */
export function chargedOnce(world: World, reference: string, asked: Money): void {
  const charges = world.emulator.charges(reference);
  check(charges.count === 1, `the emulator booked ${charges.count} payments for ${reference}, expected 1`);
  const [booked] = charges.amounts;
  check(
    booked.amountMinor === asked.amountMinor && booked.currency === asked.currency,
    `the emulator booked ${describe(booked)}, the core asked for ${describe(asked)}`,
  );
}

/** A request header, looked up case-insensitively. */
export function headerValue(headers: Readonly<Record<string, string>> | undefined, name: string) {
  const wanted = name.toLowerCase();
  return Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === wanted)?.[1];
}

/** The input of a capture, void or refund of a payment, under a fresh reference. */
export function modificationOf(
  world: World,
  payment: { readonly pspReference: string; readonly amount?: Money; readonly input?: { amount: Money } },
  amount: Money | undefined,
) {
  const paymentAmount = payment.amount ?? payment.input?.amount ?? world.money(1000);
  return { reference: world.reference(), paymentPspReference: payment.pspReference, amount, paymentAmount };
}

/**
 * When the manifest declares notifications, waits for the one about `subject` and checks that it reports
 * success (for the asked amount, when it names one). Returns it for further use.
 */
export async function confirmByNotification(
  world: World,
  subject: NotificationSubject,
  asked: Money | undefined,
): Promise<RawNotification | undefined> {
  if (!world.capabilities.notifications) return undefined;
  const raw = await world.notification(subject);
  const what = `the ${subject.operation} notification`;
  const event = eventAbout(await world.parseNotification(raw), subject, what);
  check(event.outcome.kind === "succeeded", `${what} reports ${describe(event.outcome)}`);
  if (asked !== undefined && event.outcome.amount !== undefined) {
    check(
      event.outcome.amount.amountMinor === asked.amountMinor &&
        event.outcome.amount.currency === asked.currency,
      `${what} names ${describe(event.outcome.amount)}, the plugin asked for ${describe(asked)}`,
    );
  }
  return raw;
}
