/**
 * One scenario's world: a fresh plugin and emulator, the kit's transport, and plugin calls that never let a
 * throw through, check that each outcome is one the call may return, give each call its own distinctive
 * idempotency key and keep everything the plugin returned for the card-number scan.
 * @module
 */
import type {
  ContinueInput,
  CredentialCheck,
  ModificationInput,
  Money,
  NotificationParse,
  PayInput,
  PluginCapabilities,
  PspCallContext,
  PspOutcome,
  PspPlugin,
  QueryInput,
  RawNotification,
} from "../../../src/plugin_api.ts";
import { check, describe, fail, type OutcomeCall, outcomeProblem } from "./checks.ts";
import type { Fault, KitHttp } from "./faults.ts";
import type {
  ConformanceCards,
  ConformanceEmulator,
  ConformanceOffsite,
  ConformanceTarget,
  NotificationSubject,
} from "./target.ts";

export type Capability = keyof PluginCapabilities;

/** One named check of the catalogue. It runs against a fresh emulator and fails by throwing. */
export interface Scenario {
  /** Stable snake_case name, used in reports and to select scenarios. */
  readonly id: string;
  /** What it checks, in one line. */
  readonly title: string;
  /** Capabilities the manifest must all declare for the scenario to apply; otherwise it is skipped. */
  readonly requires: readonly Capability[];
  /** At least one of these must be declared too (a buyer's return: `threeDSecure` or `redirect`). */
  readonly requiresOneOf?: readonly Capability[];
  /** `card`: only for card plugins (`redirect: false`, the target's cards); `offsite`: only with `redirect`. */
  readonly payments?: "card" | "offsite";
  run(world: World): Promise<void>;
}

/** A value a plugin method returned. */
export interface Returned {
  readonly call: string;
  readonly value: unknown;
}

export interface CallOptions {
  readonly fault?: Fault;
  /** Reuse an earlier call's key (a query asks about that call); default: a fresh key. */
  readonly key?: string;
  readonly credentials?: Readonly<Record<string, unknown>>;
}

export interface Called<T> {
  readonly value: T;
  readonly key: string;
}

export interface World {
  readonly plugin: PspPlugin;
  readonly target: ConformanceTarget;
  readonly emulator: ConformanceEmulator;
  readonly capabilities: PluginCapabilities;
  /** The target's cards; a failure for an offsite target. */
  readonly cards: ConformanceCards;
  /** The target's offsite behaviour; a failure for a card target. */
  readonly offsite: ConformanceOffsite;
  readonly http: KitHttp;
  /** Everything the plugin returned, for the card-number scan. */
  readonly returned: Returned[];
  readonly logLines: string[];
  readonly notes: string[];
  money(amountMinor: number, currency?: string): Money;
  /** A fresh gateway reference, shaped like the core's `{shop}.{token}`. */
  reference(): string;
  payInput(options: {
    readonly card?: PayInput["card"];
    readonly amount?: Money;
    readonly captureMode?: PayInput["captureMode"];
    readonly storeCard?: PayInput["storeCard"];
    readonly storedCard?: PayInput["storedCard"];
  }): PayInput;
  /** The payment's notification URL, as the gateway builds it. */
  notificationUrl(reference: string): string;
  pay(input: PayInput, options?: CallOptions): Promise<Called<PspOutcome>>;
  continueAfterRedirect(input: ContinueInput, options?: CallOptions): Promise<Called<PspOutcome>>;
  modify(
    operation: "capture" | "void" | "refund",
    input: ModificationInput,
    options?: CallOptions,
  ): Promise<Called<PspOutcome>>;
  query(input: QueryInput, options?: CallOptions): Promise<Called<PspOutcome>>;
  verifyCredentials(options?: CallOptions): Promise<CredentialCheck>;
  parseNotification(raw: RawNotification): Promise<NotificationParse>;
  notificationReferences(raw: RawNotification): Promise<readonly string[]>;
  /** The emulator's notification about an operation, or a failure naming it. */
  notification(subject: NotificationSubject): Promise<RawNotification>;
}

const RETURN_BASE = "https://gateway.conformance.invalid/v1/return";

/** The gateway's return URL of a payment, as the core builds it (`{APP_URL}/v1/return/{reference}`). */
export function returnUrlOf(reference: string): string {
  return `${RETURN_BASE}/${encodeURIComponent(reference)}`;
}

let counter = 0;

function token(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (byte) => "abcdefghijklmnopqrstuvwxyz0123456789"[byte % 36]).join("");
}

/** A key no plugin could produce by accident: the kit's prefix, a counter and randomness (30 characters). */
function distinctiveKey(): string {
  counter = (counter + 1) % 10_000;
  return `cfk-${String(counter).padStart(4, "0")}-${token(12)}-p1`;
}

export interface WorldParts {
  readonly target: ConformanceTarget;
  readonly plugin: PspPlugin;
  readonly emulator: ConformanceEmulator;
  readonly http: KitHttp;
  readonly logLines: string[];
}

