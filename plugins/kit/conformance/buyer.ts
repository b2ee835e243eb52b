/**
 * The buyer, played by the kit: on a 3-D Secure challenge or on an offsite PSP's hosted page, and back at the
 * gateway's return URL with what the browser brings.
 * @module
 */
import type { RedirectAction } from "../../../src/plugin_api.ts";
import { fail } from "./checks.ts";
import type { BuyerDecision } from "./target.ts";

const MAX_HOPS = 10;

/**
 * The buyer on an emulator page, as contract section 7 describes every one: the page (opened with a GET, or
 * by posting the redirect's form fields) is a plain HTML form that POSTs `action=approve|fail|cancel` to its
 * own URL and answers 303 onward until the payment's return URL. Returns the return URL's query parameters.
 */
export async function driveBuyerPage(
  redirect: RedirectAction,
  decision: BuyerDecision,
  returnUrl: string,
): Promise<Record<string, string>> {
  const page = await openPage(redirect, returnUrl);
  if (page.returned !== undefined) return page.returned;
  let url = page.url;
  let response = await fetch(url, {
    method: "POST",
    body: new URLSearchParams({ ...redirect.data, action: decision }),
    redirect: "manual",
  });
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    await response.body?.cancel();
    const location = response.headers.get("location");
    if (response.status < 300 || response.status > 399 || location === null) {
      return fail(`the page at ${safeUrl(url)} answered HTTP ${response.status}, not a redirect onward`);
    }
    const next = new URL(location, url);
    if (isReturn(next, returnUrl)) return Object.fromEntries(next.searchParams);
    url = next.href;
    response = await fetch(url, { redirect: "manual" });
  }
  return fail(`the page redirected more than ${MAX_HOPS} times without reaching the return URL`);
}

/** Opens the page the redirect names, following redirects, and checks that it is a page with a form. */
async function openPage(
  redirect: RedirectAction,
  returnUrl: string,
): Promise<{ url: string; returned?: Record<string, string> }> {
  let url = redirect.url;
  let response = redirect.method === "POST"
    ? await fetch(url, { method: "POST", body: new URLSearchParams(redirect.data ?? {}), redirect: "manual" })
    : await fetch(url, { redirect: "manual" });
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const location = response.headers.get("location");
    if (response.status < 300 || response.status > 399 || location === null) break;
    await response.body?.cancel();
    const next = new URL(location, url);
    if (isReturn(next, returnUrl)) return { url, returned: Object.fromEntries(next.searchParams) };
    url = next.href;
    response = await fetch(url, { redirect: "manual" });
  }
  const html = await response.text();
  if (response.status !== 200) {
    return fail(`the buyer's page at ${safeUrl(url)} answered HTTP ${response.status}`);
  }
  if (!/<form[\s>]/i.test(html)) {
    return fail(`the buyer's page at ${safeUrl(url)} has no form to approve, fail or cancel with`);
  }
  return { url };
}

function isReturn(url: URL, returnUrl: string): boolean {
  const expected = new URL(returnUrl);
  return url.origin === expected.origin && url.pathname === expected.pathname;
}

/** A URL without its query, for messages: query strings may carry tokens. */
function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return "(not a URL)";
  }
}
