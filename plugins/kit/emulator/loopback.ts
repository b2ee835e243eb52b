/**
 * Test support shared by emulator tests and conformance targets: an emulator served on 127.0.0.1 at a free
 * port, and a receiver that records the notifications it is sent.
 * @module
 */
import { underPrefix } from "./http.ts";

export interface Servable {
  fetch(request: Request): Promise<Response> | Response;
  close(): Promise<void> | void;
}

export interface LoopbackServer<T extends Servable> {
  /** The emulator's public URL: `http://127.0.0.1:<port>` plus the prefix, without a trailing slash. */
  readonly url: string;
  readonly app: T;
  /** Closes the emulator first (it may hold connections open), then the server. */
  close(): Promise<void>;
}

/**
 * Serves the app `create` builds for its public URL (known only once the port is), on 127.0.0.1:0. With a
 * `prefix`, the app is served under it, the prefix stripped from the paths it sees.
 */
export function serveOnLoopback<T extends Servable>(
  create: (publicUrl: string) => T,
  options: { readonly prefix?: string } = {},
): LoopbackServer<T> {
  const mounted: { handler?: (request: Request) => Promise<Response> | Response } = {};
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => mounted.handler?.(request) ?? new Response("starting", { status: 503 }),
  );
  const prefix = (options.prefix ?? "").replace(/\/+$/, "");
  const url = `http://127.0.0.1:${server.addr.port}${prefix}`;
  let app: T;
  try {
    app = create(url);
  } catch (error) {
    void server.shutdown();
    throw error;
  }
  const inner = (request: Request) => app.fetch(request);
  mounted.handler = prefix === "" ? inner : underPrefix(prefix, inner);
  return {
    url,
    app,
    async close() {
      await app.close();
      await server.shutdown();
    },
  };
}

export interface ReceivedNotification {
  readonly method: string;
  /** The path the notification was sent to. */
  readonly path: string;
  /** The URL's query parameters. */
  readonly params: Readonly<Record<string, string>>;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface NotificationReceiver {
  /** Where to send notifications: `http://127.0.0.1:<port>`; any path is accepted. */
  readonly url: string;
  /** What arrived and was answered 2xx, in order of arrival. */
  readonly received: ReceivedNotification[];
  /** Answers the next `count` notifications with `status` (not recorded), to make the sender retry. */
  failNext(count: number, status?: number): void;
  /** The first received notification that matches; rejects after `timeoutMs` (default 3000). */
  waitFor(
    match: (notification: ReceivedNotification) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedNotification>;
  close(): Promise<void>;
}

/** A loopback receiver; it answers 200 with `acceptBody` (Adyen wants `[accepted]`). */
export function startNotificationReceiver(
  options: { readonly acceptBody?: string } = {},
): NotificationReceiver {
  const received: ReceivedNotification[] = [];
  let failures = { count: 0, status: 500 };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const body = await request.text();
    if (failures.count > 0) {
      failures.count--;
      return new Response("try again", { status: failures.status });
    }
    const url = new URL(request.url);
    received.push({
      method: request.method,
      path: url.pathname,
      params: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(request.headers),
      body,
    });
    return new Response(options.acceptBody ?? "");
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    received,
    failNext(count, status = 500) {
      failures = { count, status };
    },
    async waitFor(match, timeoutMs = 3_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find(match);
        if (found !== undefined) return found;
        if (Date.now() >= deadline) {
          throw new Error(
            `Cannot find the expected notification: none of ${received.length} matched in time`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: () => server.shutdown(),
  };
}
