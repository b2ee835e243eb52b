/**
 * What the dev-mode Genstore knows, as Genstore would: its shops, the authorization codes it handed out on
 * consent (single use, one minute) and the access tokens it issued for them, which the callback inbox
 * accepts. Its state is its own: in memory, and in its own file (DATA_DIR/dev-genstore.json) when given one,
 * so the shops and tokens survive a restart. Never in the gateway's database.
 * @module
 */

export interface DevShop {
  readonly handle: string;
  /** Genstore's id of the shop, sent as `shopId` on launches. */
  readonly shopId: string;
  /** The app is installed: a token was issued and not revoked by an uninstall. */
  readonly installed: boolean;
}

interface Persisted {
  shops: { handle: string; shopId: string; installed: boolean }[];
  /** Token → shop handle. */
  tokens: Record<string, string>;
}

export interface DevGenstoreState {
  shops(): readonly DevShop[];
  shop(handle: string): DevShop | undefined;
  /** Creates a shop; `invalid` for a handle Genstore would refuse, `exists` for one already there. */
  createShop(handle: string): DevShop | "invalid" | "exists";
  /** The merchant consented: a single-use code for the app, valid for a minute. */
  issueCode(shop: string, scope: string): string;
  /** Redeems a code of this shop once; undefined for an unknown, used, expired or foreign code. */
  redeemCode(shop: string, code: string): { readonly scope: string } | undefined;
  /** Issues the shop's offline access token (the shop is now installed). */
  issueToken(shop: string): string;
  tokenValid(shop: string, token: string | undefined): boolean;
  /** The app was uninstalled: its tokens stop working. */
  uninstall(shop: string): void;
}

const HANDLE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const CODE_TTL_MS = 60_000;

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}

function read(path: string | undefined): Persisted | undefined {
  if (path === undefined) return undefined;
  try {
    return JSON.parse(Deno.readTextFileSync(path)) as Persisted;
  } catch {
    return undefined;
  }
}

/**
 * @param seed shops known from the start with their token (dev mode: `demo` with `dev-token`).
 * @param path the state file; absent, the state lives in memory only.
 */
export function createDevGenstoreState(
  seed: readonly { readonly handle: string; readonly token: string }[],
  path?: string,
  now: () => number = Date.now,
): DevGenstoreState {
  const state: Persisted = read(path) ?? { shops: [], tokens: {} };
  // Seeded shops are installed again at every start, as the gateway's dev seeding re-applies them.
  for (const { handle, token } of seed) {
    const known = state.shops.find((shop) => shop.handle === handle);
    if (known === undefined) {
      state.shops.push({ handle, shopId: String(1000 + state.shops.length), installed: true });
    } else known.installed = true;
    state.tokens[token] = handle;
  }
  const codes = new Map<string, { shop: string; scope: string; until: number }>();
  const save = () => {
    if (path !== undefined) Deno.writeTextFileSync(path, JSON.stringify(state, null, 2), { mode: 0o600 });
  };
  const find = (handle: string) => state.shops.find((shop) => shop.handle === handle);
  save();
  return {
    shops: () => state.shops.map((shop) => ({ ...shop })),
    shop: (handle) => {
      const shop = find(handle);
      return shop === undefined ? undefined : { ...shop };
    },
    createShop(handle) {
      if (!HANDLE.test(handle)) return "invalid";
      if (find(handle) !== undefined) return "exists";
      const shop = { handle, shopId: String(1000 + state.shops.length), installed: false };
      state.shops.push(shop);
      save();
      return { ...shop };
    },
    issueCode(shop, scope) {
      const code = randomHex(16);
      codes.set(code, { shop, scope, until: now() + CODE_TTL_MS });
      return code;
    },
    redeemCode(shop, code) {
      const issued = codes.get(code);
      codes.delete(code);
      if (issued === undefined || issued.shop !== shop || issued.until < now()) return undefined;
      return { scope: issued.scope };
    },
    issueToken(shop) {
      const token = `gst_${randomHex(20)}`;
      state.tokens[token] = shop;
      const record = find(shop);
      if (record !== undefined) record.installed = true;
      save();
      return token;
    },
    tokenValid: (shop, token) =>
      token !== undefined && Object.hasOwn(state.tokens, token) && state.tokens[token] === shop,
    uninstall(shop) {
      for (const [token, owner] of Object.entries(state.tokens)) {
        if (owner === shop) delete state.tokens[token];
      }
      const record = find(shop);
      if (record !== undefined) record.installed = false;
      save();
    },
  };
}
