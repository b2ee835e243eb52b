import type { CallbackMessage, ExtensionBinding, ShopDirectory } from "../../src/mod.ts";
import type { SecretBox } from "../crypto/secret_box.ts";
import type { SqlClient, SqlExecutor } from "./sql_client.ts";
import { deadLetterPendingWithin, enqueueCallbackWithin } from "./sql_outbox_store.ts";

export type CredentialMode = "live" | "test";

/** A binding as an operator sees it: which modes have credentials, never the credentials. */
export interface BindingSummary {
  readonly shop: string;
  readonly extension: string;
  readonly plugin: string;
  readonly live: boolean;
  readonly test: boolean;
}

export interface ShopSummary {
  readonly shop: string;
  readonly hasAccessToken: boolean;
  readonly bindings: readonly BindingSummary[];
}

/** Whether the configured master keys open what is sealed in the database. */
export type SealingCheck =
  | { readonly ok: true }
  | {
    readonly ok: false;
    /** Key ids the database's secrets are sealed with that no configured key opens. */
    readonly unopened: readonly string[];
    readonly configured: readonly string[];
  };

/** Shops, their Genstore access tokens and extension bindings, with every secret sealed at rest. */
export interface ShopStore extends ShopDirectory {
  /**
   * Proves the configured master keys open the database's secrets: one sealed value per key id in use is
   * opened (or, before any secret exists, the check value of the key that first started on it), and the
   * sealing key's check value is recorded. Never returns a key, only key ids.
   */
  checkSealing(): Promise<SealingCheck>;
  upsertShop(shop: string): Promise<void>;
  removeShop(shop: string): Promise<boolean>;
  setAccessToken(shop: string, token: string): Promise<void>;
  accessToken(shop: string): Promise<string | undefined>;
  bind(binding: ExtensionBinding): Promise<void>;
  list(): Promise<readonly ShopSummary[]>;
  /** Re-seals every secret made with an older master key under the current one; returns how many. */
  resealAll(): Promise<number>;
  /**
   * The OAuth install: creates the shop if it is new and stores its access token sealed (a reinstall replaces
   * it), and forgets the uninstall webhooks remembered by their body only (a later one is a new uninstall).
   */
  install(shop: string, token: string): Promise<void>;
  /**
   * Stores one mode's credentials (the other mode's stay, unless the extension changes plugin) and queues the
   * callback that reports it, in one transaction.
   */
  connectAccount(change: AccountChange, credentials: Readonly<Record<string, unknown>>): Promise<void>;
  /**
   * Removes one mode's credentials and queues the callback that reports it, in one transaction; false (and
   * nothing queued) when that mode had none.
   */
  disconnectAccount(change: Omit<AccountChange, "plugin">): Promise<boolean>;
  /**
   * `app/uninstalled` inside the caller's transaction: the access token and every binding (with its
   * credentials) deleted, pending callbacks dead-lettered with `reason`. Payment records stay. Call forget()
   * once the transaction has committed.
   */
  uninstallWithin(tx: SqlExecutor, shop: string, reason: string): Promise<UninstallResult>;
  /** Drops what this process caches of a shop (bindings, token), so a change applies to its next request. */
  forget(shop: string): void;
}

/** One account-authorization change of a shop's extension, and the callback reporting it. */
export interface AccountChange {
  readonly shop: string;
  readonly extension: string;
  readonly plugin: string;
  readonly mode: CredentialMode;
  readonly callback: CallbackMessage;
}

export interface UninstallResult {
  readonly bindings: number;
  readonly deadLettered: number;
}

/** Appends an audit entry inside the caller's transaction (the change and its entry commit together). */
export async function appendAuditWithin(
  tx: SqlExecutor,
  entry: { shop: string; kind: string; subject: string; payload: Record<string, unknown> },
): Promise<void> {
  await tx.query("SELECT audit_append($1, $2, $3, $4)", [
    entry.shop,
    entry.kind,
    entry.subject,
    JSON.stringify(entry.payload),
  ]);
}

