import type { Context } from "hono";

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]);
}

/**
 * A small server-rendered page with a strict Content-Security-Policy: no scripts, styles only inline in
 * the head, forms only to http(s) targets.
 */
export function htmlPage(c: Context, title: string, body: string, status: 200 | 404 | 400 = 200): Response {
  c.header(
    "Content-Security-Policy",
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self' http: https:; " +
      "frame-ancestors 'none'; base-uri 'none'",
  );
  c.header("X-Frame-Options", "DENY");
  return c.html(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" ` +
      `content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>` +
      `body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1c2430}` +
      `table{border-collapse:collapse}td,th{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:left}` +
      `button{padding:.4rem .9rem;margin:.2rem}input,select{padding:.3rem;margin:.2rem}code{background:#f3f4f6}` +
      `</style></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
    status,
  );
}
