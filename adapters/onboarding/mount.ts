/**
 * Mounts merchant onboarding (contract section 9): install and OAuth callback, the account-authorization
 * pages of every extension, and Genstore's webhooks. Pages carry the web kit's strict headers; every form
 * POST is refused unless it comes from this gateway's own pages.
 * @module
 */
import type { Hono } from "hono";
import type { GatewayDeps } from "../../src/mod.ts";
import type { GatewayConfig } from "../config/config.ts";
import { loadPluginConfig } from "../plugins/plugin_config.ts";
import type { SqlClient } from "../store/sql_client.ts";
import type { ShopStore } from "../store/sql_shop_store.ts";
import { sandboxAccountReader } from "./sandbox_account.ts";
import { ONBOARDING_ROUTES } from "../genstore/onboarding_wire.ts";
import { pageHeaders } from "../web/security.ts";
import { refuseCrossSitePosts } from "./cross_site.ts";
import { loadExtensions, registerAuthorizeRoutes } from "./authorize_routes.tsx";
import type { Prepared } from "./sessions.ts";
import { type OnboardingDeps, publicOrigin } from "./deps.ts";
import { registerInstallRoutes } from "./install_routes.ts";
import { onboardingSessions } from "./sessions.ts";
import { registerWebhookRoutes } from "./webhook_routes.ts";

export type { OnboardingDeps, SandboxAccount } from "./deps.ts";

export interface Onboarding {
  /** Registers the routes (synchronously, as createApp's `mount` wants). */
  mount(app: Hono): void;
}

/**
 * Mounts the routes at once; what they need (the cookie keys, the plugins' credential forms, read from their
 * workers) is prepared meanwhile, so the gateway's start waits for none of it.
 */
export function createOnboarding(deps: OnboardingDeps): Onboarding {
  const prepared: Promise<Prepared> = (async () => ({
    sessions: await onboardingSessions(deps),
    extensions: await loadExtensions(deps),
  }))();
  prepared.catch((error) =>
    deps.gateway.logger.error("onboarding.not_ready", {
      error: error instanceof Error ? error.name : "unknown",
    })
  );
  return {
    mount(app) {
      const headers = pageHeaders();
      const sameOrigin = refuseCrossSitePosts(publicOrigin(deps).appUrl);
      for (const path of [ONBOARDING_ROUTES.install, ONBOARDING_ROUTES.oauthCallback]) app.use(path, headers);
      for (const path of ["/v1/ext/:extension/authorize", "/v1/ext/:extension/authorize/disconnect"]) {
        app.use(path, headers);
        app.use(path, sameOrigin);
      }
      registerInstallRoutes(app, deps, prepared);
      registerAuthorizeRoutes(app, deps, prepared);
      registerWebhookRoutes(app, deps);
    },
  };
}

/** Onboarding as the composition root builds it from the configuration (dev mode prefills the sandbox). */
export async function onboardingFor(config: GatewayConfig, parts: {
  readonly gateway: GatewayDeps;
  readonly db: SqlClient;
  readonly shops: ShopStore;
  /** GENSTORE_API_BASE, or in dev mode the dev Genstore's. */
  readonly apiBase: string;
  readonly nudge?: () => void;
  /** Dev mode: the bundled sandbox's accounts by extension (sandbox.json), which test-mode forms are prefilled with. */
  readonly sandboxAccounts?: ReadonlyMap<string, { readonly credentials: Readonly<Record<string, string>> }>;
}): Promise<Onboarding> {
  return createOnboarding({
    gateway: parts.gateway,
    db: parts.db,
    shops: parts.shops,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    apiBase: parts.apiBase,
    scopes: config.genstoreScopes,
    shopDomain: config.shopDomain,
    extensionPlugins: (await loadPluginConfig()).extensions,
    masterKey: config.masterKey,
    sandboxAccount: config.mode === "dev" && parts.sandboxAccounts !== undefined
      ? sandboxAccountReader(parts.sandboxAccounts)
      : undefined,
    onCallbackQueued: parts.nudge,
  });
}
