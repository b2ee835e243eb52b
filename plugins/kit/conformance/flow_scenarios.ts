/**
 * The basic flows of the catalogue: the manifest, credentials, sale, decline, capture, refund, void, 3-D
 * Secure, card-on-file, and the two promises every request keeps (the core's key, the asked amount). Card
 * scenarios pay with the target's cards; the others pay as the plugin pays (card, or the buyer approving
 * offsite).
 * @module
 */
import { isHostPattern, PLUGIN_API_VERSION } from "../../../src/plugin_api.ts";
import type { PluginCapabilities } from "../../../src/plugin_api.ts";
import { check, describe, expectAccepted, expectKind, SNAKE_CASE } from "./checks.ts";
import {
  approvedPayment,
  buyerReturns,
  chargedOnce,
  headerValue,
  modification,
  modificationOf,
  payQuery,
} from "./steps.ts";
import { targetProblems } from "./target.ts";
import type { Scenario, World } from "./world.ts";

/** Every capability of the port, so that a new one cannot be forgotten here. */
export const CAPABILITY_NAMES: { readonly [C in keyof PluginCapabilities]: true } = {
  manualCapture: true,
  multiplePartialCaptures: true,
  partialRefunds: true,
  void: true,
  threeDSecure: true,
  redirect: true,
  query: true,
  notifications: true,
  cardOnFile: true,
};

/** Plugin calls that change something at the PSP: each must send the call's key at least once. */
const CALLS_WITH_EFFECT = new Set(["pay", "continueAfterRedirect", "capture", "void", "refund"]);

/** The requests that must carry the key: every one but GETs and the target's keyless operations. */
function idempotencyProblems(world: World): string[] {
  const header = world.target.idempotencyHeader;
  const keyless = new Set(world.target.keylessOperations ?? []);
  const problems: string[] = [];
  const keyed = new Set<string>();
  for (const exchange of world.http.exchanges) {
    const sent = headerValue(exchange.request.headers, header);
    const exempt = exchange.request.method === "GET" || keyless.has(exchange.request.operation);
    if (exempt && sent === undefined) continue;
    keyed.add(exchange.expectedKey);
    if (sent !== exchange.expectedKey) {
      problems.push(
        `${exchange.call}() sent ${header}: ${describe(sent ?? null)} on ${exchange.request.operation} ` +
          `instead of its ctx.idempotencyKey ${describe(exchange.expectedKey)}`,
      );
    }
  }
  const calls = new Map(world.http.exchanges.map((e) => [e.expectedKey, e.call]));
  for (const [key, call] of calls) {
    if (CALLS_WITH_EFFECT.has(call) && !keyed.has(key)) {
      problems.push(`${call}() changes something at the PSP but sent no request with its key`);
    }
  }
  return problems;
}

