/**
 * The built-in Genstore inbox of dev mode: it receives the gateway's callbacks the way Genstore's REST API
 * would (`PUT /api/202412/app/{kind}/{id}` under a per-shop base, with the shop's access token), so a
 * newcomer sees whole flows with nothing else installed.
 * @module
 */
import type { Hono } from "hono";

export interface ReceivedCallback {
  readonly at: string;
  readonly shop: string;
  readonly kind: string;
  readonly id: string;
  readonly body: unknown;
}

export interface GenstoreInbox {
  /** The GENSTORE_API_BASE that points at this inbox. */
  readonly apiBase: string;
  received(): readonly ReceivedCallback[];
  mount(app: Hono): void;
}

const PREFIX = "/_dev/genstore";
const KEEP = 500;

export function createGenstoreInbox(
  appUrl: string,
  accessToken: (shop: string) => Promise<string | undefined>,
): GenstoreInbox {
  const received: ReceivedCallback[] = [];
  return {
    apiBase: `${appUrl}${PREFIX}/{shop}`,
    received: () => [...received].reverse(),
    mount(app: Hono) {
      app.put(`${PREFIX}/:shop/api/:version/app/:kind/:id?`, async (c) => {
        const shop = c.req.param("shop")!;
        const expected = await accessToken(shop);
        if (expected === undefined || c.req.header("x-genstore-access-token") !== expected) {
          return c.json({ error: "Invalid access token" }, 401);
        }
        let body: unknown;
        try {
          body = await c.req.json();
        } catch {
          return c.json({ error: "Malformed JSON" }, 400);
        }
        received.push({
          at: new Date().toISOString(),
          shop,
          kind: c.req.param("kind")!,
          id: c.req.param("id") ?? "",
          body,
        });
        if (received.length > KEEP) received.splice(0, received.length - KEEP);
        return c.json({ ok: true });
      });
      app.get(`${PREFIX}/inbox`, (c) => c.json(received.slice().reverse()));
    },
  };
}
