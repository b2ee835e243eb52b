/**
 * The headers every gateway page carries (Hono's secure-headers) and the cross-site check of every form POST
 * (Hono's csrf: Origin / Sec-Fetch-Site), in front of the per-session CSRF token of session.ts.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { csrf } from "hono/csrf";
import { secureHeaders } from "hono/secure-headers";

export interface PageSecurityOptions {
  /** Where forms may post besides this gateway (a PSP's 3-D Secure page that needs a POST). */
  readonly formTargets?: readonly string[];
  /** False for pages that need no script at all: `script-src 'none'` instead of the gateway's /assets. */
  readonly scripts?: boolean;
}

/**
 * Strict Content-Security-Policy: nothing inline, scripts and styles only from this gateway's /assets, no
 * frames, no plugins; plus the usual hardening headers.
 */
export function pageHeaders(options: PageSecurityOptions = {}): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: [options.scripts === false ? "'none'" : "'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", "data:"],
      connectSrc: ["'self'"],
      formAction: ["'self'", ...(options.formTargets ?? [])],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
    crossOriginResourcePolicy: "same-origin",
    referrerPolicy: "no-referrer",
    xFrameOptions: "DENY",
  });
}

/** Refuses a state-changing request another site's page sent (a cross-origin form post), before any work. */
export function sameOriginPosts(origin: string): MiddlewareHandler {
  return csrf({ origin: new URL(origin).origin });
}
