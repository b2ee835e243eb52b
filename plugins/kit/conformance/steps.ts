/**
 * Steps the scenarios are made of: a payment that waits for the buyer (a 3-D Secure challenge or an offsite
 * page), the buyer's decision and return, an approved or a refused payment whatever the plugin's kind, a
 * modification the PSP must take, what the emulator booked, and what settles a pending operation.
 * @module
 */
import type {
  ModificationInput,
  Money,
  PayInput,
  PspOutcome,
  RawNotification,
} from "../../../src/plugin_api.ts";
import { driveBuyerPage } from "./buyer.ts";
import {
  check,
  describe,
  eventAbout,
  expectAccepted,
  expectKind,
  expectModificationTaken,
  fail,
  sameMoney,
} from "./checks.ts";
import type { BuyerDecision, NotificationSubject } from "./target.ts";
import type { Called, CallOptions, World } from "./world.ts";

type CaptureMode = PayInput["captureMode"];

/** Whether the plugin pays offsite (its manifest declares `redirect`). */
export function isOffsite(world: World): boolean {
  return world.capabilities.redirect;
}

/** A payment answered `requires_action`: the redirect, and the call that got it. */
export interface Waiting {
  readonly input: PayInput;
  readonly action: Extract<PspOutcome, { kind: "requires_action" }>;
  readonly key: string;
}

/**
 * A payment that waits for the buyer: offsite, any payment; for a card plugin, the challenge card. Checks the
 * redirect is one the core can send a buyer to.
 */
