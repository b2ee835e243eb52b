/**
 * The emulator's REST apps and PayPal's OAuth2: an app (client ID and secret) obtains bearer tokens at
 * POST /v1/oauth2/token with HTTP Basic auth and `grant_type=client_credentials`; every other API call carries
 * `Authorization: Bearer <token>`. Apps are configuration (options or sandbox.json), tokens live in memory
 * only: after a restart every token is unknown, PayPal's 401 follows, and clients fetch a new one, as they must
 * when PayPal revokes a token.
 * @module
 */
import { jsonAnswer, readForm } from "../../kit/emulator/mod.ts";
import { accessToken } from "./ids.ts";

export interface PayPalEmulatorApp {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The app's webhook: its id, and where its events are delivered (none are without a URL). */
  readonly webhookId: string;
  readonly webhookUrl?: string;
}

interface IssuedToken {
  readonly clientId: string;
  readonly expiresAt: number;
}

export interface AppBook {
  /** The app a request's bearer token belongs to, or undefined (missing, unknown or expired token). */
  caller(request: Request): PayPalEmulatorApp | undefined;
  /** POST /v1/oauth2/token. */
  issueToken(request: Request): Promise<Response>;
  /** The app owning a webhook id. */
  byWebhookId(webhookId: string): PayPalEmulatorApp | undefined;
  byClientId(clientId: string): PayPalEmulatorApp | undefined;
  /** Tests: every token issued so far stops working at once. */
  expireTokens(): void;
  /** How many tokens were issued (tests of the plugin's token cache). */
  tokensIssued(): number;
}

/** What PayPal's token endpoint says to credentials it does not accept. */
const INVALID_CLIENT = { error: "invalid_client", error_description: "Client Authentication failed" };

export function createAppBook(
  apps: readonly PayPalEmulatorApp[],
  options: { readonly tokenLifetimeSeconds: number; readonly now: () => number },
): AppBook {
  for (const app of apps) {
    if (app.clientId === "" || app.clientSecret === "" || !/^[A-Za-z0-9]{1,50}$/.test(app.webhookId)) {
      throw new Error(`Cannot add a PayPal emulator app without a client ID, a secret and a webhook ID`);
    }
    if (app.webhookUrl !== undefined) new URL(app.webhookUrl);
  }
  const tokens = new Map<string, IssuedToken>();
  let issued = 0;

  function basicCredentials(request: Request): PayPalEmulatorApp | undefined {
    const header = request.headers.get("authorization") ?? "";
    const match = header.match(/^Basic\s+([A-Za-z0-9+/=]+)$/i);
    if (match === null) return undefined;
    let decoded: string;
    try {
      decoded = atob(match[1]);
    } catch {
      return undefined;
    }
    const colon = decoded.indexOf(":");
    const [clientId, secret] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    return apps.find((app) => colon > 0 && app.clientId === clientId && app.clientSecret === secret);
  }

  return {
    caller(request) {
      const match = (request.headers.get("authorization") ?? "").match(/^Bearer\s+(\S+)$/i);
      const token = match === null ? undefined : tokens.get(match[1]);
      if (token === undefined || token.expiresAt <= options.now()) return undefined;
      return apps.find((app) => app.clientId === token.clientId);
    },
    async issueToken(request) {
      const app = basicCredentials(request);
      const form = await readForm(request, { maxBytes: 4096 });
      if (app === undefined) return jsonAnswer(401, INVALID_CLIENT);
      if (!form.ok || form.value.get("grant_type") !== "client_credentials") {
        return jsonAnswer(400, { error: "unsupported_grant_type", error_description: "Grant Type is NULL" });
      }
      const token = accessToken();
      tokens.set(token, {
        clientId: app.clientId,
        expiresAt: options.now() + options.tokenLifetimeSeconds * 1000,
      });
      issued++;
      return jsonAnswer(200, {
        scope:
          "https://uri.paypal.com/services/payments/payment https://uri.paypal.com/services/applications/webhooks",
        access_token: token,
        token_type: "Bearer",
        app_id: `APP-${app.clientId.slice(0, 12).toUpperCase()}`,
        expires_in: options.tokenLifetimeSeconds,
        nonce: `${new Date(options.now()).toISOString()}${crypto.randomUUID()}`,
      });
    },
    byWebhookId: (webhookId) => apps.find((app) => app.webhookId === webhookId),
    byClientId: (clientId) => apps.find((app) => app.clientId === clientId),
    expireTokens() {
      tokens.clear();
    },
    tokensIssued: () => issued,
  };
}