export const FLOW_SCENARIOS: readonly Scenario[] = [
  {
    id: "manifest_is_valid",
    title:
      "the manifest states the port version, every capability and valid host patterns; the target and the test credentials fit",
    requires: [],
    run(world) {
      const { manifest, credentials } = world.plugin;
      check(
        manifest.pluginApi === PLUGIN_API_VERSION,
        `pluginApi is ${manifest.pluginApi}, the port is ${PLUGIN_API_VERSION}`,
      );
      check(
        /^[a-z0-9][a-z0-9_-]{0,31}$/.test(manifest.id),
        `manifest id ${describe(manifest.id)} is not an id plugins.json accepts`,
      );
      for (const name of Object.keys(CAPABILITY_NAMES) as (keyof PluginCapabilities)[]) {
        check(typeof manifest.capabilities[name] === "boolean", `capability ${name} is not a boolean`);
      }
      check(manifest.hosts.test.length > 0, "the manifest declares no test hosts");
      for (const host of [...manifest.hosts.test, ...manifest.hosts.live]) {
        check(
          isHostPattern(host),
          `host pattern ${describe(host)} is not a host name (with optional * wildcards and :port)`,
        );
      }
      check(
        credentials.test.safeParse(world.emulator.credentials).success,
        "the plugin's test credential schema refuses the emulator's credentials",
      );
      check(
        credentials.test.safeParse(world.emulator.badCredentials).success,
        "the target's bad credentials do not even fit the schema: they must fit it and be refused by the PSP",
      );
      const problems = targetProblems(world.target, manifest.capabilities.redirect);
      check(
        problems.length === 0,
        `the conformance target does not fit the manifest: ${problems.join("; ")}`,
      );
      const codes = world.capabilities.redirect
        ? [
          world.offsite.fail.code,
          ...(world.offsite.cancel.kind === "failed" ? [world.offsite.cancel.code] : []),
        ]
        : [world.cards.declined.code];
      for (const code of codes) {
        check(SNAKE_CASE.test(code), `the target's code ${describe(code)} is not snake_case`);
      }
      check(
        manifest.capabilities.redirect || !manifest.capabilities.threeDSecure ||
          world.cards.challenge !== undefined,
        "the manifest declares threeDSecure but the target has no challenge card",
      );
      check(
        world.capabilities.redirect || manifest.paymentMethods.includes("card"),
        "a plugin that does not pay offsite (redirect) must list the card payment method",
      );
      check(
        !world.capabilities.redirect || world.target.offsite?.abandon.kind !== "expires" ||
          typeof world.emulator.expire === "function",
        "offsite.abandon says the PSP expires payments, but the emulator has no expire()",
      );
      return Promise.resolve();
    },
  },
  {
    id: "verify_credentials_accepts_good",
    title: "verifyCredentials() answers ok for the emulator's test credentials",
    requires: [],
    async run(world) {
      const result = await world.verifyCredentials();
      check(result.ok === true, `verifyCredentials() refused good credentials: ${describe(result)}`);
    },
  },
  {
    id: "verify_credentials_rejects_bad",
    title: "verifyCredentials() answers not ok, with a reason, for credentials the PSP refuses",
    requires: [],
    async run(world) {
      const result = await world.verifyCredentials({ credentials: world.emulator.badCredentials });
      check(result.ok === false, "verifyCredentials() accepted credentials the PSP refuses");
      check(typeof result.reason === "string" && result.reason !== "", "the refusal gives no reason");
    },
  },
  {
    id: "sale_approved",
    title: "a sale with the approving card succeeds with a PSP reference, booked once for the asked amount",
    requires: [],
    payments: "card",
    async run(world) {
      const { input } = await approvedPayment(world, "sale");
      chargedOnce(world, input.reference, input.amount);
    },
  },
  {
    id: "sale_declined_with_stable_code",
    title: "a sale with the declining card fails with the card's stable snake_case code",
    requires: [],
    payments: "card",
    async run(world) {
      const { card, code } = world.cards.declined;
      const outcome = (await world.pay(world.payInput({ card }))).value;
      const failed = expectKind(outcome, "failed", "pay() with the declining card");
      check(SNAKE_CASE.test(failed.code), `code ${describe(failed.code)} is not snake_case`);
      check(failed.code === code, `code is ${describe(failed.code)}, the card's code is ${describe(code)}`);
      check(typeof failed.message === "string" && failed.message !== "", "a failure needs a message");
    },
  },
  {
    id: "authorize_then_capture",
    title: "an authorization succeeds, a capture of the whole amount is taken, then the payment is refunded",
    requires: ["manualCapture"],
    async run(world) {
      const { input, pspReference } = await approvedPayment(world, "authorize");
      const payment = { pspReference, amount: input.amount };
      await modification(world, "capture", payment, input.amount);
      await modification(world, "refund", payment, input.amount);
    },
  },
  {
    id: "multiple_partial_captures",
    title: "two partial captures of one authorization are both taken, then part of the payment is refunded",
    requires: ["manualCapture", "multiplePartialCaptures"],
    async run(world) {
      const { input, pspReference } = await approvedPayment(world, "authorize");
      const payment = { pspReference, amount: input.amount };
      await modification(world, "capture", payment, world.money(400));
      await modification(world, "capture", payment, world.money(600));
      await modification(
        world,
        "refund",
        payment,
        world.money(world.capabilities.partialRefunds ? 300 : 1000),
      );
    },
  },
  {
    id: "refund_full",
    title: "a sale is refunded in full",
    requires: [],
    async run(world) {
      const { input, pspReference } = await approvedPayment(world, "sale");
      await modification(world, "refund", { pspReference, amount: input.amount }, input.amount);
    },
  },
  {
    id: "partial_refunds",
    title: "two partial refunds of one sale are both taken",
    requires: ["partialRefunds"],
    async run(world) {
      const { input, pspReference } = await approvedPayment(world, "sale");
      const payment = { pspReference, amount: input.amount };
      await modification(world, "refund", payment, world.money(300));
      await modification(world, "refund", payment, world.money(200));
    },
  },
  {
    id: "void_authorization",
    title: "an authorization is voided before any capture",
    requires: ["manualCapture", "void"],
    async run(world) {
      const { input, pspReference } = await approvedPayment(world, "authorize");
      await modification(world, "void", { pspReference, amount: input.amount }, undefined);
    },
  },
  {
    id: "threeds_challenge_approved",
    title: "the 3DS card asks for a challenge; approved on the page, continueAfterRedirect() succeeds",
    requires: ["threeDSecure"],
    payments: "card",
    async run(world) {
      const { input, outcome } = await buyerReturns(world, "approve");
      expectAccepted(outcome, input.amount, "continueAfterRedirect() after the buyer approved");
      chargedOnce(world, input.reference, input.amount);
    },
  },
  {
    id: "threeds_challenge_failed",
    title: "a failed challenge makes continueAfterRedirect() fail with a snake_case code",
    requires: ["threeDSecure"],
    payments: "card",
    async run(world) {
      const { outcome } = await buyerReturns(world, "fail");
      const failed = expectKind(outcome, "failed", "continueAfterRedirect() after the buyer failed");
      check(SNAKE_CASE.test(failed.code), `code ${describe(failed.code)} is not snake_case`);
    },
  },
  {
    id: "card_on_file_store_then_charge",
    title: "a payment stores the card; the stored card is then charged by the buyer and by the merchant",
    requires: ["cardOnFile"],
    payments: "card",
    async run(world) {
      const shopperReference = `shopper-${world.reference().slice(-12)}`;
      const first = world.payInput({ card: world.cards.approved, storeCard: { shopperReference } });
      const stored = expectAccepted((await world.pay(first)).value, first.amount, "pay() storing the card");
      const pspToken = stored.storedCard?.pspToken;
      check(
        typeof pspToken === "string" && pspToken !== "",
        "the payment that stored the card has no pspToken",
      );
      for (const initiator of ["customer", "merchant"] as const) {
        const later = world.payInput({ storedCard: { pspToken, shopperReference, initiator } });
        expectAccepted(
          (await world.pay(later)).value,
          later.amount,
          `pay() with the stored card (${initiator})`,
        );
        chargedOnce(world, later.reference, later.amount);
      }
    },
  },
  {
    id: "sends_exact_amount_and_currency",
    title: "the PSP books exactly the asked amount and currency, in every currency the target lists",
    requires: [],
    async run(world) {
      for (const currency of world.target.currencies ?? ["EUR"]) {
        const { input } = await approvedPayment(world, "sale", world.money(1234, currency));
        chargedOnce(world, input.reference, input.amount);
      }
      if (world.capabilities.manualCapture) {
        const { input } = await approvedPayment(world, "authorize", world.money(777));
        chargedOnce(world, input.reference, input.amount);
      }
    },
  },
  {
    id: "sends_core_idempotency_key",
    title: "every request of every operation carries the call's ctx.idempotencyKey, unchanged",
    requires: [],
    async run(world) {
      const caps = world.capabilities;
      await world.verifyCredentials();
      const sale = await approvedPayment(world, "sale");
      await world.modify("refund", modificationOf(world, sale, sale.input.amount));
      if (caps.manualCapture) {
        const authorized = await approvedPayment(world, "authorize");
        await world.modify("capture", modificationOf(world, authorized, authorized.input.amount));
        if (caps.void) {
          const other = await approvedPayment(world, "authorize");
          await world.modify("void", modificationOf(world, other, undefined));
        }
      }
      if (caps.threeDSecure && !caps.redirect) await buyerReturns(world, "approve");
      if (caps.query) {
        const lost = world.payInput({ card: caps.redirect ? undefined : world.cards.approved });
        const { key } = await world.pay(lost, { fault: { kind: "drop_answer" } });
        await world.query(payQuery(lost), { key });
      }
      check(world.http.exchanges.length > 0, "the plugin sent no request at all");
      const problems = idempotencyProblems(world);
      const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : "";
      check(problems.length === 0, `${problems.slice(0, 3).join("; ")}${more}`);
    },
  },
];
