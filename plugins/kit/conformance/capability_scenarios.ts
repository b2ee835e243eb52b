/**
 * The manifest is the single source of what a plugin does: the core never sends it what it does not declare,
 * and the kit selects its scenarios by the same capabilities. So every declared capability must really work,
 * and every scenario the kit runs must pass whatever the plugin leaves out. One scenario probes each declared
 * capability directly; the undeclared ones must at least not break a plugin call.
 * @module
 */
import type { PluginCapabilities } from "../../../src/plugin_api.ts";
import { check, describe, expectAccepted, fail } from "./checks.ts";
import { CAPABILITY_NAMES } from "./manifest_scenarios.ts";
import {
  approvedPayment,
  awaitingBuyer,
  confirmByNotification,
  isOffsite,
  modification,
  modificationOf,
  payQuery,
} from "./steps.ts";
import type { Scenario, World } from "./world.ts";

type Capability = keyof PluginCapabilities;

/** One short use of each capability: it fails with the capability's name when the plugin does not keep it. */
const PROBES: { readonly [C in Capability]-?: (world: World) => Promise<void> } = {
  // The kit's offsite_abandoned scenario plays it; here the target must say its PSP expires payments.
  expiresAtPsp(world) {
    const offsite =
      (world.target as { readonly offsite?: { readonly abandon?: { readonly kind: string } } }).offsite;
    if (offsite?.abandon?.kind !== "expires") {
      fail("expiresAtPsp needs an offsite target whose abandoned payments expire at the PSP");
    }
    return Promise.resolve();
  },
  async manualCapture(world) {
    const { input, pspReference } = await approvedPayment(world, "authorize");
    await modification(world, "capture", { pspReference, amount: input.amount }, input.amount);
  },
  async multiplePartialCaptures(world) {
    if (!world.capabilities.manualCapture) fail("multiplePartialCaptures needs manualCapture");
    const { input, pspReference } = await approvedPayment(world, "authorize");
    const payment = { pspReference, amount: input.amount };
    await modification(world, "capture", payment, world.money(100));
    await modification(world, "capture", payment, world.money(100));
  },
  async partialRefunds(world) {
    const { input, pspReference } = await approvedPayment(world, "sale");
    await modification(world, "refund", { pspReference, amount: input.amount }, world.money(100));
  },
  async void(world) {
    if (!world.capabilities.manualCapture) {
      fail("void needs manualCapture: only an authorization can be voided");
    }
    const { input, pspReference } = await approvedPayment(world, "authorize");
    await modification(world, "void", { pspReference, amount: input.amount }, undefined);
  },
  async threeDSecure(world) {
    if (isOffsite(world)) return; // An offsite payment's page is the PSP's, 3-D Secure included.
    await awaitingBuyer(world);
  },
  async redirect(world) {
    await awaitingBuyer(world);
  },
  async query(world) {
    const sale = world.payInput({ card: isOffsite(world) ? undefined : world.cards.approved });
    const { key } = await world.pay(sale);
    const { value } = await world.query(payQuery(sale), { key });
    check(
      value.kind !== "unknown" && value.kind !== "not_received",
      `query() did not find a payment it made: ${describe(value)}`,
    );
  },
  async notifications(world) {
    const { input } = await approvedPayment(world, "sale");
    await confirmByNotification(world, { operation: "pay", reference: input.reference }, input.amount);
  },
  async cardOnFile(world) {
    if (isOffsite(world)) fail("cardOnFile is for card plugins: an offsite plugin receives no card data");
    const shopperReference = `shopper-${world.reference().slice(-12)}`;
    const input = world.payInput({ card: world.cards.approved, storeCard: { shopperReference } });
    const stored = expectAccepted((await world.pay(input)).value, input.amount, "pay() storing the card");
    check(
      stored.storedCard?.pspToken !== undefined,
      "a payment asked to store the card returned no storedCard",
    );
  },
};

/**
 * What a plugin that does not declare a capability still owes: the method that capability would use returns
 * an outcome (any one) instead of throwing, if anything ever calls it.
 */
const UNDECLARED: Partial<{ readonly [C in Capability]: (world: World) => Promise<void> }> = {
  async manualCapture(world) {
    const { input, pspReference } = await approvedPayment(world, "sale");
    await world.modify(
      "capture",
      modificationOf(world, { pspReference, amount: input.amount }, input.amount),
    );
  },
  async void(world) {
    const { input, pspReference } = await approvedPayment(world, "sale");
    await world.modify("void", modificationOf(world, { pspReference, amount: input.amount }, undefined));
  },
  async query(world) {
    const input = world.payInput({ card: isOffsite(world) ? undefined : world.cards.approved });
    await world.query(payQuery(input));
  },
  async notifications(world) {
    await world.parseNotification({ headers: { "content-type": "application/json" }, body: "{}" });
  },
};

export const CAPABILITY_SCENARIOS: readonly Scenario[] = [
  {
    id: "capabilities_declared_are_implemented",
    title:
      "every capability the manifest declares works; an undeclared one leaves its method returning outcomes",
    requires: [],
    async run(world) {
      for (const name of Object.keys(CAPABILITY_NAMES) as Capability[]) {
        const declared = world.capabilities[name];
        const probe = declared ? PROBES[name] : UNDECLARED[name];
        if (probe === undefined) continue;
        try {
          await probe(world);
        } catch (error) {
          const why = error instanceof Error ? error.message : String(error);
          fail(
            declared ? `the manifest declares ${name}, but ${why}` : `${name} is not declared, and ${why}`,
          );
        }
      }
    },
  },
];
