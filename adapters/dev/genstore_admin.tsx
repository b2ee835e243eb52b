/**
 * The dev Genstore's merchant admin (`/_dev/genstore/admin`): its shops, each with Install, Authorize and
 * Uninstall buttons that make Genstore's signed launches and webhooks against this gateway, a form to create
 * a shop, GDPR webhooks on demand, and the callbacks the inbox received. Every launch is signed when it is
 * made (its timestamp is fresh), with the client secret, as Genstore signs them.
 * @module
 */
import type { Hono } from "hono";
import {
  LAUNCH_PARAMS,
  ONBOARDING_ROUTES,
  TOPIC_HEADER,
  WEBHOOK_ID_HEADER,
  WEBHOOK_TOPICS,
  webhookBody,
} from "../genstore/onboarding_wire.ts";
import { signBody, signQuery } from "../genstore/signature.ts";
import { SHOP_DOMAIN_HEADER, SIGNATURE_HEADER } from "../genstore/wire.ts";
import { Notice, Page } from "../web/page.tsx";
import type { GenstoreInbox } from "./genstore_inbox.ts";
import {
  ADMIN_PATH,
  authorizations,
  GDPR_TOPICS,
  InboxTable,
  notice,
  ShopCard,
} from "./genstore_admin_page.tsx";
import { BRAND, PostButton } from "./genstore_oauth.tsx";

export { ADMIN_PATH };
import type { DevGenstoreState, DevShop } from "./genstore_state.ts";

export interface DevAdminOptions {
  readonly gatewayUrl: string;
  readonly clientSecret: string;
  readonly shopDomain: string;
  /** The gateway's payment extensions, as registered with Genstore. */
  readonly extensions: readonly string[];
  readonly state: DevGenstoreState;
  readonly inbox: GenstoreInbox;
}

/** A signed launch URL of the gateway, as Genstore builds it when the merchant clicks a button. */
async function launchUrl(options: DevAdminOptions, path: string, shop: DevShop): Promise<string> {
  const query = await signQuery(options.clientSecret, {
    [LAUNCH_PARAMS.shop]: `${shop.handle}.${options.shopDomain}`,
    [LAUNCH_PARAMS.shopId]: shop.shopId,
    [LAUNCH_PARAMS.timestamp]: String(Math.floor(Date.now() / 1000)),
  });
  return `${options.gatewayUrl}${path}?${query}`;
}

