/**
 * Hono's csrf middleware refuses a cross-site form POST by throwing a 403 HTTPException, which the gateway's
 * last-resort error handler would answer as a 500: here it becomes the 403 page it is.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { sameOriginPosts } from "../web/security.ts";
import { problemPage } from "./problem_page.tsx";

export function refuseCrossSitePosts(origin: string): MiddlewareHandler {
  const check = sameOriginPosts(origin);
  return async function crossSite(c, next) {
    let passed = false;
    try {
      await check(c, () => {
        passed = true;
        return Promise.resolve();
      });
    } catch (error) {
      if (!(error instanceof HTTPException) || error.status !== 403) throw error;
    }
    if (!passed) {
      return problemPage(c, 403, {
        title: "The form was not accepted",
        happened: "The form was sent from another site than this gateway's own pages.",
        next: "Open the page again and submit its form from there.",
      });
    }
    await next();
  };
}
