/**
 * A payment's story and a page of payments as terminal text, for `deno task ops payment` and
 * `deno task ops payments`: the same values the console and `/admin/payments` show, one line per fact.
 * @module
 */
import type { PaymentPage, PaymentStory, PaymentSummary } from "./payment_story.ts";

function failure(payment: Pick<PaymentSummary, "errorCode" | "errorMessage">): string {
  if (payment.errorCode === null) return "";
  return `  ${payment.errorCode}${payment.errorMessage === null ? "" : `: ${payment.errorMessage}`}`;
}

export function formatPaymentPage(page: PaymentPage): string {
  if (page.payments.length === 0) return "No payments match.";
  const lines = page.payments.map((p) =>
    `${p.createdAt}  ${p.shop} ${p.paymentId}  ${p.extension}${
      p.test ? " (test)" : ""
    }  ${p.amountMinor} ${p.currency}` +
    `  ${p.state}${failure(p)}`
  );
  if (page.next !== undefined) lines.push(`more: --after ${page.next}`);
  return lines.join("\n");
}

export function formatPaymentStory(story: PaymentStory): string {
  const p = story.payment;
  const lines = [
    `payment ${p.paymentId} of ${p.shop}: ${p.state}${failure(p)}`,
    `  ${p.extension} via ${p.plugin}${
      p.test ? ", test mode" : ""
    }, ${p.captureMode}, created ${p.createdAt}` +
    (p.pspReference === null ? "" : `, PSP reference ${p.pspReference}`),
    `  amount ${p.amountMinor} ${p.currency}; authorized ${p.authorizedMinor}, captured ${p.capturedMinor}, ` +
    `refunded ${p.refundedMinor}; remaining to capture ${p.remainingToCaptureMinor}, to refund ${p.remainingToRefundMinor}` +
    (p.capturePendingMinor > 0 ? `; capture pending ${p.capturePendingMinor}` : "") +
    (p.refundPendingMinor > 0 ? `; refund pending ${p.refundPendingMinor}` : "") +
    (p.voidPending ? "; void pending" : ""),
    "",
    "operations:",
    ...story.operations.map((op) =>
      `  ${op.kind}/${op.operationId}  ${op.status}${
        op.amountMinor === null ? "" : `  ${op.amountMinor} ${op.currency}`
      }` +
      `${failure(op)}${op.source === null ? "" : `  (${op.source})`}${
        op.reviewSince === null ? "" : "  IN REVIEW"
      }`
    ),
    "",
    "callbacks:",
    ...(story.callbacks.length === 0
      ? ["  none yet"]
      : story.callbacks.map((callback) =>
        `  #${callback.seq} ${callback.kind}/${callback.targetId}  ${callback.status}, ${callback.attempts} attempt(s)` +
        (callback.lastStatus === null ? "" : `, last HTTP ${callback.lastStatus}`) +
        (callback.lastError === null ? "" : `, last error ${callback.lastError}`) +
        (callback.nextAttemptAt === null ? "" : `, next ${callback.nextAttemptAt}`)
      )),
  ];
  if (story.incidents.length > 0) {
    lines.push("", "incidents:");
    for (const incident of story.incidents) {
      lines.push(
        `  #${incident.id} ${incident.kind} on ${incident.operation}: reported ${incident.reported}, PSP says ` +
          `${incident.pspSays}${
            incident.resolvedAt === null ? " (open)" : ` (resolved: ${incident.resolution})`
          }`,
      );
    }
  }
  lines.push("", "timeline:");
  for (const entry of story.timeline) lines.push(`  ${entry.at}  ${entry.type.padEnd(8)}  ${entry.summary}`);
  return lines.join("\n");
}
