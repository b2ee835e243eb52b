/**
 * The operator's actions on the database itself (PostgreSQL, or an embedded store this process holds).
 * @module
 */
import {
  type GatewayDeps,
  type LoadedPlugin,
  type OutboxStore,
  type ReviewStore,
  settleByHand,
} from "../../src/mod.ts";
import { sealAudit, verifyAudit } from "../store/sql_audit.ts";
import type { SqlClient } from "../store/sql_client.ts";
import { paymentStory, searchPayments } from "../store/sql_payment_story.ts";
import type { ShopStore } from "../store/sql_shop_store.ts";
import type { BindRequest, BindResult, Operations } from "./operations.ts";

export interface LocalOperationsDeps {
  readonly gateway: GatewayDeps;
  readonly db: SqlClient;
  readonly shops: ShopStore;
  readonly outbox: OutboxStore;
  readonly review: ReviewStore;
  /** Extensions this deployment serves (plugins.json). */
  readonly extensions: ReadonlySet<string>;
}

export function createLocalOperations(deps: LocalOperationsDeps): Operations {
  const { gateway, shops, outbox, review, db } = deps;
  const now = () => gateway.clock.now();
  const knownShop = async (shop: string) => (await shops.list()).some((summary) => summary.shop === shop);
  return {
    metrics: () => review.metrics(now()),
    reviewQueue: () => review.reviewQueue(500),
    settle: (request) =>
      settleByHand(gateway, {
        key: { shop: request.shop, kind: request.kind, operationId: request.operationId },
        verdict: request.verdict,
        reason: request.reason,
        operator: request.operator,
        pspReference: request.pspReference,
      }),
    incidents: ({ all }) => review.incidents({ open: !all, limit: 500 }),
    resolveIncident: ({ shop, id, reason, operator }) =>
      review.resolveIncident(shop, id, reason, {
        shop,
        action: "resolve_incident",
        target: `incident/${id}`,
        reason,
        operator,
      }),
    deadLetters: () => outbox.listDead(500),
    async redrive({ shop, seq, reason, operator }) {
      if (!await outbox.redrive(shop, seq, now())) return false;
      await review.recordAction({
        shop,
        action: "redrive_callback",
        target: `outbox/${seq}`,
        reason,
        operator,
      });
      return true;
    },
    shops: () => shops.list(),
    async addShop({ shop, token }) {
      await shops.upsertShop(shop);
      if (token !== undefined) await shops.setAccessToken(shop, token);
    },
    removeShop: (shop) => shops.removeShop(shop),
    async setAccessToken({ shop, token }) {
      if (!await knownShop(shop)) return false;
      await shops.setAccessToken(shop, token);
      return true;
    },
    async bind(request) {
      if (!await knownShop(request.shop)) return { kind: "no_shop" };
      if (!deps.extensions.has(request.extension)) {
        return { kind: "unknown_extension", extensions: [...deps.extensions] };
      }
      const plugin = gateway.plugins.get(request.plugin);
      if (plugin === undefined) return { kind: "unknown_plugin", plugins: [...gateway.plugins.keys()] };
      return await bindWith(deps, plugin, request);
    },
    resealSecrets: () => shops.resealAll(),
    async verifyAudit() {
      // Seal what is waiting first, so the report covers every entry written so far.
      await sealAudit(db);
      return await verifyAudit(db);
    },
    async auditEntries({ shop, count }) {
      const rows = await db.query<
        { seq: unknown; at: string; kind: string; subject: string; payload: string }
      >(
        "SELECT seq, at, kind, subject, payload FROM audit_log WHERE shop = $1 ORDER BY id DESC LIMIT $2",
        [shop, count],
      );
      return rows.reverse().map((row) => ({ ...row, seq: row.seq === null ? null : Number(row.seq) }));
    },
    payments: (search) => searchPayments(db, search),
    payment: ({ shop, paymentId }) => paymentStory(db, shop, paymentId),
  };
}

/**
 * Checks each given mode's credentials with the plugin's schema (and, if asked, with the PSP), then stores
 * them; a mode not given keeps its credentials when the plugin stays the same.
 */
async function bindWith(
  deps: LocalOperationsDeps,
  plugin: LoadedPlugin,
  request: BindRequest,
): Promise<BindResult> {
  if (request.live === undefined && request.test === undefined) return { kind: "nothing_to_bind" };
  const checked: { live?: Readonly<Record<string, unknown>>; test?: Readonly<Record<string, unknown>> } = {};
  for (const mode of ["live", "test"] as const) {
    if (request[mode] === undefined) continue;
    const validation = await plugin.validateCredentials(mode, request[mode]);
    if (!validation.ok) return { kind: "invalid", mode, issues: validation.issues };
    if (request.verify) {
      const verdict = await plugin.verifyCredentials({
        idempotencyKey: "",
        deadline: deps.gateway.clock.now() + deps.gateway.settings.pspTimeoutMs,
        credentials: validation.credentials,
        test: mode === "test",
        http: deps.gateway.pspHttp({
          shop: request.shop,
          extension: request.extension,
          plugin: request.plugin,
          reference: "verify-credentials",
          test: mode === "test",
        }),
      });
      if (!verdict.ok) return { kind: "refused", mode, reason: verdict.reason };
    }
    checked[mode] = validation.credentials;
  }
  const current = await deps.shops.findBinding(request.shop, request.extension);
  const kept = current?.plugin === request.plugin ? current : undefined;
  await deps.shops.bind({
    shop: request.shop,
    extension: request.extension,
    plugin: request.plugin,
    live: checked.live ?? kept?.live,
    test: checked.test ?? kept?.test,
  });
  return { kind: "bound" };
}
