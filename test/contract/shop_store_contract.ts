import assert from "node:assert/strict";
import type { ExtensionBinding } from "../../src/mod.ts";
import { createSecretBox, generateMasterKey, SecretBoxError } from "../../adapters/crypto/secret_box.ts";
import { createSqlShopStore, type ShopStore } from "../../adapters/store/sql_shop_store.ts";
import type { TestDatabase } from "../support/databases.ts";
import { assertDatabaseError, contractTest, rawRows, SQLSTATE } from "./_store_fixtures.ts";

const LIVE = {
  apiKey: "AQE-live-SECRET-4711",
  merchantAccount: "ShopLive",
  nested: { hmac: "HMAC-LIVE-0042" },
};
const TEST = { apiKey: "AQE-test-SECRET-0815", merchantAccount: "ShopTest" };
const ACCESS_TOKEN = "gst_ACCESS-TOKEN-31337";
const SECRETS = [LIVE.apiKey, LIVE.nested.hmac, TEST.apiKey, ACCESS_TOKEN];

/** One binding per credential set-up: live and test, either one, or none. */
const BINDINGS: readonly ExtensionBinding[] = [
  { shop: "shop-a", extension: "both", plugin: "adyen", live: LIVE, test: TEST },
  { shop: "shop-a", extension: "live_only", plugin: "adyen", live: LIVE },
  { shop: "shop-a", extension: "test-only", plugin: "fakepsp", test: TEST },
  { shop: "shop-a", extension: "none", plugin: "fakepsp" },
];

function shopStore(db: TestDatabase): ShopStore {
  return createSqlShopStore(db.client, createSecretBox(generateMasterKey()));
}