export function createWorld(parts: WorldParts): World {
  const { target, plugin, emulator, http, logLines } = parts;
  const currency = target.currencies?.[0] ?? "EUR";
  const returned: Returned[] = [];
  const notes: string[] = [];

  async function invoke<T>(call: string, run: () => Promise<T>): Promise<T> {
    let value: T;
    try {
      value = await run();
    } catch (error) {
      const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return fail(`${call}() threw instead of returning an outcome: ${what}`);
    }
    returned.push({ call, value });
    return value;
  }

  /** A call's context, with a fresh distinctive key unless the call reuses one. */
  function context(call: string, options: CallOptions): { ctx: PspCallContext; key: string } {
    const key = options.key ?? distinctiveKey();
    const ctx: PspCallContext = {
      idempotencyKey: key,
      deadline: Date.now() + 10_000,
      credentials: options.credentials ?? emulator.credentials,
      test: true,
      http: http.forCall(call, key, options.fault),
    };
    return { ctx, key };
  }

  async function called(
    call: OutcomeCall,
    options: CallOptions,
    run: (ctx: PspCallContext) => Promise<PspOutcome>,
  ): Promise<Called<PspOutcome>> {
    const name = call === "query:continue" ? "query" : call;
    const { ctx, key } = context(name, options);
    const value = await invoke(name, () => run(ctx));
    const problem = outcomeProblem(value, call);
    check(problem === undefined, `${name}() returned ${describe(value)}: ${problem}`);
    return { value, key };
  }

  /** A verified notification's events must carry outcomes a notification may tell. */
  function checkEvents(parsed: NotificationParse): NotificationParse {
    check(
      parsed?.kind === "events" || parsed?.kind === "rejected",
      `parseNotification() returned ${describe(parsed)}, neither events nor rejected`,
    );
    if (parsed.kind !== "events") return parsed;
    check(Array.isArray(parsed.events), `parseNotification() returned events that are not a list`);
    for (const event of parsed.events) {
      const problem = outcomeProblem(event?.outcome, "notification");
      check(problem === undefined, `parseNotification() returned the event ${describe(event)}: ${problem}`);
    }
    return parsed;
  }

  const notifyBase = emulator.notificationUrl ??
    `https://gateway.conformance.invalid/v1/notifications/${plugin.manifest.id}`;
  function notificationUrl(reference: string): string {
    const url = new URL(notifyBase);
    url.searchParams.set("reference", reference);
    return url.href;
  }

  return {
    plugin,
    target,
    emulator,
    capabilities: plugin.manifest.capabilities,
    get cards() {
      return target.cards ?? fail("the scenario needs the target's cards, and this target is offsite");
    },
    get offsite() {
      return target.offsite ?? fail("the scenario needs the target's offsite behaviour, and it has cards");
    },
    http,
    returned,
    logLines,
    notes,
    money: (amountMinor, code = currency) => ({ amountMinor, currency: code }),
    reference: () => `conformance.${token(16)}`,
    notificationUrl,
    payInput(options) {
      const reference = `conformance.${token(16)}`;
      return {
        reference,
        amount: options.amount ?? { amountMinor: 1000, currency },
        captureMode: options.captureMode ?? "sale",
        card: options.card,
        storeCard: options.storeCard,
        storedCard: options.storedCard,
        returnUrl: returnUrlOf(reference),
        notificationUrl: notificationUrl(reference),
        shopper: {
          ipAddress: "192.0.2.10",
          userAgent: "Mozilla/5.0 (conformance kit)",
          acceptLanguage: "en-GB,en;q=0.8",
          email: "buyer@example.com",
        },
        description: "Conformance kit payment",
      };
    },
    async pay(input, options = {}) {
      const result = await called("pay", options, (ctx) => plugin.pay(input, ctx));
      const used = http.exchanges.some((exchange) => exchange.expectedKey === result.key);
      check(
        used || emulator.charges(input.reference).count === 0,
        "pay() reached the PSP without ctx.http: the emulator booked a payment the kit's transport never saw",
      );
      return result;
    },
    continueAfterRedirect: (input, options = {}) =>
      called("continueAfterRedirect", options, (ctx) => plugin.continueAfterRedirect(input, ctx)),
    modify: (operation, input, options = {}) =>
      called(operation, options, (ctx) => plugin[operation](input, ctx)),
    query: (input, options = {}) =>
      called(
        input.operation === "continue" ? "query:continue" : "query",
        options,
        (ctx) => plugin.query(input, ctx),
      ),
    verifyCredentials: (options = {}) =>
      invoke("verifyCredentials", () => plugin.verifyCredentials(context("verifyCredentials", options).ctx)),
    parseNotification: async (raw) =>
      checkEvents(
        await invoke(
          "parseNotification",
          () => plugin.parseNotification(raw, context("parseNotification", {}).ctx),
        ),
      ),
    notificationReferences: (raw) =>
      invoke("notificationReferences", () => Promise.resolve(plugin.notificationReferences(raw))),
    async notification(subject) {
      try {
        return await emulator.notification(subject);
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        return fail(
          `the emulator sent no ${subject.operation} notification for ${subject.reference}: ${why}`,
        );
      }
    },
  };
}
