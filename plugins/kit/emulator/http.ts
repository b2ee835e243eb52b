/**
 * HTTP helpers every emulator needs: JSON answers with the PSP's headers, and request bodies read with a size
 * limit (an emulator is a server on the developer's machine; an endless body must not exhaust it).
 * @module
 */

export type Json = Record<string, unknown>;

export type BodyProblem = "too_large" | "unreadable" | "not_json" | "not_object";

export type BodyResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: BodyProblem };

export interface BodyLimits {
  /** The largest body accepted, in bytes (default 1 MiB). */
  readonly maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 1_048_576;

/** A JSON answer: `content-type: application/json` plus the PSP's own headers. */
export function jsonAnswer(
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** The body as text, read up to the limit; a longer body is refused without reading the rest. */
export async function readText(request: Request, limits: BodyLimits = {}): Promise<BodyResult<string>> {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) return { ok: false, problem: "too_large" };
  if (request.body === null) return { ok: true, value: "" };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.length;
      if (length > maxBytes) {
        await reader.cancel().catch(() => {});
        return { ok: false, problem: "too_large" };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, problem: "unreadable" };
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return { ok: true, value: new TextDecoder().decode(bytes) };
}

/** The body as a JSON object (not an array, not null). */
export async function readJsonObject(request: Request, limits: BodyLimits = {}): Promise<BodyResult<Json>> {
  const text = await readText(request, limits);
  if (!text.ok) return text;
  let value: unknown;
  try {
    value = JSON.parse(text.value);
  } catch {
    return { ok: false, problem: "not_json" };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, problem: "not_object" };
  }
  return { ok: true, value: value as Json };
}

/** An `application/x-www-form-urlencoded` body (a page's form, an OAuth2 token request). */
export async function readForm(
  request: Request,
  limits: BodyLimits = {},
): Promise<BodyResult<URLSearchParams>> {
  const text = await readText(request, limits);
  return text.ok ? { ok: true, value: new URLSearchParams(text.value) } : text;
}

/** A handler that serves `inner` under `prefix`: the prefix is stripped, other paths answer 404. */
export function underPrefix(
  prefix: string,
  inner: (request: Request) => Promise<Response> | Response,
): (request: Request) => Promise<Response> {
  const base = prefix.replace(/\/+$/, "");
  return async function prefixed(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) {
      return jsonAnswer(404, { error: "not_found" });
    }
    url.pathname = url.pathname.slice(base.length) || "/";
    // The copy follows the original's signal: a held connection still notices the client leaving.
    return await inner(new Request(url, request));
  };
}
