/**
 * The kit catches what it claims to catch: deliberately broken copies of the Adyen plugin, each built by
 * wrapping the real one, fail exactly the scenarios aimed at their fault, while the real plugin passes them
 * all.
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import { signItem, type UnsignedItem } from "../plugins/adyen/emulator/mod.ts";
import { CONFORMANCE_TARGET } from "../plugins/adyen/conformance.ts";
import type { PspCallContext, PspHttp, PspPlugin, RawNotification } from "../src/plugin_api.ts";
import {
  type CardTarget,
  type ConformanceReport,
  type ConformanceTarget,
  runConformance,
} from "../plugins/kit/conformance/mod.ts";

const ADYEN = CONFORMANCE_TARGET as CardTarget;

type ContextChange = (ctx: PspCallContext) => PspCallContext;

/** The real plugin, with every operation's context changed on the way in. */
function withContext(plugin: PspPlugin, change: ContextChange): PspPlugin {
  return {
    ...plugin,
    pay: (input, ctx) => plugin.pay(input, change(ctx)),
    continueAfterRedirect: (input, ctx) => plugin.continueAfterRedirect(input, change(ctx)),
    capture: (input, ctx) => plugin.capture(input, change(ctx)),
    void: (input, ctx) => plugin.void(input, change(ctx)),
    refund: (input, ctx) => plugin.refund(input, change(ctx)),
    query: (input, ctx) => plugin.query(input, change(ctx)),
    verifyCredentials: (ctx) => plugin.verifyCredentials(change(ctx)),
  };
}

/**
 * A units slip that is consistent with itself: every amount goes out one minor unit too high and comes back
 * one lower, so the plugin's own answer check is satisfied and it reports the asked amount. Only what the PSP
 * booked shows the slip.
 */
function sendsWrongAmount(plugin: PspPlugin): PspPlugin {
  return withContext(plugin, (ctx) => ({ ...ctx, http: slipAmounts(ctx.http) }));
}

type WithAmount = { amount?: { value: number; currency: string } };

function slip(json: WithAmount, by: number): WithAmount {
  return json.amount === undefined
    ? json
    : { ...json, amount: { ...json.amount, value: json.amount.value + by } };
}

function slipAmounts(http: PspHttp): PspHttp {
  return {
    async send(request, deadline) {
      const json = request.json as WithAmount | undefined;
      const result = await http.send(
        json === undefined ? request : { ...request, json: slip(json, 1) },
        deadline,
      );
      if (result.kind !== "response") return result;
      try {
        return { ...result, body: JSON.stringify(slip(JSON.parse(result.body), -1)) };
      } catch {
        return result;
      }
    },
  };
}

/** Mints its own idempotency key for every call instead of sending the core's. */
function mintsItsOwnKey(plugin: PspPlugin): PspPlugin {
  return withContext(plugin, (ctx) => ({ ...ctx, idempotencyKey: crypto.randomUUID() }));
}

/** Skips verification: re-signs every item with the shop's key before the real parser looks at it. */
function trustsForgedNotifications(plugin: PspPlugin): PspPlugin {
  return {
    ...plugin,
    async parseNotification(raw, ctx) {
      return await plugin.parseNotification(await resigned(raw, String(ctx.credentials.hmacKeyHex)), ctx);
    },
  };
}

async function resigned(raw: RawNotification, hmacKeyHex: string): Promise<RawNotification> {
  let body: { notificationItems?: { NotificationRequestItem: UnsignedItem }[] };
  try {
    body = JSON.parse(raw.body);
  } catch {
    return raw;
  }
  if (!Array.isArray(body?.notificationItems)) return raw;
  for (const wrapper of body.notificationItems) {
    if (wrapper?.NotificationRequestItem?.amount === undefined) continue;
    wrapper.NotificationRequestItem = await signItem(wrapper.NotificationRequestItem, hmacKeyHex);
  }
  return { headers: raw.headers, body: JSON.stringify(body) };
}

/** Fails a buyer's return the PSP merely refused: the core would fail a payment the buyer can still approve. */
function failsRefusedReturns(plugin: PspPlugin): PspPlugin {
  return {
    ...plugin,
    async continueAfterRedirect(input, ctx) {
      const outcome = await plugin.continueAfterRedirect(input, ctx);
      return outcome.kind === "return_refused"
        ? { kind: "failed", code: "authentication_failed", message: outcome.detail }
        : outcome;
    },
  };
}

/** Says `not_received` from pay() where it does not know: only a query may say the PSP has no record. */
function claimsNotReceivedFromPay(plugin: PspPlugin): PspPlugin {
  return {
    ...plugin,
    async pay(input, ctx) {
      const outcome = await plugin.pay(input, ctx);
      return outcome.kind === "unknown" ? { kind: "not_received", detail: outcome.detail } : outcome;
    },
  };
}

/** Declares less than it can: the kit must skip what it leaves out and pass everything else. */
function declaresLess(plugin: PspPlugin): PspPlugin {
  const capabilities = {
    ...plugin.manifest.capabilities,
    manualCapture: false,
    multiplePartialCaptures: false,
    void: false,
    threeDSecure: false,
    cardOnFile: false,
  };
  return { ...plugin, manifest: { ...plugin.manifest, capabilities } };
}

/** Declares card-on-file but never returns the stored card's token. */
function forgetsStoredCards(plugin: PspPlugin): PspPlugin {
  return {
    ...plugin,
    async pay(input, ctx) {
      const outcome = await plugin.pay(input, ctx);
      return outcome.kind === "succeeded" ? { ...outcome, storedCard: undefined } : outcome;
    },
  };
}

