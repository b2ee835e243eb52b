/**
 * Reading an HTML form: bounded in size, every field a string, checked by a zod schema, with the errors
 * keyed by field name so a page can show each next to its input.
 * @module
 */
import type { Context } from "hono";
import type { z } from "zod";

/** Forms are small; anything larger is refused before it is parsed. */
export const MAX_FORM_BYTES = 16 * 1024;

export type FormRead<T> =
  | { readonly ok: true; readonly data: T; readonly raw: Readonly<Record<string, string>> }
  | {
    readonly ok: false;
    /** The form was not a readable form at all (too large, not urlencoded, repeated fields). */
    readonly malformed?: string;
    /** Messages per field name; `(form)` for the form as a whole. */
    readonly errors: Readonly<Record<string, string>>;
    readonly raw: Readonly<Record<string, string>>;
  };

export async function readForm<T>(c: Context, schema: z.ZodType<T>): Promise<FormRead<T>> {
  const length = Number(c.req.header("content-length") ?? "0");
  if (length > MAX_FORM_BYTES) return malformed("The form is too large");
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded")) return malformed("The form must be urlencoded");
  const text = await c.req.text();
  if (new TextEncoder().encode(text).length > MAX_FORM_BYTES) return malformed("The form is too large");
  const raw: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    if (Object.hasOwn(raw, key)) return malformed(`The field ${key.slice(0, 40)} is repeated`);
    raw[key] = value;
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, data: parsed.data, raw };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path.map(String).join(".") || "(form)";
    errors[field] ??= issue.message;
  }
  return { ok: false, errors, raw };
}

function malformed(message: string): FormRead<never> {
  return { ok: false, malformed: message, errors: { "(form)": message }, raw: {} };
}
