/**
 * The dev Genstore's merchant admin (`/_dev/genstore/admin`): its shops, each with Install, Authorize and
 * Uninstall buttons that make Genstore's signed launches and webhooks against this gateway, a form to create
 * a shop, GDPR webhooks on demand, and the callbacks the inbox received. Every launch is signed when it is
 * made (its timestamp is fresh), with the client secret, as Genstore signs them.
 * @module
 */
import type { Context, Hono } from "hono";
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
import type { GenstoreInbox, ReceivedCallback } from "./genstore_inbox.ts";
import { BRAND, PostButton } from "./genstore_oauth.tsx";
import type { DevGenstoreState, DevShop } from "./genstore_state.ts";

export const ADMIN_PATH = "/_dev/genstore/admin";

export interface DevAdminOptions {
  readonly gatewayUrl: string;
  readonly clientSecret: string;
  readonly shopDomain: string;
  /** The gateway's payment extensions, as registered with Genstore. */
  readonly extensions: readonly string[];
  readonly state: DevGenstoreState;
  readonly inbox: GenstoreInbox;
}

const GDPR_TOPICS = [WEBHOOK_TOPICS.dataRequest, WEBHOOK_TOPICS.customerRedact, WEBHOOK_TOPICS.shopRedact];

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

/** The last account-authorization result Genstore received per shop, extension and mode. */
function authorizations(
  received: readonly ReceivedCallback[],
): Map<string, { status: boolean; error?: string }> {
  const latest = new Map<string, { status: boolean; error?: string }>();
  for (const callback of received) {
    if (callback.kind !== "account_authorize") continue;
    const body = callback.body as { status?: unknown; extension?: unknown; test?: unknown; error?: unknown };
    const key = `${callback.shop}/${String(body.extension)}/${body.test === true ? "test" : "live"}`;
    // received() is newest first: the first seen is the latest.
    if (!latest.has(key)) {
      latest.set(key, {
        status: body.status === true,
        error: typeof body.error === "string" ? body.error : undefined,
      });
    }
  }
  return latest;
}

function notice(c: Context): { tone: "ok" | "bad" | "wait"; text: string } | undefined {
  const query = c.req.query();
  if (query.created) {
    return { tone: "ok", text: `Shop ${query.created} created. Install the app on it next.` };
  }
  if (query.invalid) return { tone: "bad", text: "A shop handle is lower-case letters, digits and hyphens." };
  if (query.exists) return { tone: "bad", text: `Shop ${query.exists} exists already.` };
  if (query.cancelled) return { tone: "wait", text: `The installation on ${query.cancelled} was cancelled.` };
  if (query.uninstalled) {
    return query.answer === "200"
      ? {
        tone: "ok",
        text: `The app is uninstalled from ${query.uninstalled}; the gateway confirmed the webhook.`,
      }
      : { tone: "bad", text: `The gateway answered the uninstall webhook with HTTP ${query.answer}.` };
  }
  if (query.webhook) {
    return query.answer === "200"
      ? { tone: "ok", text: `The gateway confirmed ${query.webhook}.` }
      : { tone: "bad", text: `The gateway answered ${query.webhook} with HTTP ${query.answer}.` };
  }
  return undefined;
}

function ShopCard(props: {
  readonly shop: DevShop;
  readonly extensions: readonly string[];
  readonly authorized: Map<string, { status: boolean; error?: string }>;
}) {
  const { shop } = props;
  const state = (extension: string, mode: string) =>
    props.authorized.get(`${shop.handle}/${extension}/${mode}`);
  return (
    <section class="card" aria-labelledby={`shop-${shop.handle}`}>
      <h2 id={`shop-${shop.handle}`}>
        {shop.handle} {shop.installed
          ? <span class="badge ok">App installed</span>
          : <span class="badge wait">Not installed</span>}
      </h2>
      <dl class="facts">
        <dt>Shop id</dt>
        <dd>{shop.shopId}</dd>
        {props.extensions.map((extension) => (
          <>
            <dt>{extension}</dt>
            <dd>
              {["test", "live"].map((mode) => {
                const result = state(extension, mode);
                return (
                  <span key={mode} class={`badge ${result?.status ? "ok" : "wait"}`}>
                    {mode}:{" "}
                    {result === undefined ? "not authorized" : result.status ? "authorized" : "deauthorized"}
                  </span>
                );
              })}
            </dd>
          </>
        ))}
      </dl>
      <p class="actions">
        <PostButton
          action={`${ADMIN_PATH}/launch`}
          label={shop.installed ? `Reinstall on ${shop.handle}` : `Install on ${shop.handle}`}
          fields={{ shop: shop.handle, action: "install" }}
          tone={shop.installed ? "secondary" : undefined}
        />
        {shop.installed
          ? props.extensions.map((extension) => (
            <PostButton
              key={extension}
              action={`${ADMIN_PATH}/launch`}
              label={`Authorize ${extension} on ${shop.handle}`}
              fields={{ shop: shop.handle, action: "authorize", extension }}
            />
          ))
          : null}
        {shop.installed
          ? (
            <PostButton
              action={`${ADMIN_PATH}/uninstall`}
              label={`Uninstall from ${shop.handle}`}
              fields={{ shop: shop.handle }}
              tone="danger"
            />
          )
          : null}
      </p>
      <form
        method="post"
        action={`${ADMIN_PATH}/webhook`}
        class="stack"
        aria-label={`GDPR webhook for ${shop.handle}`}
      >
        <input type="hidden" name="shop" value={shop.handle} />
        <label for={`topic-${shop.handle}`}>
          GDPR webhook
          <select id={`topic-${shop.handle}`} name="topic">
            {GDPR_TOPICS.map((topic) => <option key={topic} value={topic}>{topic}</option>)}
          </select>
        </label>
        <label for={`payments-${shop.handle}`}>
          Payment ids{" "}
          <span class="help">For the customer topics: the payments of that customer, comma-separated.</span>
          <input id={`payments-${shop.handle}`} name="paymentIds" autocomplete="off" />
        </label>
        <div class="actions">
          <button type="submit" class="secondary">Send webhook</button>
        </div>
      </form>
    </section>
  );
}

function InboxTable(props: { readonly received: readonly ReceivedCallback[] }) {
  if (props.received.length === 0) return <p class="muted">No callback received yet.</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th>time</th>
            <th>shop</th>
            <th>callback</th>
            <th>body</th>
          </tr>
        </thead>
        <tbody>
          {props.received.slice(0, 30).map((callback, index) => (
            <tr key={String(index)}>
              <td>{callback.at.slice(11, 19)}</td>
              <td>{callback.shop}</td>
              <td class="mono">{callback.kind}{callback.id === "" ? "" : `/${callback.id}`}</td>
              <td class="mono">{JSON.stringify(callback.body)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
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
    if (shop === undefined || !(GDPR_TOPICS as string[]).includes(topic)) return c.redirect(ADMIN_PATH, 303);
    const paymentIds = String(form.paymentIds ?? "").split(",").map((id) => id.trim()).filter((id) =>
      id !== ""
    );
    const status = await sendWebhook(options, shop, topic, { id: "dev-customer", paymentIds });
    return c.redirect(`${ADMIN_PATH}?webhook=${encodeURIComponent(topic)}&answer=${status}`, 303);
  });
}
