/**
 * The operator's actions through a running gateway's admin routes: what the CLIs use when the embedded store
 * they would open belongs to a gateway (one process per embedded store), so nothing is written behind the
 * gateway's back and nothing is lost.
 * @module
 */
import type { Operations } from "./operations.ts";
import type { PaymentStory } from "./payment_story.ts";

/** The gateway answered something the CLI cannot use (its token, its version, its state). */
export class RemoteOperationsError extends Error {
  override readonly name = "RemoteOperationsError";
}

export function createRemoteOperations(options: {
  readonly url: string;
  readonly operatorToken: string;
  readonly operator?: string;
}): Operations {
  const base = options.url.replace(/\/+$/, "");
  async function call<T>(
    method: string,
    path: string,
    json?: unknown,
    accept: readonly number[] = [200, 201],
  ): Promise<{ status: number; body: T }> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${options.operatorToken}`,
          "x-operator": options.operator ?? "cli",
          ...(json === undefined ? {} : { "content-type": "application/json" }),
        },
        body: json === undefined ? undefined : JSON.stringify(json),
        signal: AbortSignal.timeout(30_000),
      });
    } catch {
      throw new RemoteOperationsError(`The gateway at ${base} does not answer`);
    }
    const text = await response.text();
    if (response.status === 401) {
      throw new RemoteOperationsError(`The gateway at ${base} refused the operator token (OPERATOR_TOKEN)`);
    }
    if (![...accept, 404, 409, 422].includes(response.status)) {
      throw new RemoteOperationsError(`The gateway at ${base} answered HTTP ${response.status} to ${path}`);
    }
    return { status: response.status, body: text === "" ? undefined as T : JSON.parse(text) as T };
  }
  const get = async <T>(path: string) => (await call<T>("GET", path)).body;
  const segment = encodeURIComponent;
  return {
    metrics: () => get("/admin/metrics.json"),
    reviewQueue: () => get("/admin/review"),
    async settle(request) {
      const { status, body } = await call<{ status?: string }>(
        "POST",
        `/admin/review/${segment(request.shop)}/${request.kind}/${segment(request.operationId)}/settle`,
        { verdict: request.verdict, reason: request.reason, pspReference: request.pspReference },
      );
      if (status === 404) return { kind: "not_found" };
      if (status === 409) return { kind: "already_final", status: String(body.status) };
      return { kind: "settled", status: String(body.status) };
    },
    incidents: ({ all }) => get(`/admin/incidents${all ? "?all" : ""}`),
    async resolveIncident({ shop, id, reason }) {
      return (await call("POST", `/admin/incidents/${segment(shop)}/${id}/resolve`, { reason })).status ===
        200;
    },
    deadLetters: () => get("/admin/dead-letters"),
    async redrive({ shop, seq, reason }) {
      return (await call("POST", `/admin/dead-letters/${segment(shop)}/${seq}/redrive`, { reason }))
        .status === 200;
    },
    shops: () => get("/admin/shops"),
    async addShop(request) {
      await call("POST", "/admin/shops", request);
    },
    async removeShop(shop) {
      return (await call("DELETE", `/admin/shops/${segment(shop)}`)).status === 200;
    },
    async setAccessToken({ shop, token }) {
      return (await call("PUT", `/admin/shops/${segment(shop)}/token`, { token })).status === 200;
    },
    async bind(request) {
      const { status, body } = await call<Awaited<ReturnType<Operations["bind"]>>>(
        "PUT",
        `/admin/shops/${segment(request.shop)}/bindings/${segment(request.extension)}`,
        { plugin: request.plugin, live: request.live, test: request.test, verify: request.verify },
      );
      return status === 404 ? { kind: "no_shop" } : body;
    },
    async resealSecrets() {
      return (await call<{ resealed: number }>("POST", "/admin/master-key/reseal")).body.resealed;
    },
    verifyAudit: () => get("/admin/audit/verify"),
    auditEntries: ({ shop, count }) => get(`/admin/audit/${segment(shop)}?count=${count}`),
    payments(search) {
      const query = new URLSearchParams();
      for (const [name, value] of Object.entries(search)) {
        if (value !== undefined) query.set(name, String(value));
      }
      return get(`/admin/payments?${query}`);
    },
    async payment({ shop, paymentId }) {
      const { status, body } = await call<PaymentStory>(
        "GET",
        `/admin/payments/${segment(shop)}/${segment(paymentId)}`,
      );
      return status === 404 ? undefined : body;
    },
  };
}
