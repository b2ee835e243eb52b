/**
 * Dev mode plays Genstore for the whole onboarding (contract section 9): its own state (shops, codes,
 * tokens), the merchant admin with its signed launches and webhooks, the OAuth consent page and token
 * endpoint, and the callback inbox that accepts only the tokens it issued.
 * @module
 */
import type { Hono } from "hono";
import type { GatewayConfig } from "../config/config.ts";
import { DEMO } from "../server/seed.ts";
import { refuseCrossSitePosts } from "../onboarding/cross_site.ts";
import { pageHeaders } from "../web/security.ts";
import { ADMIN_PATH, mountDevAdmin } from "./genstore_admin.tsx";
import { createGenstoreInbox, type GenstoreInbox, INBOX_PREFIX } from "./genstore_inbox.ts";
import { mountDevOAuth } from "./genstore_oauth.tsx";
import { createDevGenstoreState, type DevGenstoreState } from "./genstore_state.ts";

export interface DevGenstoreOptions {
  readonly gatewayUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly shopDomain: string;
  readonly extensions: readonly string[];
  /** Shops Genstore has from the start, installed with this token (dev mode: demo, dev-token). */
  readonly seed: readonly { readonly handle: string; readonly token: string }[];
  /** Its state file; absent, memory only. */
  readonly statePath?: string;
}

export interface DevGenstore {
  readonly inbox: GenstoreInbox;
  readonly state: DevGenstoreState;
  /** The admin page's path. */
  readonly adminPath: string;
  mount(app: Hono): void;
}

export function createDevGenstore(options: DevGenstoreOptions): DevGenstore {
  const state = createDevGenstoreState(options.seed, options.statePath);
  const inbox = createGenstoreInbox(options.gatewayUrl, (shop, token) => state.tokenValid(shop, token));
  return {
    inbox,
    state,
    adminPath: ADMIN_PATH,
    mount(app) {
      for (const path of [ADMIN_PATH, `${ADMIN_PATH}/*`, `${INBOX_PREFIX}/:shop/admin/*`]) {
        app.use(path, pageHeaders());
        app.use(path, refuseCrossSitePosts(options.gatewayUrl));
      }
      inbox.mount(app);
      mountDevOAuth(app, { ...options, state, adminPath: ADMIN_PATH });
      mountDevAdmin(app, { ...options, state, inbox });
    },
  };
}

/** The dev Genstore of a dev-mode gateway: demo installed with dev-token, its state beside the database. */
export function devGenstoreFor(
  config: GatewayConfig,
  gatewayUrl: string,
  extensions: readonly string[],
  memory = false,
): DevGenstore {
  return createDevGenstore({
    gatewayUrl,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    shopDomain: config.shopDomain,
    extensions,
    seed: [{ handle: DEMO.shop, token: DEMO.accessToken }],
    statePath: memory ? undefined : `${config.dataDir}/dev-genstore.json`,
  });
}
