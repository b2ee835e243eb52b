/**
 * The shop store's onboarding changes on the store under test: one mode's credentials change with the
 * callback that reports them (the other mode's stay), a disconnect removes one mode, the binding cache
 * forgets at once, the outbox worker is woken for each callback queued, account results queue under one ordering key per extension, and an uninstall deletes the
 * token and bindings and dead-letters what is pending, with the reason.
 */
import { ok, strictEqual as equal } from "node:assert/strict";
import type { CallbackMessage } from "../../src/mod.ts";
import { createSecretBox, generateMasterKey } from "../../adapters/crypto/secret_box.ts";
import { createSqlShopStore } from "../../adapters/store/sql_shop_store.ts";
import { createSqlOutboxStore } from "../../adapters/store/sql_outbox_store.ts";
import { openTestDatabase } from "../support/databases.ts";

const TEST = { apiKey: "test-SECRET-1", merchantAccount: "ShopTest" };
const LIVE = { apiKey: "live-SECRET-2", merchantAccount: "ShopLive" };

function report(mode: "test" | "live", succeeded: boolean, n: number): CallbackMessage {
  return {
    kind: "account_authorize",
    targetId: `card.${mode}.${n}`,
    paymentId: "account:card",
    succeeded,
    channelId: "",
    test: mode === "test",
    extension: "card",
  };
}

Deno.test({
  name: "ShopStore onboarding: per-mode credentials with their callback, cache forgotten, uninstall",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const db = await openTestDatabase();
    // A long cache: a change must be seen at once anyway, because the store forgets what it changed.
    // Counts the outbox worker's wake-ups: one for each committed change that queued a callback.
    let nudges = 0;
    const shops = createSqlShopStore(db.client, createSecretBox(generateMasterKey()), {
      cacheMs: 60_000,
      onCallbackQueued: () => nudges++,
    });
    const outbox = createSqlOutboxStore(db.client);
    const change = (mode: "test" | "live", n: number) => ({
      shop: "acme",
      extension: "card",
      plugin: "adyen",
      mode,
      callback: report(mode, true, n),
    });
    try {
      await shops.install("acme", "gst_token-1");
      equal(await shops.accessToken("acme"), "gst_token-1");
      const sealed = await db.client.query("SELECT access_token_sealed FROM shops WHERE shop = 'acme'");
      ok(!JSON.stringify(sealed).includes("gst_token-1"), "the token is sealed");

      await t.step("connectAccount stores one mode and keeps the other", async () => {
        equal(await shops.findBinding("acme", "card"), undefined);
        await shops.connectAccount(change("test", 1), TEST);
        equal((await shops.findBinding("acme", "card"))?.test?.apiKey, TEST.apiKey, "seen despite the cache");
        await shops.connectAccount(change("live", 2), LIVE);
        const both = await shops.findBinding("acme", "card");
        equal(both?.test?.apiKey, TEST.apiKey);
        equal(both?.live?.apiKey, LIVE.apiKey);
        const rows = await db.client.query(
          "SELECT test_credentials_sealed, live_credentials_sealed FROM shop_extensions",
        );
        ok(!JSON.stringify(rows).includes("SECRET"), "credentials are sealed");
      });

      await t.step("a change of plugin drops the other mode (another plugin could not read it)", async () => {
        await shops.connectAccount({ ...change("test", 3), plugin: "other" }, TEST);
        const binding = await shops.findBinding("acme", "card");
        equal(binding?.plugin, "other");
        equal(binding?.live, undefined);
        await shops.connectAccount(change("test", 4), TEST);
        await shops.connectAccount(change("live", 5), LIVE);
      });

      await t.step("disconnectAccount removes one mode, once", async () => {
        ok(
          await shops.disconnectAccount({
            shop: "acme",
            extension: "card",
            mode: "test",
            callback: report("test", false, 6),
          }),
        );
        const binding = await shops.findBinding("acme", "card");
        equal(binding?.test, undefined, "forgotten at once");
        equal(binding?.live?.apiKey, LIVE.apiKey);
        equal(
          await shops.disconnectAccount({
            shop: "acme",
            extension: "card",
            mode: "test",
            callback: report("test", false, 7),
          }),
          false,
        );
        const queued = await db.client.query("SELECT target_id FROM outbox WHERE shop = 'acme' ORDER BY seq");
        equal(
          queued.map((row) => row.target_id).join(","),
          "card.test.1,card.live.2,card.test.3,card.test.4,card.live.5,card.test.6",
        );
        equal(
          nudges,
          6,
          "the worker is woken for each queued callback, not for the disconnect that changed nothing",
        );
      });

      await t.step("account results are claimed one at a time, in order, per extension", async () => {
        const claimed = await outbox.claimDue(Date.now() + 1000, 30_000, 50);
        equal(claimed.length, 1, "only the first of account:card");
        equal(claimed[0].message.targetId, "card.test.1");
      });

      await t.step(
        "uninstallWithin deletes token and bindings and dead-letters pending callbacks",
        async () => {
          const result = await db.client.transaction((tx) =>
            shops.uninstallWithin(tx, "acme", "app_uninstalled: gone")
          );
          shops.forget("acme");
          equal(result.bindings, 1);
          equal(result.deadLettered, 6);
          equal(await shops.accessToken("acme"), undefined);
          equal(await shops.findBinding("acme", "card"), undefined);
          const dead = await outbox.listDead(50);
          equal(dead.filter((d) => d.shop === "acme" && d.lastError === "app_uninstalled: gone").length, 6);
          const audit = await db.client.query("SELECT kind FROM audit_log WHERE shop = 'acme' ORDER BY kind");
          ok(audit.some((row) => row.kind === "shop.uninstalled"));
          ok(audit.some((row) => row.kind === "account.authorized"));
          ok(audit.some((row) => row.kind === "account.deauthorized"));
        },
      );
    } finally {
      await db.close();
    }
  },
});