/** The record identity a sealed secret is bound to: moved to another row, it no longer opens. */
function tokenAad(shop: string): string {
  return `genstore-access-token|${shop}`;
}

function credentialsAad(shop: string, extension: string, mode: CredentialMode): string {
  return `psp-credentials|${shop}|${extension}|${mode}`;
}

function checkAad(keyId: string): string {
  return `master-key-check|${keyId}`;
}

/** One sealed value per key id in use, with the AAD it was sealed under. */
const SEALED_SAMPLES = `
  SELECT DISTINCT ON (key_id) key_id, sealed, aad FROM (
    SELECT split_part(access_token_sealed, '.', 2) AS key_id, access_token_sealed AS sealed,
      'genstore-access-token|' || shop AS aad FROM shops WHERE access_token_sealed IS NOT NULL
    UNION ALL
    SELECT split_part(live_credentials_sealed, '.', 2), live_credentials_sealed,
      'psp-credentials|' || shop || '|' || extension || '|live' FROM shop_extensions
      WHERE live_credentials_sealed IS NOT NULL
    UNION ALL
    SELECT split_part(test_credentials_sealed, '.', 2), test_credentials_sealed,
      'psp-credentials|' || shop || '|' || extension || '|test' FROM shop_extensions
      WHERE test_credentials_sealed IS NOT NULL
  ) sealed ORDER BY key_id`;

/**
 * @param options.cacheMs how long a binding read (and decrypted) is reused; changes made by another process
 *   take effect within this time. 0 disables the cache.
 */
