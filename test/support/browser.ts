/**
 * A real headless browser for page tests: Debian's Chromium driven by playwright-core (never a downloaded
 * browser). Tests that need it are ignored, with the reason in their name, where /usr/bin/chromium is
 * missing; `.ci/run` installs it. With SCREENSHOTS=<dir> set (`deno task screenshots`), `screenshot()` also
 * writes the README's images there.
 * @module
 */
import { type Browser, chromium, type Page } from "playwright-core";

export const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

function chromiumPresent(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

/** Name and ignore flag of a browser test: where Chromium is missing, the name says so. */
export function needsBrowser(name: string): { readonly name: string; readonly ignore: boolean } {
  const ignore = !chromiumPresent();
  return {
    name: ignore ? `${name} [needs Debian's chromium at ${CHROMIUM}: apt-get install chromium]` : name,
    ignore,
  };
}

/** Flags for a headless Chromium on a machine with no network but loopback. */
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

export async function launchBrowser(): Promise<Browser> {
  return await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

/** A fresh page of `width` × 900 px in its own context (no shared cookies), closed afterwards. */
export async function withPage<T>(
  browser: Browser,
  fn: (page: Page) => Promise<T>,
  options: { readonly width?: number } = {},
): Promise<T> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  try {
    return await fn(page);
  } finally {
    await context.close();
  }
}

/** Writes a full-page PNG to $SCREENSHOTS/<name>.png when SCREENSHOTS is set. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = Deno.env.get("SCREENSHOTS");
  if (dir === undefined || dir === "") return;
  await Deno.mkdir(dir, { recursive: true });
  await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
}

/** Whether the page is wider than its viewport (a table or form that overflows a phone screen). */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  // Evaluated in the page, where `document` exists; passed as text so Deno's types need no DOM library.
  return await page.evaluate(
    "document.documentElement.scrollWidth > document.documentElement.clientWidth + 1",
  ) as boolean;
}

/** Messages the page's Content-Security-Policy refused (inline scripts or styles slipping in). */
export function collectCspViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}
