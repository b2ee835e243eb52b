/**
 * The notification scenarios: only a genuine notification is believed, each one parses on its own (order and
 * repetition do not matter), and garbage is rejected without a throw.
 * @module
 */
import { deepStrictEqual } from "node:assert/strict";
import type { RawNotification } from "../../../src/plugin_api.ts";
import { check, describe, eventAbout, expectKind, expectModificationTaken, fail } from "./checks.ts";
import { approvedPayment, isOffsite, modificationOf, refusedPayment } from "./steps.ts";
import type { ForgeKind, NotificationSubject } from "./target.ts";
import type { Scenario, World } from "./world.ts";

async function saleNotification(world: World) {
  const sale = await approvedPayment(world, "sale");
  const subject: NotificationSubject = { operation: "pay", reference: sale.input.reference };
  return { sale, subject, raw: await world.notification(subject) };
}

/** A forgery of `raw`, or undefined when that kind means nothing for this PSP (noted). */
async function forged(
  world: World,
  raw: RawNotification,
  how: ForgeKind,
): Promise<RawNotification | undefined> {
  try {
    const copy = await world.emulator.forgeNotification(raw, how);
    if (copy === undefined) world.notes.push(`the ${how} forgery does not apply to this PSP's notifications`);
    return copy;
  } catch (error) {
    return fail(
      `the target could not forge a ${how} notification: ${error instanceof Error ? error.message : error}`,
    );
  }
}

async function mustReject(world: World, raw: RawNotification | undefined, what: string): Promise<boolean> {
  if (raw === undefined) return false;
  const parsed = await world.parseNotification(raw);
  check(parsed.kind === "rejected", `${what} was believed: ${describe(parsed)}`);
  check(
    typeof parsed.reason === "string" && parsed.reason !== "",
    `the rejection of ${what} gives no reason`,
  );
  return true;
}

const GARBAGE: readonly RawNotification[] = [
  { headers: {}, body: "" },
  { headers: { "content-type": "application/json" }, body: "not json at all" },
  { headers: { "content-type": "application/json" }, body: "null" },
  { headers: { "content-type": "application/json" }, body: "[]" },
  { headers: { "content-type": "application/json" }, body: "{}" },
  { headers: { "content-type": "application/json" }, body: '{"notificationItems":[]}' },
  { headers: { "content-type": "application/json" }, body: '{"notificationItems":[{"x":1}]}' },
  { headers: { "content-type": "application/x-www-form-urlencoded" }, body: "a=1&b=2" },
  { headers: { "content-type": "application/json" }, body: `${"[".repeat(5000)}${"]".repeat(5000)}` },
];

