/**
 * A payment search as an operator types it (query parameters of `/admin/payments`, the console's search form,
 * `deno task ops payments`), checked before it reaches the database: empty fields are left out, every other
 * field must be what it names, and a refusal says which field and why.
 * @module
 */
import { z } from "zod";
import { decodeCursor, MAX_PAGE_SIZE } from "../store/sql_payment_story.ts";
import { EXTENSION_NAME, SHOP_HANDLE } from "./operations.ts";
import { PAYMENT_STATES, type PaymentSearch } from "./payment_story.ts";

/** An empty form field means "any". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    schema.optional(),
  );

/** A date (2026-12-02, from midnight UTC) or an instant in ISO 8601. */
const instant = z.string().trim().refine(
  (text) =>
    /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) && Number.isFinite(Date.parse(text)),
  "a date (2026-12-02) or an ISO 8601 instant",
).transform((text) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text).toISOString());

export const PAYMENT_SEARCH = z.object({
  shop: optional(z.string().trim().regex(SHOP_HANDLE, "a shop handle: lower-case letters, digits, hyphens")),
  paymentId: optional(z.string().trim().min(1).max(128)),
  pspReference: optional(z.string().trim().min(1).max(128)),
  state: optional(z.enum(PAYMENT_STATES, { error: `one of ${PAYMENT_STATES.join(", ")}` })),
  method: optional(z.string().trim().regex(EXTENSION_NAME, "an extension name such as card, wallet, bank")),
  from: optional(instant),
  to: optional(instant),
  after: optional(
    z.string().max(1000).refine((text) => decodeCursor(text) !== undefined, "not a page cursor"),
  ),
  limit: optional(z.coerce.number().int().min(1).max(MAX_PAGE_SIZE)),
});

export type SearchCheck =
  | { readonly ok: true; readonly search: PaymentSearch }
  | { readonly ok: false; readonly issues: readonly { readonly path: string; readonly message: string }[] };

/** Checks query or form fields (strings) into a search. */
export function readPaymentSearch(fields: Readonly<Record<string, unknown>>): SearchCheck {
  const parsed = PAYMENT_SEARCH.safeParse(fields);
  if (parsed.success) {
    const search = Object.fromEntries(Object.entries(parsed.data).filter(([, value]) => value !== undefined));
    return { ok: true, search: search as PaymentSearch };
  }
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
  };
}
