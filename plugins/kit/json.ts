/**
 * Reading PSP bodies and texts safely.
 * @module
 */

export type Json = Record<string, unknown>;

/** The body as a JSON object, or undefined for anything else (empty, HTML, truncated, null, an array). */
export function parseObject(text: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A string field of an object, or undefined. */
export function stringField(body: Json | undefined, name: string): string | undefined {
  const value = body?.[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * Text from a PSP made safe to log, store and show: control characters become spaces, digit runs that could be
 * a card number are removed, and the length is bounded.
 */
export function safeText(text: string, maxLength = 160): string {
  const printable = Array.from(text, (char) => char.charCodeAt(0) < 0x20 ? " " : char).join("");
  const scrubbed = printable.replace(/\d[\d\s-]{6,}\d/g, "[redacted]").trim();
  return scrubbed.length > maxLength ? `${scrubbed.slice(0, maxLength)}…` : scrubbed;
}
