/**
 * What the onboarding routes need from the composition root.
 * @module
 */
import type { GatewayDeps } from "../../src/mod.ts";
import type { SqlClient } from "../store/sql_client.ts";
import type { ShopStore } from "../store/sql_shop_store.ts";

/** A sandbox account's credentials for one extension (dev mode), as the test-mode form is prefilled with. */
export type SandboxAccount = (extension: string) => Readonly<Record<string, string>> | undefined;

export interface OnboardingDeps {
  readonly gateway: GatewayDeps;
  readonly db: SqlClient;
  readonly shops: ShopStore;
  /** GENSTORE_CLIENT_ID and GENSTORE_CLIENT_SECRET: the secret signs launches and webhooks. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** GENSTORE_API_BASE, `{shop}` standing for the shop handle. */
  readonly apiBase: string;
  /** GENSTORE_SCOPES, comma-separated. */
  readonly scopes: string;
  /** Shops are `{handle}.{shopDomain}`. */
  readonly shopDomain: string;
  /** Extension → plugin id (plugins.json), in order: the first is where an install lands. */
  readonly extensionPlugins: ReadonlyMap<string, string>;
  /** MASTER_KEY: the session cookies' key is derived from it. */
  readonly masterKey: string;
  /** Dev mode: the bundled sandbox's account per extension, prefilled in the test-mode form. */
  readonly sandboxAccount?: SandboxAccount;
  /** Wakes the outbox worker after an account-authorization result was queued. */
  readonly onCallbackQueued?: () => void;
  /** The token exchange's transport (tests may point it elsewhere); default fetch. */
  readonly fetch?: typeof fetch;
}

/** The gateway's public origin and whether its cookies must be Secure. */
export function publicOrigin(deps: OnboardingDeps): { readonly appUrl: string; readonly secure: boolean } {
  const appUrl = deps.gateway.settings.appUrl.replace(/\/+$/, "");
  return { appUrl, secure: appUrl.startsWith("https://") };
}