export async function awaitingBuyer(
  world: World,
  options: { readonly captureMode?: CaptureMode; readonly amount?: Money } = {},
): Promise<Waiting> {
  const offsite = isOffsite(world);
  const card = offsite ? undefined : world.cards.challenge;
  if (!offsite && card === undefined) {
    return fail("the manifest declares threeDSecure but the target has no challenge card");
  }
  const input = world.payInput({ card, captureMode: options.captureMode, amount: options.amount });
  const called = await world.pay(input);
  const what = offsite ? "pay() of an offsite payment" : "pay() with the 3DS card";
  const action = expectKind(called.value, "requires_action", what);
  check(/^https?:\/\//.test(action.redirect.url), `${what}: the redirect URL is not http(s)`);
  if (offsite) {
    check(action.redirect.method === "GET", `${what}: an offsite page is a GET redirect, got POST`);
    check(
      typeof action.pspReference === "string" && action.pspReference !== "",
      `${what}: the redirect needs the PSP's reference of the payment`,
    );
  }
  return { input, action, key: called.key };
}

/** The buyer acts on the page the payment's redirect names; the parameters the browser brings back. */
export async function buyerDecides(
  world: World,
  waiting: Waiting,
  decision: BuyerDecision,
): Promise<Record<string, string>> {
  const drive = (isOffsite(world) ? world.offsite.driveBuyer : world.cards.driveChallenge) ?? driveBuyerPage;
  return await drive(waiting.action.redirect, decision, waiting.input.returnUrl);
}

/** The buyer is back: the core continues the payment with what the browser brought. */
export async function continueWith(
  world: World,
  waiting: Waiting,
  returnParams: Readonly<Record<string, string>>,
  options: CallOptions = {},
): Promise<Called<PspOutcome>> {
  return await world.continueAfterRedirect({
    reference: waiting.input.reference,
    amount: waiting.input.amount,
    pspReference: waiting.action.pspReference,
    resume: waiting.action.resume,
    returnParams,
  }, options);
}

/** A payment that waits for the buyer, the buyer's decision, and the continue call's outcome. */
export async function buyerReturns(
  world: World,
  decision: BuyerDecision,
  options: { readonly captureMode?: CaptureMode; readonly amount?: Money } = {},
) {
  const waiting = await awaitingBuyer(world, options);
  const returnParams = await buyerDecides(world, waiting, decision);
  const { value: outcome, key } = await continueWith(world, waiting, returnParams);
  return { ...waiting, returnParams, outcome, continueKey: key };
}

/** An approved payment, checked: the approving card, or the buyer approving on the PSP's page. */
export async function approvedPayment(world: World, captureMode: CaptureMode, amount?: Money) {
  if (isOffsite(world)) {
    const { input, outcome } = await buyerReturns(world, "approve", { captureMode, amount });
    const what = `continueAfterRedirect() after the buyer approved (${captureMode})`;
    return { input, pspReference: expectAccepted(outcome, input.amount, what).pspReference };
  }
  const input = world.payInput({ card: world.cards.approved, captureMode, amount });
  const outcome = expectAccepted((await world.pay(input)).value, input.amount, `pay() ${captureMode}`);
  return { input, pspReference: outcome.pspReference };
}

/** A refused payment: the declining card, or the buyer failing on the PSP's page. Its outcome and the code. */
export async function refusedPayment(world: World) {
  if (isOffsite(world)) {
    const { input, outcome } = await buyerReturns(world, "fail");
    return { input, outcome, code: world.offsite.fail.code, what: "the buyer failing on the page" };
  }
  const { card, code } = world.cards.declined;
  const input = world.payInput({ card });
  return { input, outcome: (await world.pay(input)).value, code, what: "the declining card" };
}

/** A capture, void or refund that must be taken; settled by its notification or a query when pending. */
export async function modification(
  world: World,
  operation: "capture" | "void" | "refund",
  payment: { readonly pspReference: string; readonly amount: Money },
  amount: Money | undefined,
): Promise<PspOutcome> {
  const input = modificationOf(world, payment, amount);
  const { value, key } = await world.modify(operation, input);
  const what = `${operation}() of ${amount === undefined ? "the authorization" : describe(amount)}`;
  expectModificationTaken(value, amount, what);
  if (value.kind === "pending") await settlePending(world, operation, input, key);
  return value;
}

const SETTLE_TRIES = 60;
const SETTLE_PAUSE_MS = 50;

/**
 * A pending capture, void or refund must be settled later: by its notification when the manifest declares
 * notifications, otherwise by a query with its key (asked a bounded number of times).
 */
export async function settlePending(
  world: World,
  operation: "capture" | "void" | "refund",
  input: ModificationInput,
  key: string,
): Promise<void> {
  const subject = { operation, reference: input.reference };
  if (world.capabilities.notifications) {
    await confirmByNotification(world, subject, input.amount);
    return;
  }
  check(
    world.capabilities.query,
    `${operation}() is pending, but the manifest declares neither notifications nor query: nothing settles it`,
  );
  const asked = { ...input, operation, amount: input.amount ?? input.paymentAmount };
  for (let attempt = 0; attempt < SETTLE_TRIES; attempt++) {
    const { value } = await world.query(asked, { key });
    if (value.kind !== "pending" && value.kind !== "unknown") {
      if (input.amount === undefined) {
        expectKind(value, "succeeded", `query() about the pending ${operation}`);
      } else expectAccepted(value, input.amount, `query() about the pending ${operation}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_PAUSE_MS));
  }
  fail(`the pending ${operation} was never settled by a query (asked ${SETTLE_TRIES} times)`);
}

/** The emulator booked exactly one payment under the reference, for exactly the asked money. */
export function chargedOnce(world: World, reference: string, asked: Money): void {
  const charges = world.emulator.charges(reference);
  check(charges.count === 1, `the emulator booked ${charges.count} payments for ${reference}, expected 1`);
  const [booked] = charges.amounts;
  check(
    sameMoney(booked, asked),
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
): ModificationInput {
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
      sameMoney(event.outcome.amount, asked),
      `${what} names ${describe(event.outcome.amount)}, the plugin asked for ${describe(asked)}`,
    );
  }
  return raw;
}

/** The query about an earlier pay call, as the core asks it. */
export function payQuery(input: PayInput, pspReference?: string) {
  return {
    operation: "pay" as const,
    reference: input.reference,
    pspReference,
    amount: input.amount,
    captureMode: input.captureMode,
    returnUrl: input.returnUrl,
  };
}