function broken(wrap: (plugin: PspPlugin) => PspPlugin): ConformanceTarget {
  return { ...ADYEN, createPlugin: () => wrap(ADYEN.createPlugin()) };
}

function failedIds(report: ConformanceReport): string[] {
  return report.results.filter((r) => r.status === "failed").map((r) => r.id);
}

/** The expected ids, without those the manifest skips (card-on-file may still be off). */
function applying(report: ConformanceReport, ids: readonly string[]): string[] {
  const skipped = new Set(report.results.filter((r) => r.status === "skipped").map((r) => r.id));
  return ids.filter((id) => !skipped.has(id));
}

function details(report: ConformanceReport): string {
  return report.results.filter((r) => r.status === "failed").map((r) => `${r.id}: ${r.detail}`).join("\n");
}

Deno.test("conformance kit passes the real Adyen plugin on every scenario", async () => {
  const report = await runConformance(ADYEN);
  deepStrictEqual(failedIds(report), [], details(report));
  deepStrictEqual(report.passed + report.skipped, report.results.length);
});

Deno.test("conformance kit fails an Adyen plugin that sends a wrong amount where the money shows it", async () => {
  const report = await runConformance(broken(sendsWrongAmount));
  // What the emulator booked, the amounts its notifications name, and the answer amount the plugin misreads.
  const expected = [
    "sale_approved",
    "authorize_then_capture",
    "multiple_partial_captures",
    "refund_full",
    "partial_refunds",
    "threeds_challenge_approved",
    "card_on_file_store_then_charge",
    "sends_exact_amount_and_currency",
    "return_garbled_refused_then_approved",
    "continue_lost_answer_query_settles",
    "capabilities_declared_are_implemented",
    // Adyen's refund query performs a refund it never saw; its notification names the slipped amount.
    "timeout_before_sending_query_claims_nothing",
    "timeout_after_psp_acted_query_finds_single_charge",
    "amount_mismatch_is_refused",
    "notification_genuine_parses",
  ];
  deepStrictEqual(failedIds(report), applying(report, expected), details(report));
  const exact = report.results.find((r) => r.id === "sends_exact_amount_and_currency");
  deepStrictEqual(
    exact?.detail,
    'the emulator booked {"amountMinor":1235,"currency":"EUR"}, the core asked for {"amountMinor":1234,"currency":"EUR"}',
  );
});

Deno.test("conformance kit fails an Adyen plugin that mints its own idempotency key", async () => {
  const report = await runConformance(broken(mintsItsOwnKey));
  deepStrictEqual(
    failedIds(report),
    [
      "sends_core_idempotency_key",
      // The query cannot find the payment under the key the plugin made up.
      "capabilities_declared_are_implemented",
      "timeout_after_psp_acted_query_finds_single_charge",
    ],
    details(report),
  );
});

Deno.test("conformance kit fails an Adyen plugin that trusts forged notifications", async () => {
  const report = await runConformance(broken(trustsForgedNotifications));
  deepStrictEqual(
    failedIds(report),
    ["notification_forged_rejected", "notification_unsigned_rejected"],
    details(report),
  );
});

Deno.test("conformance kit fails an Adyen plugin that fails a buyer's return the PSP only refused", async () => {
  const report = await runConformance(broken(failsRefusedReturns));
  deepStrictEqual(failedIds(report), ["return_garbled_refused_then_approved"], details(report));
});

Deno.test("conformance kit fails an Adyen plugin that answers not_received from pay()", async () => {
  const report = await runConformance(broken(claimsNotReceivedFromPay));
  const expected = [
    "sends_core_idempotency_key", // its lost payment, asked about
    "timeout_before_sending_is_unknown",
    "timeout_before_sending_query_claims_nothing",
    "timeout_after_psp_acted_is_unknown",
    "timeout_after_psp_acted_query_finds_single_charge",
    "http_5xx_is_unknown",
    "malformed_answer_is_unknown",
    "amount_mismatch_is_refused",
  ];
  deepStrictEqual(failedIds(report), expected, details(report));
  for (const result of report.results.filter((r) => r.status === "failed")) {
    ok(
      result.detail?.includes("not_received is not an outcome pay() may return (only query() may)"),
      result.detail,
    );
  }
});

Deno.test("conformance kit fails an Adyen plugin that declares card-on-file but returns no stored card", async () => {
  const report = await runConformance(broken(forgetsStoredCards));
  deepStrictEqual(
    failedIds(report),
    ["card_on_file_store_then_charge", "capabilities_declared_are_implemented"],
    details(report),
  );
  const probe = report.results.find((r) => r.id === "capabilities_declared_are_implemented");
  ok(probe?.detail?.startsWith("the manifest declares cardOnFile, but"), probe?.detail);
});

Deno.test("conformance kit passes an Adyen plugin that declares less, skipping exactly what it leaves out", async () => {
  const report = await runConformance(broken(declaresLess));
  deepStrictEqual(failedIds(report), [], details(report));
  const skipped = report.results.filter((r) => r.status === "skipped").map((r) => r.id);
  deepStrictEqual(skipped, [
    "authorize_then_capture",
    "multiple_partial_captures",
    "void_authorization",
    "threeds_challenge_approved",
    "threeds_challenge_failed",
    "card_on_file_store_then_charge",
    "offsite_pay_redirects",
    "offsite_pay_replay_same_redirect",
    "offsite_approved_charged_once",
    "offsite_failed_with_stable_code",
    "offsite_cancelled",
    "offsite_abandoned",
    "offsite_notification_before_return",
    "return_garbled_refused_then_approved",
    "continue_lost_answer_query_settles",
  ]);
});
