/**
 * A fake Genstore REST API on loopback: it receives the gateway's callbacks, checks the access token, records
 * every attempt with its time, and answers what the test tells it to (e.g. 503 twice, then 200).
 * @module
 */

export interface ReceivedAttempt {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly shop: string;
  readonly kind: string;
  readonly id: string;
  readonly accessToken: string | null;
  readonly text: string;
  readonly body: Record<string, unknown>;
  /** The status the fake answered. */
  readonly status: number;
}

export interface FakeGenstore {
  /** GENSTORE_API_BASE for the gateway: `{shop}` is part of the path here. */
  readonly apiBase: string;
  readonly attempts: ReceivedAttempt[];
  /** Callbacks answered 2xx (or 409), i.e. delivered. */
  delivered(): ReceivedAttempt[];
  /** Decides the status of the next attempt for a path; default 200. */
  respondWith(decide: (attempt: Omit<ReceivedAttempt, "status">) => number): void;
  /** Waits (bounded) until a delivered callback for `kind/id` exists, and returns it. */
  waitForCallback(kind: string, id: string, timeoutMs?: number): Promise<ReceivedAttempt>;
  close(): Promise<void>;
}

export function startFakeGenstore(
  tokens: Readonly<Record<string, string>> = { demo: "dev-token" },
): FakeGenstore {
  const attempts: ReceivedAttempt[] = [];
  let decide: (attempt: Omit<ReceivedAttempt, "status">) => number = () => 200;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (request) => {
    const url = new URL(request.url);
    const match = /^\/([^/]+)\/api\/\d+\/app\/([a-z_]+)(?:\/([^/]+))?$/.exec(url.pathname);
    const text = await request.text();
    if (request.method !== "PUT" || match === null) {
      return Response.json({ error: "Not Found" }, { status: 404 });
    }
    const [, shop, kind, id = ""] = match;
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text);
    } catch {
      return Response.json({ error: "Bad Request" }, { status: 400 });
    }
    const base = {
      at: Date.now(),
      method: request.method,
      path: url.pathname,
      shop,
      kind,
      id: decodeURIComponent(id),
      accessToken: request.headers.get("x-genstore-access-token"),
      text,
      body,
    };
    const status = base.accessToken !== tokens[shop] ? 401 : decide(base);
    attempts.push({ ...base, status });
    return Response.json(status < 300 ? { ok: true } : { error: "fake failure" }, { status });
  });
  const apiBase = `http://127.0.0.1:${server.addr.port}/{shop}`;
  const delivered = () => attempts.filter((a) => (a.status >= 200 && a.status < 300) || a.status === 409);
  return {
    apiBase,
    attempts,
    delivered,
    respondWith(next) {
      decide = next;
    },
    async waitForCallback(kind: string, id: string, timeoutMs = 10_000): Promise<ReceivedAttempt> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = delivered().find((a) => a.kind === kind && a.id === id);
        if (found !== undefined) return found;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`No ${kind} callback for ${id} within ${timeoutMs} ms`);
    },
    close: () => server.shutdown(),
  };
}
