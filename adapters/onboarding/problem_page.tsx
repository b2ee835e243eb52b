/**
 * The page a refused onboarding step answers with: what happened, and what to do next. It never says more
 * about a forgery than that the check failed.
 * @module
 */
import type { Context } from "hono";
import { Notice, Page } from "../web/page.tsx";

export interface Problem {
  readonly title: string;
  /** What happened, in one or two sentences. */
  readonly happened: string;
  /** What the merchant should do now. */
  readonly next: string;
}

export type ProblemStatus = 400 | 401 | 403 | 404 | 413 | 502;

export function problemPage(
  c: Context,
  status: ProblemStatus,
  problem: Problem,
): Response | Promise<Response> {
  return c.html(
    <Page title={problem.title} brand="Genstore payment gateway: onboarding">
      <Notice tone="bad">{problem.happened}</Notice>
      <p>
        <strong>What to do:</strong> {problem.next}
      </p>
      <p class="muted">Nothing was stored.</p>
    </Page>,
    status,
  );
}

/** Where a merchant starts again: every launch comes from Genstore's admin. */
export const START_AGAIN = "Open the app again from your Genstore admin (Settings, Payments).";
