/**
 * Reading a payment's refunds (`GET /v2/payments/{id}/refunds`), page by page up to a bound: the webhook
 * handler reports every final refund it finds there, and a refund query whose create answer was lost finds
 * its refund by the gateway reference in `metadata`.
 * @module
 */
import type { PspCallContext } from "../../src/plugin_api.ts";
import { isObject, stringField } from "../kit/mod.ts";
import { readMollie } from "./answer_rules.ts";
import { type MollieRefund, readRefund } from "./answers.ts";
import { callMollie, type Endpoint } from "./requests.ts";

/** Mollie's largest page of a list. */
const PAGE_SIZE = 250;
/** Pages read at most: a thousand refunds of one payment is already far beyond any real shop's. */
const MAX_PAGES = 4;

export type RefundList =
  | { readonly kind: "complete"; readonly refunds: readonly MollieRefund[] }
  | { readonly kind: "unreadable"; readonly detail: string };

/** Every refund of a payment, or why they could not all be read. */
export async function listRefunds(
  endpoint: Endpoint,
  ctx: PspCallContext,
  paymentId: string,
): Promise<RefundList> {
  const refunds: MollieRefund[] = [];
  let path = `/payments/${paymentId}/refunds?limit=${PAGE_SIZE}`;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await callMollie(endpoint, ctx, { method: "GET", path, operation: "refunds.list" });
    const reading = readMollie(result, "query");
    if (reading.kind === "decided") {
      return {
        kind: "unreadable",
        detail: reading.outcome.kind === "unknown" ? reading.outcome.detail : "no list",
      };
    }
    const embedded = isObject(reading.body._embedded) ? reading.body._embedded.refunds : undefined;
    if (!Array.isArray(embedded)) {
      return { kind: "unreadable", detail: "Mollie answered without a refund list" };
    }
    for (const item of embedded) {
      const refund = isObject(item) ? readRefund(item) : undefined;
      if (refund === undefined) {
        return { kind: "unreadable", detail: "Mollie listed something that is not a refund" };
      }
      refunds.push(refund);
    }
    const links = reading.body._links;
    const next = isObject(links) && isObject(links.next) ? stringField(links.next, "href") : undefined;
    if (next === undefined) return { kind: "complete", refunds };
    // A next page anywhere but below the base URL is not followed, and the list is then not known whole.
    if (!next.startsWith(`${endpoint.baseUrl}/`)) {
      return { kind: "unreadable", detail: "Mollie's next page is outside the API" };
    }
    path = next.slice(endpoint.baseUrl.length);
  }
  return { kind: "unreadable", detail: `the payment has more than ${MAX_PAGES * PAGE_SIZE} refunds` };
}
