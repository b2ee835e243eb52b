/**
 * The dev Genstore admin page's parts: a shop's card with its buttons, the inbox table, and the notice of
 * what the last action did.
 * @module
 */
import type { Context } from "hono";
import { WEBHOOK_TOPICS } from "../genstore/onboarding_wire.ts";
import type { ReceivedCallback } from "./genstore_inbox.ts";
import { PostButton } from "./genstore_oauth.tsx";
import type { DevShop } from "./genstore_state.ts";

export const ADMIN_PATH = "/_dev/genstore/admin";
export const GDPR_TOPICS: readonly string[] = [
  WEBHOOK_TOPICS.dataRequest,
  WEBHOOK_TOPICS.customerRedact,
  WEBHOOK_TOPICS.shopRedact,
];

/** The last account-authorization result Genstore received per shop, extension and mode. */
export function authorizations(
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

export function notice(c: Context): { tone: "ok" | "bad" | "wait"; text: string } | undefined {
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

export function ShopCard(props: {
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
        {shop.installed
          ? props.extensions.map((extension) => (
            <>
              <dt>{extension}</dt>
              <dd>
                {["test", "live"].map((mode) => {
                  const result = state(extension, mode);
                  const label = result === undefined
                    ? "none reported"
                    : result.status
                    ? "authorized"
                    : "deauthorized";
                  return (
                    <span key={mode} class={`badge ${result?.status ? "ok" : "wait"}`}>{mode}: {label}</span>
                  );
                })}
              </dd>
            </>
          ))
          : null}
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

export function InboxTable(props: { readonly received: readonly ReceivedCallback[] }) {
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
