/**
 * The built-in Genstore inbox of dev mode: it receives the gateway's callbacks the way Genstore's REST API
 * would (`PUT /api/202412/app/{kind}/{id}` under a per-shop base), refusing any callback whose access token
 * is not one Genstore issued to that shop, so a newcomer sees whole flows with nothing else installed.
 * What it shows never carries a card token in full.
 * @module
 */
import type { Hono } from "hono";
import { ACCESS_TOKEN_HEADER } from "../genstore/wire.ts";

export interface ReceivedCallback {
  readonly at: string;
  readonly shop: string;
  readonly kind: string;
  readonly id: string;
  /** The body as received, with any card token shortened to its first and last characters. */
  readonly body: unknown;
}

export interface GenstoreInbox {
  /** The GENSTORE_API_BASE that points at this inbox. */
  readonly apiBase: string;
  /** The callbacks received, newest first, safe to show (card tokens shortened). */
  received(): readonly ReceivedCallback[];
  /** The card token a payment's callback carried, for a later card-on-file payment (as Genstore keeps it). */
  cardTokenOf(shop: string, paymentId: string): string | undefined;
  /** Simulates a Genstore outage: every callback is answered 503 (the gateway retries) until it ends. */
  setOutage(down: boolean): void;
  readonly down: boolean;
  mount(app: Hono): void;
}

export const INBOX_PREFIX = "/_dev/genstore";
const KEEP = 500;

/** `ct_abcdefghijklmnopqrst` → `ct_abc…qrst`: enough to tell tokens apart, not enough to use one. */
export function shortenToken(token: string): string {
  return token.length <= 10 ? "…" : `${token.slice(0, 6)}…${token.slice(-4)}`;
}

function shown(body: unknown): unknown {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return body;
  const record = body as Record<string, unknown>;
  if (typeof record.cardToken !== "string") return body;
  return { ...record, cardToken: shortenToken(record.cardToken) };
}

/**
 * @param accepts whether Genstore issued this access token to this shop (the dev Genstore's own tokens).
 */
export function createGenstoreInbox(
  appUrl: string,
  accepts: (shop: string, token: string | undefined) => boolean | Promise<boolean>,
): GenstoreInbox {
  const received: { entry: ReceivedCallback; cardToken?: string }[] = [];
  let down = false;
  return {
    get down() {
      return down;
    },
    setOutage(value) {
      down = value;
    },
    apiBase: `${appUrl}${INBOX_PREFIX}/{shop}`,
    received: () => received.map((item) => item.entry).reverse(),
    cardTokenOf(shop, paymentId) {
      const found = received.findLast((item) =>
        item.entry.shop === shop && item.entry.id === paymentId && item.cardToken !== undefined
      );
      return found?.cardToken;
    },
    mount(app: Hono) {
      app.put(`${INBOX_PREFIX}/:shop/api/:version/app/:kind/:id?`, async (c) => {
        const shop = c.req.param("shop")!;
        if (down) return c.json({ error: "Service Unavailable (simulated outage)" }, 503);
        if (!await accepts(shop, c.req.header(ACCESS_TOKEN_HEADER))) {
          return c.json({ error: "Invalid access token" }, 401);
        }
        let body: unknown;
        try {
          body = await c.req.json();
        } catch {
          return c.json({ error: "Malformed JSON" }, 400);
        }
        const cardToken = (body as { cardToken?: unknown } | null)?.cardToken;
        received.push({
          entry: {
            at: new Date().toISOString(),
            shop,
            kind: c.req.param("kind")!,
            id: c.req.param("id") ?? "",
            body: shown(body),
          },
          cardToken: typeof cardToken === "string" ? cardToken : undefined,
        });
        if (received.length > KEEP) received.splice(0, received.length - KEEP);
        return c.json({ ok: true });
      });
      app.get(`${INBOX_PREFIX}/inbox`, (c) => c.json(received.map((item) => item.entry).reverse()));
    },
  };
}
