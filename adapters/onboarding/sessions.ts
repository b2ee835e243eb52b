/**
 * The onboarding's two signed cookies: the install's one-time OAuth state (10 minutes, SameSite=Lax so it
 * comes back on Genstore's redirect to the callback), and the account-authorization session of one shop and
 * extension (1 hour, its CSRF token on every POST). Both HttpOnly, and Secure when APP_URL is https.
 * @module
 */
import { deriveSessionSecret, type SessionJar, sessionJar } from "../web/session.ts";
import type { Extension } from "./authorize_routes.tsx";
import { type OnboardingDeps, publicOrigin } from "./deps.ts";

export type InstallSession = { readonly shop: string; readonly state: string };
export type AuthorizeSession = { readonly shop: string; readonly extension: string };

export const STATE_TTL_SECONDS = 600;
export const AUTHORIZE_TTL_SECONDS = 3_600;

export interface OnboardingSessions {
  readonly install: SessionJar<InstallSession>;
  /** One cookie per extension, so two extensions' pages open side by side do not overwrite each other. */
  authorize(extension: string): SessionJar<AuthorizeSession>;
}

/** What the routes need that takes a moment to prepare (derived keys, the plugins' credential forms). */
export interface Prepared {
  readonly sessions: OnboardingSessions;
  readonly extensions: ReadonlyMap<string, Extension>;
}

export async function onboardingSessions(deps: OnboardingDeps): Promise<OnboardingSessions> {
  // One key per purpose: a cookie of one kind can never pass for the other.
  const installSecret = await deriveSessionSecret(deps.masterKey, "onboarding-install");
  const authorizeSecret = await deriveSessionSecret(deps.masterKey, "onboarding-authorize");
  const { secure } = publicOrigin(deps);
  const now = () => deps.gateway.clock.now();
  const install = sessionJar<InstallSession>({
    name: "gw_install",
    secret: installSecret,
    maxAgeSeconds: STATE_TTL_SECONDS,
    // Lax: the callback is a top-level navigation coming from Genstore's site.
    sameSite: "Lax",
    secure,
    now,
  });
  const jars = new Map<string, SessionJar<AuthorizeSession>>();
  for (const extension of deps.extensionPlugins.keys()) {
    jars.set(
      extension,
      sessionJar<AuthorizeSession>({
        name: `gw_authorize_${extension}`,
        secret: authorizeSecret,
        maxAgeSeconds: AUTHORIZE_TTL_SECONDS,
        // Lax: the page is opened from Genstore's admin, another site; its POSTs are same-origin.
        sameSite: "Lax",
        secure,
        now,
      }),
    );
  }
  return {
    install,
    authorize(extension) {
      const jar = jars.get(extension);
      if (jar === undefined) throw new Error(`Unknown extension: ${extension}`);
      return jar;
    },
  };
}
