/**
 * The buyer-facing pages of an emulator (3-D Secure challenge, wallet approval, bank checkout), as contract
 * section 7 wants them: a plain HTML form that POSTs `action=...` to its own URL, answered with a 303 onward
 * (ending at the payment's return URL), so a script drives it without a browser and a person with one.
 * Rendered with `hono/html`, which escapes every interpolated value; a strict CSP allows no script at all.
 * @module
 */
import { html, raw } from "hono/html";
import { readForm } from "./http.ts";

export interface PageAction<A extends string> {
  readonly action: A;
  readonly label: string;
}

export interface HostedPageView<A extends string> {
  /** The document title, also the page's heading. */
  readonly title: string;
  /** Sentences shown above the form, in order. */
  readonly paragraphs: readonly string[];
  /** Label and value pairs shown as a list (amount, merchant, reference). */
  readonly details?: readonly (readonly [string, string])[];
  /** The buttons, in order: each POSTs `action=<action>` to the page's own URL. */
  readonly actions: readonly PageAction<A>[];
  /** Where the answer to the form may send the buyer (browsers apply CSP form-action to that redirect too). */
  readonly onwardUrls?: readonly string[];
}

const STYLE =
  "body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:32rem;padding:1rem;color:#111}" +
  "h1{font-size:1.4rem}dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem}dt{font-weight:600}" +
  "dd{margin:0;overflow-wrap:anywhere}form{display:flex;flex-direction:column;gap:.75rem;margin-top:1.5rem}" +
  "button{font:inherit;padding:.8rem;border-radius:.4rem;border:1px solid #555;background:#f4f4f4}" +
  "button:first-child{background:#0b5;color:#fff;border-color:#094}";

let styleHash: Promise<string> | undefined;

/** The CSP hash of the page's only stylesheet: nothing else may style, script, frame or load anything. */
function styleSource(): Promise<string> {
  styleHash ??= crypto.subtle.digest("SHA-256", new TextEncoder().encode(STYLE)).then((digest) =>
    `'sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}'`
  );
  return styleHash;
}

async function pageHeaders(onwardUrls: readonly string[]): Promise<Headers> {
  const onward = [...new Set(onwardUrls.map((url) => new URL(url).origin))];
  return new Headers({
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": [
      "default-src 'none'",
      `style-src ${await styleSource()}`,
      `form-action 'self'${onward.map((origin) => ` ${origin}`).join("")}`,
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join("; "),
    "x-content-type-options": "nosniff",
    // The page's URL names a payment; the shop need not learn it from a Referer.
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
  });
}

async function document(title: string, body: unknown): Promise<string> {
  return String(
    await html`
      <!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>${title}</title>
          <style>${raw(STYLE)}</style>
        </head>
        <body>
      ${body}
        </body>
      </html>
    `,
  );
}

/** The page with its form: 200, HTML, strict CSP. The form has no action: it posts to the page's own URL. */
export async function hostedPage<A extends string>(view: HostedPageView<A>, status = 200): Promise<Response> {
  const details = view.details === undefined || view.details.length === 0
    ? ""
    : html`<dl>${
      view.details.map(([label, value]) =>
        html`
          <dt>${label}</dt>
          <dd>${value}</dd>
        `
      )
    }</dl>`;
  const body = html`<h1>${view.title}</h1>
${view.paragraphs.map((paragraph) => html`<p>${paragraph}</p>`)}
${details}
<form method="post">
${view.actions.map((a) => html`<button type="submit" name="action" value="${a.action}">${a.label}</button>`)}
</form>`;
  return new Response(await document(view.title, body), {
    status,
    headers: await pageHeaders(view.onwardUrls ?? []),
  });
}

/** A page without a form (an unknown page, a bad request). */
export async function messagePage(title: string, message: string, status: number): Promise<Response> {
  const body = html`<h1>${title}</h1>
<p>${message}</p>`;
  return new Response(await document(title, body), { status, headers: await pageHeaders([]) });
}

/** The action a form POST carries, when it is one of `allowed`; undefined for anything else. */
export async function readPageAction<A extends string>(
  request: Request,
  allowed: readonly A[],
): Promise<A | undefined> {
  const form = await readForm(request, { maxBytes: 16_384 });
  if (!form.ok) return undefined;
  const action = form.value.get("action");
  return (allowed as readonly string[]).includes(action ?? "") ? action as A : undefined;
}

/** The answer to a page's form: 303 See Other, so the browser GETs the next page. */
export function seeOther(url: string): Response {
  return new Response(null, { status: 303, headers: { location: url, "cache-control": "no-store" } });
}
