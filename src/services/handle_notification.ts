import { isGatewayReference, type OperationKind, shopOfReference } from "../payment/operation.ts";
import type { NotificationEvent, RawNotification } from "../ports/psp_plugin.ts";
import type { GatewayDeps } from "./deps.ts";
import { pluginOf } from "./deps.ts";
import { recordOutcome } from "./record_outcome.ts";

export type NotificationResult =
  | { readonly kind: "accepted"; readonly acknowledgement: string; readonly applied: number }
  | { readonly kind: "rejected"; readonly reason: string };

const KIND_OF_EVENT: Readonly<Record<NotificationEvent["operation"], OperationKind>> = {
  pay: "payment",
  capture: "capture",
  void: "void",
  refund: "refund",
};

/**
 * Applies a PSP notification. Its signature is checked with the credentials of the shop its references
 * belong to; a notification that fails the check changes nothing. A notification about a result already
 * final never changes it and never causes a second callback.
 */
export async function handleNotification(
  deps: GatewayDeps,
  pluginId: string,
  raw: RawNotification,
): Promise<NotificationResult> {
  const plugin = pluginOf(deps, pluginId);
  const references = await plugin.notificationReferences(raw);
  if (references.length === 0) return { kind: "rejected", reason: "no references" };
  let applied = 0;
  let acknowledgement = "";
  for (const reference of new Set(references)) {
    const shop = isGatewayReference(reference) ? shopOfReference(reference) : undefined;
    const operation = shop === undefined
      ? undefined
      : await deps.store.findOperationByReference(shop, reference);
    if (shop === undefined || operation === undefined) {
      deps.logger.warn("notification.unknown_reference", { plugin: pluginId, reference });
      continue;
    }
    const binding = await deps.shops.findBinding(shop, operation.extension);
    const credentials = operation.test ? binding?.test : binding?.live;
    if (credentials === undefined || binding?.plugin !== pluginId) {
      return { kind: "rejected", reason: "no credentials to verify the notification" };
    }
    const parsed = await plugin.parseNotification(raw, credentials);
    if (parsed.kind === "rejected") {
      deps.logger.warn("notification.rejected", { plugin: pluginId, shop, reason: parsed.reason });
      return parsed;
    }
    acknowledgement = parsed.acknowledgement;
    for (const event of parsed.events) {
      if (event.reference !== reference) continue;
      if (KIND_OF_EVENT[event.operation] !== operation.kind) {
        deps.logger.warn("notification.kind_mismatch", {
          plugin: pluginId,
          shop,
          reference,
          event: event.operation,
        });
        continue;
      }
      // News that confirms a final result changes nothing; skip the transaction (the common case: the PSP's
      // notification of a payment already answered synchronously).
      if (operation.status === event.outcome.kind) {
        applied++;
        continue;
      }
      await recordOutcome(
        deps,
        { shop, kind: operation.kind, operationId: operation.operationId },
        event.outcome,
        {
          answer: false,
          source: "notification",
        },
      );
      applied++;
    }
  }
  return { kind: "accepted", acknowledgement, applied };
}
