/**
 * The benchmark's fake Genstore: receives the gateway's callbacks (`PUT {base}/api/{version}/app/{kind}/{id}`),
 * checks the access token, and records for each `kind/id` when it first arrived (performance.now(), the same
 * clock the load generator uses), its body and how many times it came. Kept lean: it is measured too.
 * @module
 */

export interface ReceivedCallback {
  readonly at: number;
  readonly body: Record<string, unknown>;
  count: number;
}

export interface CallbackSink {
  /** GENSTORE_API_BASE for the gateway. */
  readonly apiBase: string;
  /** First arrival per `kind/id`. */
  readonly received: Map<string, ReceivedCallback>;
  /** Callbacks refused (bad token, bad path or body), as `reason`. */
  readonly refused: string[];
  /** Waits until every key is present; resolves with the keys still missing at the deadline. */
  waitFor(keys: readonly string[], timeoutMs: number): Promise<string[]>;
  close(): Promise<void>;
}

export function startCallbackSink(accessToken = "dev-token"): CallbackSink {
  const received = new Map<string, ReceivedCallback>();
  const refused: string[] = [];
  const pattern = /^\/([^/]+)\/api\/\d+\/app\/([a-z_]+)(?:\/([^/]+))?$/;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (request) => {
    const at = performance.now();
    const path = new URL(request.url).pathname;
    const text = await request.text();
    const match = pattern.exec(path);
    if (request.method !== "PUT" || match === null) {
      refused.push(`${request.method} ${path}: not a callback path`);
      return Response.json({ error: "Not Found" }, { status: 404 });
    }
    if (request.headers.get("x-genstore-access-token") !== accessToken) {
      refused.push(`${path}: wrong access token`);
      return Response.json({ error: "Unauthorized" }, { status: 401 });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text);
    } catch {
      refused.push(`${path}: body is not JSON`);
      return Response.json({ error: "Bad Request" }, { status: 400 });
    }
    const key = `${match[2]}/${decodeURIComponent(match[3] ?? "")}`;
    const seen = received.get(key);
    if (seen === undefined) received.set(key, { at, body, count: 1 });
    else seen.count++;
    return Response.json({ ok: true });
  });
  return {
    apiBase: `http://127.0.0.1:${server.addr.port}/{shop}`,
    received,
    refused,
    async waitFor(keys, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let missing = keys.filter((key) => !received.has(key));
      while (missing.length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        missing = missing.filter((key) => !received.has(key));
      }
      return missing;
    },
    close: () => server.shutdown(),
  };
}