export function createSqlShopStore(
  client: SqlClient,
  box: SecretBox,
  options: {
    cacheMs?: number;
    /** Called after a change that queued a callback (an account authorized or withdrawn) has committed. */
    onCallbackQueued?: () => void;
  } = {},
): ShopStore {
  const cacheMs = options.cacheMs ?? 0;
  const cache = new Map<string, { at: number; binding: Promise<ExtensionBinding | undefined> }>();
  const tokens = new Map<string, { at: number; token: Promise<string | undefined> }>();
  const allBindings = new Map<string, { at: number; bindings: Promise<ExtensionBinding[]> }>();
  const forget = (shop: string) => {
    for (const key of cache.keys()) if (key.startsWith(`${shop}/`)) cache.delete(key);
    tokens.delete(`${shop}/#token`);
    allBindings.delete(`${shop}/*`);
  };
  async function seal(value: Readonly<Record<string, unknown>> | undefined, aad: string) {
    return value === undefined ? null : await box.seal(JSON.stringify(value), aad);
  }
  async function open(sealed: unknown, aad: string) {
    return typeof sealed === "string"
      ? JSON.parse(await box.open(sealed, aad)) as Record<string, unknown>
      : undefined;
  }
  async function readBinding(shop: string, extension: string): Promise<ExtensionBinding | undefined> {
    const rows = await client.query(
      `SELECT plugin, live_credentials_sealed, test_credentials_sealed FROM shop_extensions
       WHERE shop = $1 AND extension = $2`,
      [shop, extension],
    );
    if (rows.length === 0) return undefined;
    const row = rows[0];
    return {
      shop,
      extension,
      plugin: String(row.plugin),
      live: await open(row.live_credentials_sealed, credentialsAad(shop, extension, "live")),
      test: await open(row.test_credentials_sealed, credentialsAad(shop, extension, "test")),
    };
  }

  async function readBindings(shop: string): Promise<ExtensionBinding[]> {
    const rows = await client.query(
      "SELECT extension FROM shop_extensions WHERE shop = $1 ORDER BY extension",
      [
        shop,
      ],
    );
    const bindings: ExtensionBinding[] = [];
    for (const row of rows) {
      const binding = await readBinding(shop, String(row.extension));
      if (binding !== undefined) bindings.push(binding);
    }
    return bindings;
  }

  async function readAccessToken(shop: string): Promise<string | undefined> {
    const rows = await client.query("SELECT access_token_sealed FROM shops WHERE shop = $1", [shop]);
    const sealed = rows[0]?.access_token_sealed;
    return typeof sealed === "string" ? await box.open(sealed, tokenAad(shop)) : undefined;
  }

  async function opens(sealed: string, aad: string): Promise<boolean> {
    try {
      await box.open(sealed, aad);
      return true;
    } catch {
      return false;
    }
  }

  async function checkSealing(): Promise<SealingCheck> {
    const configured = await box.keyIds();
    const sealingKey = configured[0];
    let samples = await client.query<{ key_id: string; sealed: string; aad: string }>(SEALED_SAMPLES);
    if (samples.length === 0) {
      // No secret yet: the keys that started gateways here are the ones a process must have.
      samples = await client.query<{ key_id: string; sealed: string; aad: string }>(
        "SELECT key_id, check_sealed AS sealed, 'master-key-check|' || key_id AS aad FROM master_key_checks",
      );
    }
    const unopened: string[] = [];
    for (const sample of samples) {
      if (!await opens(sample.sealed, sample.aad)) unopened.push(sample.key_id);
    }
    if (unopened.length > 0) return { ok: false, unopened, configured };
    // Recorded only once proven: a process with the wrong key must not make its key one the next must have.
    await client.query(
      "INSERT INTO master_key_checks (key_id, check_sealed) VALUES ($1, $2) ON CONFLICT (key_id) DO NOTHING",
      [sealingKey, await box.seal("ok", checkAad(sealingKey))],
    );
    return { ok: true };
  }

  /** Runs a change of a shop in a transaction, with its cache forgotten before and after the commit. */
  async function changing<T>(shop: string, work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    forget(shop);
    try {
      return await client.transaction(work);
    } finally {
      // A read that started before the commit may have cached the old binding meanwhile.
      forget(shop);
    }
  }

  const onboarding = onboardingMethods({
    box,
    seal,
    changing,
    forget,
    onCallbackQueued: () => options.onCallbackQueued?.(),
  });
  return {
    ...onboarding,
    checkSealing,
    findBinding(shop: string, extension: string): Promise<ExtensionBinding | undefined> {
      if (cacheMs <= 0) return readBinding(shop, extension);
      const key = `${shop}/${extension}`;
      const now = Date.now();
      const cached = cache.get(key);
      if (cached !== undefined && now - cached.at < cacheMs) return cached.binding;
      const binding = readBinding(shop, extension);
      cache.set(key, { at: now, binding });
      binding.catch(() => cache.delete(key));
      return binding;
    },
    bindingsOf(shop: string): Promise<readonly ExtensionBinding[]> {
      if (cacheMs <= 0) return readBindings(shop);
      const key = `${shop}/*`;
      const cached = allBindings.get(key);
      if (cached !== undefined && Date.now() - cached.at < cacheMs) return cached.bindings;
      const bindings = readBindings(shop);
      allBindings.set(key, { at: Date.now(), bindings });
      bindings.catch(() => allBindings.delete(key));
      return bindings;
    },
    async upsertShop(shop: string): Promise<void> {
      await client.query("INSERT INTO shops (shop) VALUES ($1) ON CONFLICT (shop) DO NOTHING", [shop]);
    },
    async removeShop(shop: string): Promise<boolean> {
      forget(shop);
      const rows = await client.query("DELETE FROM shops WHERE shop = $1 RETURNING shop", [shop]);
      return rows.length > 0;
    },
    async setAccessToken(shop: string, token: string): Promise<void> {
      forget(shop);
      await client.query(
        "UPDATE shops SET access_token_sealed = $2, updated_at = now() WHERE shop = $1",
        [shop, await box.seal(token, tokenAad(shop))],
      );
    },
    accessToken(shop: string): Promise<string | undefined> {
      if (cacheMs <= 0) return readAccessToken(shop);
      const key = `${shop}/#token`;
      const cached = tokens.get(key);
      if (cached !== undefined && Date.now() - cached.at < cacheMs) return cached.token;
      const token = readAccessToken(shop);
      tokens.set(key, { at: Date.now(), token });
      token.catch(() => tokens.delete(key));
      return token;
    },
    async bind(binding: ExtensionBinding): Promise<void> {
      forget(binding.shop);
      const { shop, extension } = binding;
      await client.query(
        `INSERT INTO shop_extensions (shop, extension, plugin, live_credentials_sealed, test_credentials_sealed)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (shop, extension) DO UPDATE SET plugin = EXCLUDED.plugin,
           live_credentials_sealed = EXCLUDED.live_credentials_sealed,
           test_credentials_sealed = EXCLUDED.test_credentials_sealed, updated_at = now()`,
        [
          shop,
          extension,
          binding.plugin,
          await seal(binding.live, credentialsAad(shop, extension, "live")),
          await seal(binding.test, credentialsAad(shop, extension, "test")),
        ],
      );
    },
    async resealAll(): Promise<number> {
      return await client.transaction(async (tx) => {
        let count = 0;
        const shops = await tx.query("SELECT shop, access_token_sealed FROM shops FOR UPDATE");
        for (const row of shops) {
          const sealed = row.access_token_sealed;
          if (typeof sealed !== "string" || !await box.isStale(sealed)) continue;
          const aad = tokenAad(String(row.shop));
          await tx.query("UPDATE shops SET access_token_sealed = $2 WHERE shop = $1", [
            row.shop,
            await box.seal(await box.open(sealed, aad), aad),
          ]);
          count++;
        }
        const bindings = await tx.query(
          "SELECT shop, extension, live_credentials_sealed, test_credentials_sealed FROM shop_extensions FOR UPDATE",
        );
        for (const row of bindings) {
          for (const mode of ["live", "test"] as const) {
            const sealed = row[`${mode}_credentials_sealed`];
            if (typeof sealed !== "string" || !await box.isStale(sealed)) continue;
            const aad = credentialsAad(String(row.shop), String(row.extension), mode);
            await tx.query(
              `UPDATE shop_extensions SET ${mode}_credentials_sealed = $3 WHERE shop = $1 AND extension = $2`,
              [row.shop, row.extension, await box.seal(await box.open(sealed, aad), aad)],
            );
            count++;
          }
        }
        // Everything is sealed under the first key now: the older keys are no longer needed to start.
        const sealingKey = await box.keyId();
        await tx.query("DELETE FROM master_key_checks WHERE key_id <> $1", [sealingKey]);
        await tx.query(
          "INSERT INTO master_key_checks (key_id, check_sealed) VALUES ($1, $2) ON CONFLICT (key_id) DO NOTHING",
          [sealingKey, await box.seal("ok", checkAad(sealingKey))],
        );
        return count;
      });
    },
    async list(): Promise<readonly ShopSummary[]> {
      const shops = await client.query(
        "SELECT shop, access_token_sealed IS NOT NULL AS token FROM shops ORDER BY shop",
      );
      const bindings = await client.query(
        `SELECT shop, extension, plugin, live_credentials_sealed IS NOT NULL AS live,
           test_credentials_sealed IS NOT NULL AS test FROM shop_extensions ORDER BY shop, extension`,
      );
      return shops.map((row) => ({
        shop: String(row.shop),
        hasAccessToken: Boolean(row.token),
        bindings: bindings.filter((b) => b.shop === row.shop).map((b) => ({
          shop: String(b.shop),
          extension: String(b.extension),
          plugin: String(b.plugin),
          live: Boolean(b.live),
          test: Boolean(b.test),
        })),
      }));
    },
  };
}

