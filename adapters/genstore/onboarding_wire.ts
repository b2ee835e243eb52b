/**
 * Genstore's onboarding wire names (contract section 9), beside wire.ts in the one mapping module: the
 * install launch, the OAuth authorization-code grant, the account-authorization launch, and the webhooks
 * with their bodies. None of these names is confirmed by Genstore (genstore-protocol.md 7.1, 7.3, gaps 18, 20,
 * 21); they change here without touching anything else.
 * @module
 */
import { z } from "zod";
import { genstoreBase } from "./wire.ts";

/** Browser launches: `shop` is the shop's domain (`acme.genmystore.com`), `shopId` Genstore's id of it. */
export const LAUNCH_PARAMS = {
  shop: "shop",
  shopId: "shopId",
  timestamp: "timestamp",
  hmac: "hmac",
} as const;

/** The gateway's own routes that Genstore is configured with. */
export const ONBOARDING_ROUTES = {
  install: "/install",
  oauthCallback: "/oauth/callback",
  webhooks: "/webhooks/genstore",
  /** The account-authorization page of an extension (what Genstore opens when the merchant clicks Authorize). */
  authorize: (extension: string) => `/v1/ext/${extension}/authorize`,
  disconnect: (extension: string) => `/v1/ext/${extension}/authorize/disconnect`,
} as const;

/** Where Genstore asks the merchant to consent to the install (under the shop's GENSTORE_API_BASE). */
export const OAUTH_AUTHORIZE_PATH = "/admin/oauth2/authorize";
/** Where the app exchanges the authorization code for the shop's offline access token. */
export const OAUTH_TOKEN_PATH = "/oauth2/token";
export const AUTHORIZATION_CODE_GRANT = "authorization_code";

/** The consent URL the install redirects to. */
export function oauthAuthorizeUrl(apiBase: string, shop: string, request: {
  readonly clientId: string;
  readonly scope: string;
  readonly redirectUri: string;
  readonly state: string;
}): string {
  const query = new URLSearchParams({
    clientId: request.clientId,
    scope: request.scope,
    redirectUri: request.redirectUri,
    state: request.state,
  });
  return `${genstoreBase(apiBase, shop)}${OAUTH_AUTHORIZE_PATH}?${query}`;
}

/** The query Genstore sends the merchant back with after consent (besides `timestamp` and `hmac`). */
export const OAUTH_CALLBACK_PARAMS = { code: "code", shop: "shop", state: "state" } as const;

/** The body of the code exchange. */
export function tokenRequestBody(
  clientId: string,
  clientSecret: string,
  code: string,
): Record<string, string> {
  return { clientId, clientSecret, grantType: AUTHORIZATION_CODE_GRANT, code };
}

/** The code exchange's answer: an offline token (no expiry) and the scopes granted. */
export const TOKEN_ANSWER = z.looseObject({
  accessToken: z.string().min(1).max(4096),
  scope: z.string().max(4096).optional(),
});

/** Webhook headers (the signature and shop headers are the same as on every Genstore POST, wire.ts). */
export const TOPIC_HEADER = "x-genstore-topic";
/** Genstore's id of one delivery, when it sends one; otherwise a repeat is recognised by its body. */
export const WEBHOOK_ID_HEADER = "x-genstore-webhook-id";

export const WEBHOOK_TOPICS = {
  uninstalled: "app/uninstalled",
  dataRequest: "customers/data_request",
  customerRedact: "customers/redact",
  shopRedact: "shop/redact",
} as const;

const ids = z.array(z.union([z.string(), z.number()]).transform(String)).max(10_000).optional();
const customer = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String).optional(),
  email: z.string().max(320).optional(),
  phone: z.string().max(64).optional(),
}).optional();

/**
 * The GDPR bodies (Shopify's shape in Genstore's camelCase). Genstore names a customer's orders; the gateway
 * knows payments by Genstore's `paymentId`, so both lists name payments (an order id that is no paymentId
 * matches nothing).
 */
export const CUSTOMER_REQUEST = z.looseObject({
  customer,
  ordersRequested: ids,
  ordersToRedact: ids,
  paymentIds: ids,
  dataRequest: z.looseObject({ id: z.union([z.string(), z.number()]).transform(String).optional() })
    .optional(),
});
export type CustomerRequest = z.infer<typeof CUSTOMER_REQUEST>;

/** A webhook body as Genstore sends it (for the dev Genstore): the shop, and for customer topics whose data. */
export function webhookBody(
  topic: string,
  shop: { readonly shopId: string; readonly domain: string },
  customer?: { readonly id: string; readonly paymentIds: readonly string[] },
): Record<string, unknown> {
  const body: Record<string, unknown> = { shopId: shop.shopId, shopDomain: shop.domain };
  if (customer !== undefined && topic !== WEBHOOK_TOPICS.shopRedact && topic !== WEBHOOK_TOPICS.uninstalled) {
    body.customer = { id: customer.id };
    body[topic === WEBHOOK_TOPICS.dataRequest ? "ordersRequested" : "ordersToRedact"] = customer.paymentIds;
  }
  return body;
}

/** The payment ids a customer request names, whichever list carries them. */
export function namedPayments(body: CustomerRequest): string[] {
  return [
    ...new Set([...(body.ordersRequested ?? []), ...(body.ordersToRedact ?? []), ...(body.paymentIds ?? [])]),
  ];
}

/** The answer to every webhook delivery handled (and replayed as it was for a repeat). */
export function webhookAnswer(topic: string, handled: boolean): Record<string, unknown> {
  return handled ? { ok: true, topic } : { ok: true, topic, ignored: true };
}
