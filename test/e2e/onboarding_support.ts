/**
 * Helpers of the onboarding tests: a dev-mode gateway whose callbacks go to the built-in dev Genstore (its
 * OAuth stand-in issues the tokens the inbox accepts), signed launches, and a small cookie-keeping HTTP
 * client that behaves like a browser (manual redirects, Origin on POSTs).
 * @module
 */
import { signBody, signQuery } from "../../adapters/genstore/signature.ts";
import { CLIENT_SECRET, type Harness, type HarnessOptions, startHarness } from "../support/harness.ts";

export const DOMAIN = "genmystore.com";

/** A dev-mode gateway on the store under test, with the dev Genstore as GENSTORE_API_BASE. */
export function startOnboardingHarness(options: HarnessOptions = {}): Promise<Harness> {
  return startHarness({ ...options, env: { GENSTORE_API_BASE: "", ...options.env } });
}

/** A signed launch URL of `path` for `shop`, as Genstore builds it; `at` is the timestamp (unix seconds). */
export async function launch(
  gatewayUrl: string,
  path: string,
  shop: string,
  options: { at?: number; secret?: string; extra?: Record<string, string> } = {},
): Promise<string> {
  const query = await signQuery(options.secret ?? CLIENT_SECRET, {
    shop: `${shop}.${DOMAIN}`,
    shopId: "4711",
    timestamp: String(options.at ?? Math.floor(Date.now() / 1000)),
    ...options.extra,
  });
  return `${gatewayUrl}${path}?${query}`;
}

export interface Answer {
  readonly status: number;
  readonly location: string | null;
  readonly text: string;
  readonly headers: Headers;
}

/** An HTTP client with a cookie jar, like one browser: redirects are returned, not followed. */
export function browserClient(origin: string) {
  const cookies = new Map<string, string>();
  function remember(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const equals = pair.indexOf("=");
      const name = pair.slice(0, equals).trim();
      const value = pair.slice(equals + 1).trim();
      const expired = attributes.some((a) =>
        /max-age=0/i.test(a.trim()) || /expires=thu, 01 jan 1970/i.test(a)
      );
      if (value === "" || expired) cookies.delete(name);
      else cookies.set(name, value);
    }
  }
  async function send(url: string, init: RequestInit = {}): Promise<Answer> {
    const headers = new Headers(init.headers);
    if (cookies.size > 0) {
      headers.set("cookie", [...cookies].map(([name, value]) => `${name}=${value}`).join("; "));
    }
    const absolute = url.startsWith("http") ? url : `${origin}${url}`;
    const response = await fetch(absolute, { ...init, headers, redirect: "manual" });
    remember(response);
    return {
      status: response.status,
      location: response.headers.get("location"),
      text: await response.text(),
      headers: response.headers,
    };
  }
  return {
    cookies,
    get: (url: string) => send(url),
    /** A form POST from this gateway's own page (Origin set), unless `origin` says otherwise. */
    post(url: string, form: Record<string, string>, options: { origin?: string | null } = {}) {
      const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
      const from = options.origin === undefined ? origin : options.origin;
      if (from !== null) headers.origin = from;
      return send(url, { method: "POST", headers, body: new URLSearchParams(form).toString() });
    },
    /** Follows redirects within `limit` hops, returning the last answer. */
    async follow(answer: Answer, limit = 8): Promise<Answer> {
      let current = answer;
      for (
        let hop = 0;
        hop < limit && current.location !== null && current.status >= 300 && current.status < 400;
        hop++
      ) {
        current = await send(new URL(current.location, origin).toString());
      }
      return current;
    },
  };
}

export type BrowserClient = ReturnType<typeof browserClient>;

/** The value of a hidden input in a page (`csrf`). */
export function hiddenValue(html: string, name: string): string | undefined {
  return new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(html)?.[1];
}

/** Creates a shop in the dev Genstore and installs the app on it through consent; ends on the authorize page. */
export async function installShop(h: Harness, browser: BrowserClient, shop: string): Promise<Answer> {
  const created = await browser.post("/_dev/genstore/admin/shops", { handle: shop });
  if (created.status !== 303) throw new Error(`Cannot create shop ${shop}: ${created.status}`);
  const consent = await browser.follow(await browser.get(await launch(h.gateway.url, "/install", shop)));
  if (consent.status !== 200) {
    throw new Error(`No consent page: ${consent.status} ${consent.text.slice(0, 200)}`);
  }
  const fields = Object.fromEntries(
    [...consent.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((
      m,
    ) => [m[1], m[2]]),
  );
  const action = /<form method="post" action="([^"]+)"/.exec(consent.text)![1];
  const approved = await browser.post(action, { ...unescape(fields), decision: "approve" });
  return await browser.follow(approved);
}

function unescape(fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [k, v.replaceAll("&amp;", "&").replaceAll("&quot;", '"')]),
  );
}

/** A signed webhook delivery to the gateway. */
export async function sendWebhook(
  gatewayUrl: string,
  topic: string,
  shop: string,
  body: Record<string, unknown>,
  options: { secret?: string; id?: string; signature?: string | null } = {},
): Promise<{ status: number; body: unknown }> {
  const raw = new TextEncoder().encode(JSON.stringify(body));
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-genstore-topic": topic,
    "x-genstore-shop-domain": `${shop}.${DOMAIN}`,
  };
  const signature = options.signature === undefined
    ? await signBody(options.secret ?? CLIENT_SECRET, raw)
    : options.signature;
  if (signature !== null) headers["x-genstore-hmac-sha256"] = signature;
  if (options.id !== undefined) headers["x-genstore-webhook-id"] = options.id;
  const response = await fetch(`${gatewayUrl}/webhooks/genstore`, { method: "POST", headers, body: raw });
  return { status: response.status, body: await response.json().catch(() => undefined) };
}