/** Sends a signed webhook to the gateway; returns its HTTP status (0 when it could not be sent). */
export async function sendWebhook(
  options: Pick<DevAdminOptions, "gatewayUrl" | "clientSecret" | "shopDomain">,
  shop: DevShop,
  topic: string,
  customer?: { readonly id: string; readonly paymentIds: readonly string[] },
): Promise<number> {
  const body = webhookBody(
    topic,
    { shopId: shop.shopId, domain: `${shop.handle}.${options.shopDomain}` },
    customer,
  );
  const raw = new TextEncoder().encode(JSON.stringify(body));
  try {
    const response = await fetch(`${options.gatewayUrl}${ONBOARDING_ROUTES.webhooks}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [TOPIC_HEADER]: topic,
        [SHOP_DOMAIN_HEADER]: `${shop.handle}.${options.shopDomain}`,
        [SIGNATURE_HEADER]: await signBody(options.clientSecret, raw),
        [WEBHOOK_ID_HEADER]: crypto.randomUUID(),
      },
      body: raw,
      signal: AbortSignal.timeout(5_000),
    });
    await response.body?.cancel();
    return response.status;
  } catch {
    return 0;
  }
}

export function mountDevAdmin(app: Hono, options: DevAdminOptions): void {
  app.get(ADMIN_PATH, (c) => {
    const received = options.inbox.received();
    const authorized = authorizations(received);
    const message = notice(c);
    return c.html(
      <Page
        title="Genstore admin"
        brand={BRAND}
        nav={[{ href: ADMIN_PATH, label: "Genstore admin", current: true }, {
          href: "/",
          label: "Demo shop",
        }]}
      >
        <p class="lead">
          This page plays Genstore's merchant admin for this gateway: create a shop, install the app
          (Genstore's consent page, then the app's own page), authorize a payment extension, uninstall. The
          callbacks the gateway sends arrive in the inbox below.
        </p>
        {message === undefined ? null : <Notice tone={message.tone}>{message.text}</Notice>}
        <form method="post" action={`${ADMIN_PATH}/shops`} class="stack" aria-label="Create a shop">
          <label for="new-shop">
            New shop <span class="help">Its handle, e.g. acme (the shop is acme.genmystore.com).</span>
            <input
              id="new-shop"
              name="handle"
              required
              autocomplete="off"
              pattern="[a-z0-9][a-z0-9\-]{0,62}"
            />
          </label>
          <div class="actions">
            <button type="submit">Create shop</button>
          </div>
        </form>
        <h2>Shops</h2>
        <div class="cards">
          {options.state.shops().map((shop) => (
            <ShopCard key={shop.handle} shop={shop} extensions={options.extensions} authorized={authorized} />
          ))}
        </div>
        <h2>Callbacks received</h2>
        <p class="muted">
          Newest first; card tokens are shortened. Each callback's access token was checked.
        </p>
        {options.inbox.down
          ? (
            <Notice tone="wait">
              Simulated outage: Genstore answers every callback 503, and the gateway retries.
            </Notice>
          )
          : null}
        <p class="actions">
          <PostButton
            action={`${ADMIN_PATH}/outage`}
            label={options.inbox.down ? "End the outage" : "Simulate a Genstore outage"}
            fields={{ down: options.inbox.down ? "no" : "yes" }}
            tone="secondary"
          />
        </p>
        <InboxTable received={received} />
      </Page>,
    );
  });

  app.post(`${ADMIN_PATH}/shops`, async (c) => {
    const handle = String((await c.req.parseBody()).handle ?? "").trim();
    const created = options.state.createShop(handle);
    if (created === "invalid") return c.redirect(`${ADMIN_PATH}?invalid=1`, 303);
    if (created === "exists") return c.redirect(`${ADMIN_PATH}?exists=${encodeURIComponent(handle)}`, 303);
    return c.redirect(`${ADMIN_PATH}?created=${encodeURIComponent(handle)}`, 303);
  });

  app.post(`${ADMIN_PATH}/launch`, async (c) => {
    const form = await c.req.parseBody();
    const shop = options.state.shop(String(form.shop ?? ""));
    if (shop === undefined) return c.redirect(ADMIN_PATH, 303);
    const extension = String(form.extension ?? "");
    const path = form.action === "authorize" && options.extensions.includes(extension)
      ? ONBOARDING_ROUTES.authorize(extension)
      : ONBOARDING_ROUTES.install;
    return c.redirect(await launchUrl(options, path, shop), 303);
  });

  app.post(`${ADMIN_PATH}/uninstall`, async (c) => {
    const shop = options.state.shop(String((await c.req.parseBody()).shop ?? ""));
    if (shop === undefined) return c.redirect(ADMIN_PATH, 303);
    // Genstore revokes the app's tokens, then tells the app.
    options.state.uninstall(shop.handle);
    const status = await sendWebhook(options, shop, WEBHOOK_TOPICS.uninstalled);
    return c.redirect(`${ADMIN_PATH}?uninstalled=${shop.handle}&answer=${status}`, 303);
  });

  app.post(`${ADMIN_PATH}/outage`, async (c) => {
    options.inbox.setOutage((await c.req.parseBody()).down === "yes");
    return c.redirect(ADMIN_PATH, 303);
  });

  app.post(`${ADMIN_PATH}/webhook`, async (c) => {
    const form = await c.req.parseBody();
    const shop = options.state.shop(String(form.shop ?? ""));
    const topic = String(form.topic ?? "");
    if (shop === undefined || !GDPR_TOPICS.includes(topic)) return c.redirect(ADMIN_PATH, 303);
    const paymentIds = String(form.paymentIds ?? "").split(",").map((id) => id.trim()).filter((id) =>
      id !== ""
    );
    const status = await sendWebhook(options, shop, topic, { id: "dev-customer", paymentIds });
    return c.redirect(`${ADMIN_PATH}?webhook=${encodeURIComponent(topic)}&answer=${status}`, 303);
  });
}
