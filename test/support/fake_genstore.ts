/**
 * A fake Genstore REST API on loopback: it receives the gateway's callbacks, checks the access token, records
 * every attempt with its time, and answers what the test tells it to (e.g. 503 twice, then 200). It can go
 * down (connection refused) and come back on the same port, and it notices a callback sent twice at once.
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
  /** Paths that were being received twice at the same moment (a callback sent concurrently twice). */
  readonly overlaps: string[];
  /** Callbacks answered 2xx (or 409), i.e. delivered. */
  delivered(): ReceivedAttempt[];
  /** Decides the status of the next attempt for a path; default 200. */
  respondWith(decide: (attempt: Omit<ReceivedAttempt, "status">) => number): void;
  /** Holds every answer this long (so that concurrent sends of one callback would overlap). */
  delayAnswers(ms: number): void;
  /** Waits (bounded) until a delivered callback for `kind/id` exists, and returns it. */
  waitForCallback(kind: string, id: string, timeoutMs?: number): Promise<ReceivedAttempt>;
  /** Stops listening: the gateway's callbacks meet connection refused. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): void;
  close(): Promise<void>;
}

export function startFakeGenstore(
  tokens: Readonly<Record<string, string>> = { demo: "dev-token" },
): FakeGenstore {
  const attempts: ReceivedAttempt[] = [];
  const overlaps: string[] = [];
  const inFlight = new Set<string>();
  let delayMs = 0;
  let decide: (attempt: Omit<ReceivedAttempt, "status">) => number = () => 200;

  async function handle(request: Request): Promise<Response> {
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
    if (inFlight.has(url.pathname)) overlaps.push(url.pathname);
    inFlight.add(url.pathname);
    try {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
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
    } finally {
      inFlight.delete(url.pathname);
    }
  }

  let server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, handle);
  const port = server.addr.port;
  let running = true;
  const delivered = () => attempts.filter((a) => (a.status >= 200 && a.status < 300) || a.status === 409);
  return {
    apiBase: `http://127.0.0.1:${port}/{shop}`,
    attempts,
    overlaps,
    delivered,
    respondWith(next) {
      decide = next;
    },
    delayAnswers(ms: number) {
      delayMs = ms;
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
    async down() {
      running = false;
      await server.shutdown();
    },
    up() {
      server = Deno.serve({ port, hostname: "127.0.0.1", onListen: () => {} }, handle);
      running = true;
    },
    async close() {
      if (running) await server.shutdown();
      running = false;
    },
  };
}
