import {
  isGatewayReference,
  type Operation,
  type OperationKind,
  shopOfReference,
} from "../payment/operation.ts";
import type {
  LoadedPlugin,
  NotificationEvent,
  NotificationParse,
  PspCallContext,
  RawNotification,
} from "../ports/psp_plugin.ts";
import { cleanText } from "../text.ts";
import type { GatewayDeps } from "./deps.ts";
import { pluginOf } from "./deps.ts";
import { recordOutcome } from "./record_outcome.ts";

export type NotificationResult =
  | { readonly kind: "accepted"; readonly acknowledgement: string; readonly applied: number }
  | { readonly kind: "rejected"; readonly reason: string };

/** A notification names at most this many references; PSPs batch a handful, an attacker thousands. */
export const MAX_NOTIFICATION_REFERENCES = 100;

const KIND_OF_EVENT: Readonly<Record<NotificationEvent["operation"], OperationKind>> = {
  pay: "payment",
  capture: "capture",
  void: "void",
  refund: "refund",
};

/**
 * Applies a PSP notification, all or nothing. It is verified as a whole, with the credentials of the one shop
 * its references belong to, before anything it names is looked up; then every event is checked (its shop, its
 * mode, its kind); only then is any of them applied. A notification that fails any check changes nothing. News
 * about a result already final never changes it and never causes a second callback.
 */
export async function handleNotification(
  deps: GatewayDeps,
  pluginId: string,
  raw: RawNotification,
): Promise<NotificationResult> {
  const plugin = pluginOf(deps, pluginId);
  const references = [...new Set(await plugin.notificationReferences(raw))];
  if (references.length === 0) return rejected(deps, pluginId, "it names no gateway reference");
  if (references.length > MAX_NOTIFICATION_REFERENCES) {
    return rejected(deps, pluginId, "it names too many references");
  }
  const shops = new Set(
    references.map((reference) => isGatewayReference(reference) ? shopOfReference(reference) : ""),
  );
  if (shops.size !== 1 || shops.has("") || shops.has(undefined)) {
    return rejected(deps, pluginId, "its references are not all of one shop");
  }
  const shop = [...shops][0]!;
  const verified = await verify(deps, plugin, pluginId, shop, raw);
  if (verified.kind === "rejected") return rejected(deps, pluginId, verified.reason, shop);

  // The outcomes of this process's own calls that the notification reports are being recorded: wait for them
  // (bounded), so that their operations are read final from the store's cache, not from the database.
  await deps.settling.settled(verified.parse.events.map((event) => event.reference));
  const planned: { operation: Operation; event: NotificationEvent }[] = [];
  let unknown = 0;
  for (const event of verified.parse.events) {
    if (!isGatewayReference(event.reference) || shopOfReference(event.reference) !== shop) {
      return rejected(deps, pluginId, "an event names another shop's reference", shop);
    }
    const operation = await deps.store.findOperationByReference(shop, event.reference);
    if (operation === undefined) {
      unknown++;
      continue;
    }
    if (operation.test !== verified.test || !verified.extensions.has(operation.extension)) {
      return rejected(deps, pluginId, "an event names an operation of another mode or extension", shop);
    }
    if (KIND_OF_EVENT[event.operation] !== operation.kind || !isNews(event)) {
      deps.logger.warn("notification.event_ignored", { plugin: pluginId, shop, reference: event.reference });
      continue;
    }
    planned.push({ operation, event });
  }
  if (unknown > 0) {
    deps.logger.warn("notification.unknown_references", { plugin: pluginId, shop, count: unknown });
  }

  let applied = 0;
  for (const { operation, event } of planned) {
    applied++;
    // News that confirms a result changes nothing; skip the transaction (the common case: the PSP's
    // notification of a payment already answered synchronously).
    if (operation.status === event.outcome.kind) continue;
    const key = { shop, kind: operation.kind, operationId: operation.operationId };
    await recordOutcome(deps, key, event.outcome, { answer: false, source: "notification" });
  }
  return { kind: "accepted", acknowledgement: verified.parse.acknowledgement, applied };
}

/** Outcomes a notification may carry: what the PSP did, never a statement about a call (those come from calls). */
function isNews(event: NotificationEvent): boolean {
  return event.outcome.kind !== "not_received" && event.outcome.kind !== "return_refused";
}

type Verification =
  | {
    readonly kind: "verified";
    readonly parse: Extract<NotificationParse, { kind: "events" }>;
    readonly test: boolean;
    readonly extensions: ReadonlySet<string>;
  }
  | { readonly kind: "rejected"; readonly reason: string };

/**
 * Verifies the notification with the shop's credentials for this plugin: test first, then live, for every
 * extension bound to the plugin (at most a few tries, and no lookup of anything the notification names).
 */
async function verify(
  deps: GatewayDeps,
  plugin: LoadedPlugin,
  pluginId: string,
  shop: string,
  raw: RawNotification,
): Promise<Verification> {
  const bindings = (await deps.shops.bindingsOf(shop)).filter((binding) => binding.plugin === pluginId);
  let reason = "the shop has no credentials for this PSP";
  for (const test of [true, false]) {
    for (const binding of bindings) {
      const credentials = test ? binding.test : binding.live;
      if (credentials === undefined) continue;
      const parse = await plugin.parseNotification(
        raw,
        notificationContext(deps, binding.extension, pluginId, shop, test, credentials),
      );
      if (parse.kind === "events") {
        const extensions = new Set(
          bindings.filter((b) => (test ? b.test : b.live) !== undefined).map((b) => b.extension),
        );
        return { kind: "verified", parse, test, extensions };
      }
      reason = parse.reason;
    }
  }
  return { kind: "rejected", reason };
}

function notificationContext(
  deps: GatewayDeps,
  extension: string,
  plugin: string,
  shop: string,
  test: boolean,
  credentials: Readonly<Record<string, unknown>>,
): PspCallContext {
  return {
    idempotencyKey: "",
    deadline: deps.clock.now() + deps.settings.pspTimeoutMs,
    credentials,
    test,
    http: deps.pspHttp({ shop, extension, plugin, reference: "notification", test }),
  };
}

function rejected(deps: GatewayDeps, plugin: string, reason: string, shop?: string): NotificationResult {
  const bounded = cleanText(reason, 200);
  deps.logger.warn("notification.rejected", { plugin, shop, reason: bounded });
  return { kind: "rejected", reason: bounded };
}
