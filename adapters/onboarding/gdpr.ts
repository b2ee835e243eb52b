/**
 * The GDPR webhooks' effect on what the gateway holds about buyers (docs/onboarding.md, "Personal data").
 *
 * Personal, and removed by a redaction: a payment's Genstore return URL (the buyer's order page), what the
 * buyer's browser brought back from a 3-D Secure page or offsite page (return parameters), the PSP's redirect
 * and resume state of that step, the card-on-file summary (token, brand, last 4, expiry) on the payment, on
 * its card token and in callbacks already sent. Kept: amounts, currencies, statuses, Genstore's ids, the
 * gateway's and the PSP's references, timestamps and the audit trail, which hold no buyer data.
 *
 * A payment still open (processing, waiting for the buyer, unknown) keeps what finishing it needs; the
 * redaction lists it as deferred in its audit entry, and a later redaction removes the rest.
 * @module
 */
import { redactCallbackCardsWithin } from "../store/sql_outbox_store.ts";
import type { SqlExecutor } from "../store/sql_client.ts";

/** The buyer data fields a payment may hold, by column. */
const PERSONAL_COLUMNS = ["genstore_return_url", "return_params", "redirect", "resume", "card", "store_card"];
const OPEN_STATES = ["processing", "requires_action", "unknown"];

export interface RedactionReport {
  readonly payments: number;
  readonly cardTokens: number;
  readonly callbacks: number;
  /** Open payments whose data waits for them to finish. */
  readonly deferred: readonly string[];
}

/** Redacts the named payments of a shop, or all of its payments when `paymentIds` is undefined. */
export async function redactBuyerData(
  tx: SqlExecutor,
  shop: string,
  paymentIds: readonly string[] | undefined,
): Promise<RedactionReport> {
  const ids = paymentIds === undefined ? null : [...paymentIds];
  const payments = await tx.query(
    `UPDATE payments SET ${PERSONAL_COLUMNS.map((column) => `${column} = NULL`).join(", ")}
     WHERE shop = $1 AND ($2::text[] IS NULL OR payment_id = ANY($2::text[]))
       AND state <> ALL($3::text[])
       AND (${PERSONAL_COLUMNS.map((column) => `${column} IS NOT NULL`).join(" OR ")})
     RETURNING payment_id`,
    [shop, ids, OPEN_STATES],
  );
  const deferred = await tx.query<{ payment_id: string }>(
    `SELECT payment_id FROM payments WHERE shop = $1 AND ($2::text[] IS NULL OR payment_id = ANY($2::text[]))
       AND state = ANY($3::text[]) ORDER BY payment_id LIMIT 1000`,
    [shop, ids, OPEN_STATES],
  );
  // A token of a redacted card can no longer be charged through the gateway (card_token_not_found).
  const tokens = await tx.query(
    `DELETE FROM card_tokens WHERE shop = $1 AND ($2::text[] IS NULL OR payment_id = ANY($2::text[]))
     RETURNING token`,
    [shop, ids],
  );
  const callbacks = await redactCallbackCardsWithin(tx, shop, paymentIds);
  return {
    payments: payments.length,
    cardTokens: tokens.length,
    callbacks,
    deferred: deferred.map((row) => String(row.payment_id)),
  };
}

/** What a data request finds: per named payment, which kinds of buyer data the gateway holds for it. */
export async function buyerDataHeld(
  tx: SqlExecutor,
  shop: string,
  paymentIds: readonly string[],
): Promise<{ readonly paymentId: string; readonly holds: readonly string[] }[]> {
  if (paymentIds.length === 0) return [];
  const rows = await tx.query(
    `SELECT p.payment_id, ${
      PERSONAL_COLUMNS.map((column) => `p.${column} IS NOT NULL AS ${column}`).join(", ")
    },
       EXISTS (SELECT 1 FROM card_tokens t WHERE t.shop = p.shop AND t.payment_id = p.payment_id) AS card_token
     FROM payments p WHERE p.shop = $1 AND p.payment_id = ANY($2::text[]) ORDER BY p.payment_id`,
    [shop, [...paymentIds]],
  );
  return rows.map((row) => ({
    paymentId: String(row.payment_id),
    holds: [...PERSONAL_COLUMNS, "card_token"].filter((column) => row[column] === true),
  }));
}