interface OnboardingParts {
  /** Wakes the outbox worker once a change that queued a callback has committed. */
  onCallbackQueued(): void;
  readonly box: SecretBox;
  seal(value: Readonly<Record<string, unknown>> | undefined, aad: string): Promise<string | null>;
  changing<T>(shop: string, work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  forget(shop: string): void;
}

/** The onboarding changes: install, connect and disconnect one mode, uninstall. */
function onboardingMethods(parts: OnboardingParts): Pick<
  ShopStore,
  "install" | "connectAccount" | "disconnectAccount" | "uninstallWithin" | "forget"
> {
  const { seal, changing } = parts;
  return {
    forget: parts.forget,
    async install(shop, token) {
      const sealed = await parts.box.seal(token, tokenAad(shop));
      await changing(shop, async (tx) => {
        await tx.query(
          `INSERT INTO shops (shop, access_token_sealed) VALUES ($1, $2)
           ON CONFLICT (shop) DO UPDATE SET access_token_sealed = EXCLUDED.access_token_sealed, updated_at = now()`,
          [shop, sealed],
        );
        // An uninstall known only by its body (no delivery id) may come again with the same body: once the
        // shop is installed again, that is a new uninstall, not a repeat. Deliveries with an id stay known.
        await tx.query(
          "DELETE FROM genstore_webhooks WHERE shop = $1 AND topic = 'app/uninstalled' AND delivery LIKE 'sha256:%'",
          [shop],
        );
        await appendAuditWithin(tx, { shop, kind: "shop.installed", subject: `shop/${shop}`, payload: {} });
      });
    },
    async connectAccount(change, credentials) {
      const { shop, extension, plugin, mode } = change;
      const other = mode === "live" ? "test" : "live";
      const sealed = await seal(credentials, credentialsAad(shop, extension, mode));
      await changing(shop, async (tx) => {
        // The other mode's credentials stay only for the same plugin: another plugin could not read them.
        await tx.query(
          `INSERT INTO shop_extensions (shop, extension, plugin, ${mode}_credentials_sealed)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (shop, extension) DO UPDATE SET plugin = EXCLUDED.plugin,
             ${mode}_credentials_sealed = EXCLUDED.${mode}_credentials_sealed,
             ${other}_credentials_sealed = CASE WHEN shop_extensions.plugin = EXCLUDED.plugin
               THEN shop_extensions.${other}_credentials_sealed END,
             updated_at = now()`,
          [shop, extension, plugin, sealed],
        );
        await enqueueCallbackWithin(tx, shop, change.callback);
        await appendAuditWithin(tx, {
          shop,
          kind: "account.authorized",
          subject: `extension/${extension}`,
          payload: { plugin, mode },
        });
      });
      parts.onCallbackQueued();
    },
    async disconnectAccount(change) {
      const { shop, extension, mode } = change;
      const withdrawn = await changing(shop, async (tx) => {
        const rows = await tx.query(
          `UPDATE shop_extensions SET ${mode}_credentials_sealed = NULL, updated_at = now()
           WHERE shop = $1 AND extension = $2 AND ${mode}_credentials_sealed IS NOT NULL RETURNING plugin`,
          [shop, extension],
        );
        if (rows.length === 0) return false;
        await enqueueCallbackWithin(tx, shop, change.callback);
        await appendAuditWithin(tx, {
          shop,
          kind: "account.deauthorized",
          subject: `extension/${extension}`,
          payload: { plugin: String(rows[0].plugin), mode },
        });
        return true;
      });
      if (withdrawn) parts.onCallbackQueued();
      return withdrawn;
    },
    async uninstallWithin(tx, shop, reason) {
      parts.forget(shop);
      await tx.query(
        "UPDATE shops SET access_token_sealed = NULL, updated_at = now() WHERE shop = $1",
        [shop],
      );
      const bindings = await tx.query("DELETE FROM shop_extensions WHERE shop = $1 RETURNING extension", [
        shop,
      ]);
      const deadLettered = await deadLetterPendingWithin(tx, shop, reason);
      await appendAuditWithin(tx, {
        shop,
        kind: "shop.uninstalled",
        subject: `shop/${shop}`,
        payload: { bindings: bindings.length, deadLettered },
      });
      return { bindings: bindings.length, deadLettered };
    },
  };
}
