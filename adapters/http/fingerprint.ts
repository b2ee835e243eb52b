import { sha256Hex } from "../crypto/digest.ts";

/**
 * The fingerprint of a request body: SHA-256 over its canonical JSON (keys sorted, no whitespace), so a retry
 * that re-serialises the same object still matches, and any change of a value does not.
 */
export async function fingerprint(scope: string, body: unknown): Promise<string> {
  return await sha256Hex(`${scope}\n${canonicalJson(body)}`);
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