function assertSealedOnly(value: unknown): void {
  const text = JSON.stringify(value);
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${secret} appears in ${text}`);
}

async function assertWontOpen(work: () => Promise<unknown>): Promise<void> {
  await assert.rejects(
    work,
    (error) => error instanceof SecretBoxError && error.code === "authentication_failed",
  );
}

export function runShopStoreContract(): void {
  contractTest(
    "bind() and findBinding() round-trip credentials for live, test, either or none",
    async (db, t) => {
      const shops = shopStore(db);
      await shops.upsertShop("shop-a");
      for (const binding of BINDINGS) {
        await t.step(binding.extension, async () => {
          await shops.bind(binding);
          const found = await shops.findBinding("shop-a", binding.extension);
          assert.deepStrictEqual(found, { live: undefined, test: undefined, ...binding });
        });
      }
    },
  );

  contractTest("bind() replaces a binding, plugin and credentials", async (db) => {
    const shops = shopStore(db);
    await shops.upsertShop("shop-a");
    await shops.bind(BINDINGS[0]);
    const rebound = { shop: "shop-a", extension: "both", plugin: "fakepsp", test: { apiKey: "new" } };
    await shops.bind(rebound);
    assert.deepStrictEqual(await shops.findBinding("shop-a", "both"), { live: undefined, ...rebound });
  });

  contractTest("findBinding() returns undefined for an unknown shop or extension", async (db) => {
    const shops = shopStore(db);
    await shops.upsertShop("shop-a");
    await shops.bind(BINDINGS[0]);
    assert.strictEqual(await shops.findBinding("shop-a", "other"), undefined);
    assert.strictEqual(await shops.findBinding("shop-b", "both"), undefined);
  });

  contractTest("bind() refuses a shop that does not exist", async (db) => {
    await assertDatabaseError(
      () => shopStore(db).bind({ ...BINDINGS[0], shop: "ghost" }),
      SQLSTATE.foreignKey,
    );
  });

  contractTest("setAccessToken() and accessToken() round-trip the token", async (db) => {
    const shops = shopStore(db);
    await shops.upsertShop("shop-a");
    assert.strictEqual(await shops.accessToken("shop-a"), undefined);
    assert.strictEqual(await shops.accessToken("shop-b"), undefined);
    await shops.setAccessToken("shop-a", "first");
    await shops.setAccessToken("shop-a", ACCESS_TOKEN);
    assert.strictEqual(await shops.accessToken("shop-a"), ACCESS_TOKEN);
    await shops.upsertShop("shop-a");
    assert.strictEqual(await shops.accessToken("shop-a"), ACCESS_TOKEN, "upsertShop() keeps the token");
  });

  contractTest("credentials and access tokens are stored sealed", async (db) => {
    const shops = shopStore(db);
    await shops.upsertShop("shop-a");
    await shops.setAccessToken("shop-a", ACCESS_TOKEN);
    for (const binding of BINDINGS) await shops.bind(binding);
    const tokens = await rawRows(db, "SELECT * FROM shops");
    const bindings = await rawRows(db, "SELECT * FROM shop_extensions ORDER BY extension");
    assertSealedOnly([tokens, bindings]);
    assert.match(String(tokens[0].access_token_sealed), /^v1\.[0-9a-f]{8}\./);
    const both = bindings.find((row) => row.extension === "both")!;
    assert.match(String(both.live_credentials_sealed), /^v1\./);
    assert.match(String(both.test_credentials_sealed), /^v1\./);
    const none = bindings.find((row) => row.extension === "none")!;
    assert.deepStrictEqual([none.live_credentials_sealed, none.test_credentials_sealed], [null, null]);
  });

  contractTest("a sealed value moved to another shop, extension or mode does not open", async (db, t) => {
    const shops = shopStore(db);
    for (const shop of ["shop-a", "shop-b"]) {
      await shops.upsertShop(shop);
      await shops.setAccessToken(shop, `${shop}-token`);
      await shops.bind({ shop, extension: "both", plugin: "adyen", live: LIVE, test: TEST });
    }
    await shops.bind({ shop: "shop-a", extension: "other", plugin: "adyen", live: LIVE, test: TEST });
    const copies: [string, string][] = [
      [
        "credentials to another shop",
        `UPDATE shop_extensions SET live_credentials_sealed =
        (SELECT live_credentials_sealed FROM shop_extensions WHERE shop = 'shop-a' AND extension = 'both')
        WHERE shop = 'shop-b' AND extension = 'both'`,
      ],
      [
        "credentials to another extension",
        `UPDATE shop_extensions SET test_credentials_sealed =
        (SELECT test_credentials_sealed FROM shop_extensions WHERE shop = 'shop-b' AND extension = 'both')
        WHERE shop = 'shop-a' AND extension = 'other'`,
      ],
      [
        "test credentials to live",
        `UPDATE shop_extensions SET live_credentials_sealed = test_credentials_sealed
        WHERE shop = 'shop-a' AND extension = 'both'`,
      ],
    ];
    const victims = [["shop-b", "both"], ["shop-a", "other"], ["shop-a", "both"]];
    for (const [i, [label, sql]] of copies.entries()) {
      await t.step(label, async () => {
        await rawRows(db, sql);
        await assertWontOpen(() => shops.findBinding(victims[i][0], victims[i][1]));
      });
    }
    await t.step("another master key", async () => {
      const otherKey = createSqlShopStore(db.client, createSecretBox(generateMasterKey()));
      await assert.rejects(
        () => otherKey.accessToken("shop-a"),
        (error) => error instanceof SecretBoxError && error.code === "unknown_key",
      );
    });
    await t.step("access token to another shop", async () => {
      await rawRows(
        db,
        `UPDATE shops SET access_token_sealed = (SELECT access_token_sealed FROM shops WHERE shop = 'shop-a')
         WHERE shop = 'shop-b'`,
      );
      await assertWontOpen(() => shops.accessToken("shop-b"));
      assert.strictEqual(await shops.accessToken("shop-a"), "shop-a-token");
    });
  });

  contractTest("list() shows which modes are bound without revealing credentials", async (db) => {
    const shops = shopStore(db);
    await shops.upsertShop("shop-b");
    await shops.upsertShop("shop-a");
    await shops.setAccessToken("shop-a", ACCESS_TOKEN);
    for (const binding of BINDINGS) await shops.bind(binding);
    const listed = await shops.list();
    assert.deepStrictEqual(listed, [
      {
        shop: "shop-a",
        hasAccessToken: true,
        bindings: [
          { shop: "shop-a", extension: "both", plugin: "adyen", live: true, test: true },
          { shop: "shop-a", extension: "live_only", plugin: "adyen", live: true, test: false },
          { shop: "shop-a", extension: "none", plugin: "fakepsp", live: false, test: false },
          { shop: "shop-a", extension: "test-only", plugin: "fakepsp", live: false, test: true },
        ],
      },
      { shop: "shop-b", hasAccessToken: false, bindings: [] },
    ]);
    assertSealedOnly(listed);
    assert.ok(!JSON.stringify(listed).includes("v1."), "not even sealed values are listed");
  });

  contractTest("removeShop() removes a shop with its token and bindings", async (db) => {
    const shops = shopStore(db);
    for (const shop of ["shop-a", "shop-b"]) {
      await shops.upsertShop(shop);
      await shops.setAccessToken(shop, ACCESS_TOKEN);
      await shops.bind({ ...BINDINGS[0], shop });
    }
    assert.strictEqual(await shops.removeShop("shop-a"), true);
    assert.strictEqual(await shops.removeShop("shop-a"), false);
    assert.strictEqual(await shops.removeShop("nobody"), false);
    assert.strictEqual(await shops.findBinding("shop-a", "both"), undefined);
    assert.strictEqual(await shops.accessToken("shop-a"), undefined);
    assert.deepStrictEqual((await rawRows(db, "SELECT shop FROM shop_extensions")).map((row) => row.shop), [
      "shop-b",
    ]);
    assert.deepStrictEqual((await shops.list()).map((shop) => shop.shop), ["shop-b"]);
    assert.deepStrictEqual(await shops.findBinding("shop-b", "both"), { ...BINDINGS[0], shop: "shop-b" });
  });
}