export const NOTIFICATION_SCENARIOS: readonly Scenario[] = [
  {
    id: "notification_genuine_parses",
    title: "the emulator's signed notifications parse to the right events (a success and a decline)",
    requires: ["notifications"],
    async run(world) {
      const { sale, subject, raw } = await saleNotification(world);
      const parsed = await world.parseNotification(raw);
      const event = eventAbout(parsed, subject, "the sale's notification");
      const outcome = expectKind(event.outcome, "succeeded", "the sale's notification");
      check(
        outcome.pspReference === sale.pspReference,
        `the notification names ${describe(outcome.pspReference)}, the payment is ${
          describe(sale.pspReference)
        }`,
      );
      const amount = outcome.amount;
      check(
        amount === undefined ||
          (amount.amountMinor === sale.input.amount.amountMinor &&
            amount.currency === sale.input.amount.currency),
        `the notification's amount is ${describe(amount)}, the payment's ${describe(sale.input.amount)}`,
      );
      check(
        parsed.kind === "events" && typeof parsed.acknowledgement === "string",
        "a parsed notification needs the acknowledgement the PSP expects",
      );
      const references = await world.notificationReferences(raw);
      check(references.includes(subject.reference), `notificationReferences() gave ${describe(references)}`);

      if (isOffsite(world) && world.offsite.fail.notified === false) return;
      const declined = await refusedPayment(world);
      expectKind(declined.outcome, "failed", `the payment with ${declined.what}`);
      const code = declined.code;
      const refusal = { operation: "pay", reference: declined.input.reference } as const;
      const refused = eventAbout(
        await world.parseNotification(await world.notification(refusal)),
        refusal,
        "decline",
      );
      const failed = expectKind(refused.outcome, "failed", "the decline's notification");
      check(
        failed.code === code,
        `the decline's notification says ${describe(failed.code)}, expected ${code}`,
      );
    },
  },
  {
    id: "notification_forged_rejected",
    title: "a notification signed with another key, changed after signing or unsigned is rejected",
    requires: ["notifications"],
    async run(world) {
      const { raw } = await saleNotification(world);
      const tried = [
        await mustReject(
          world,
          await forged(world, raw, "wrong_key"),
          "a notification signed with another key",
        ),
        await mustReject(world, await forged(world, raw, "tampered"), "a notification changed after signing"),
        await mustReject(world, await forged(world, raw, "unsigned"), "an unsigned notification"),
      ];
      check(
        tried.some((applied) => applied),
        "the target forges no notification: the kit cannot test verification",
      );
    },
  },
  {
    id: "notification_unsigned_rejected",
    title: "a notification without its signature is rejected",
    requires: ["notifications"],
    async run(world) {
      const { raw } = await saleNotification(world);
      await mustReject(world, await forged(world, raw, "unsigned"), "an unsigned notification");
      const reparsed = await world.parseNotification(raw);
      check(reparsed.kind === "events", "after the forgeries, the genuine notification no longer verifies");
    },
  },
  {
    id: "notification_duplicate_parses_same",
    title: "the same notification delivered twice parses to the same events both times",
    requires: ["notifications"],
    async run(world) {
      const { raw } = await saleNotification(world);
      const first = await world.parseNotification(raw);
      const second = await world.parseNotification(raw);
      try {
        deepStrictEqual(second, first);
      } catch {
        fail(`a duplicate parsed differently: ${describe(first)} then ${describe(second)}`);
      }
    },
  },
  {
    id: "notification_out_of_order_parse_alone",
    title: "refund, capture and payment notifications parsed in reverse order each give their own event",
    requires: ["notifications"],
    async run(world) {
      const captureMode = world.capabilities.manualCapture ? "authorize" : "sale";
      const payment = await approvedPayment(world, captureMode);
      const subjects: NotificationSubject[] = [{ operation: "pay", reference: payment.input.reference }];
      for (
        const operation of captureMode === "authorize" ? ["capture", "refund"] as const : ["refund"] as const
      ) {
        const input = modificationOf(world, payment, payment.input.amount);
        const { value } = await world.modify(operation, input);
        expectModificationTaken(value, input.amount, `${operation}()`);
        subjects.push({ operation, reference: input.reference });
      }
      const raws = await Promise.all(subjects.map((subject) => world.notification(subject)));
      for (let index = subjects.length - 1; index >= 0; index--) {
        const subject = subjects[index];
        const event = eventAbout(
          await world.parseNotification(raws[index]),
          subject,
          `the ${subject.operation}`,
        );
        check(
          event.outcome.kind === "succeeded",
          `the ${subject.operation} notification, parsed out of order, reports ${describe(event.outcome)}`,
        );
      }
    },
  },
  {
    id: "notification_garbage_rejected",
    title: "empty, non-JSON, wrongly shaped and deeply nested bodies are rejected without a throw",
    requires: ["notifications"],
    async run(world) {
      for (const raw of GARBAGE) {
        await mustReject(world, raw, `the body ${describe(raw.body.slice(0, 40))}`);
        const references = await world.notificationReferences(raw);
        check(Array.isArray(references), "notificationReferences() did not return a list");
      }
    },
  },
];
