/**
 * The emulator's accounts and the template API's authentication: `Authorization: Bearer <apiKey>` opens the
 * account of that key. Accounts are configuration, not state: they come from the options (or sandbox.json)
 * at every start.
 * @module
 */
import { idempotencyScope } from "../../kit/emulator/mod.ts";

export interface NpGbd5rszjn5EmulatorAccount {
  /** `test_...` or `live_...`; `GET /account` answers the mode the prefix says. */
  readonly apiKey: string;
  /** Signs the account's notifications. */
  readonly webhookSecret: string;
  /** Where the account's notifications go; none are sent without it. */
  readonly webhookUrl?: string;
}

/** The account of a request, and the scope its payments and idempotency keys are kept under. */
export interface Caller {
  readonly account: NpGbd5rszjn5EmulatorAccount;
  /** The API key's hash: no state holds the key itself. */
  readonly scope: string;
}

export interface AccountBook {
  /** The caller of a request, or undefined when its bearer key opens no account. */
  caller(request: Request): Promise<Caller | undefined>;
  /** The account whose scope this is (to sign its notifications). */
  byScope(scope: string): Promise<NpGbd5rszjn5EmulatorAccount | undefined>;
}

export function createAccountBook(accounts: readonly NpGbd5rszjn5EmulatorAccount[]): AccountBook {
  for (const account of accounts) {
    // Configuration mistakes fail here, at start-up, not when the first notification is signed.
    if (!/^(?:test|live)_[A-Za-z0-9_]{8,}$/.test(account.apiKey) || account.webhookSecret.length < 16) {
      throw new Error(
        "Cannot add a Np Gbd5rszjn5 emulator account without a valid API key and webhook secret",
      );
    }
    if (account.webhookUrl !== undefined) new URL(account.webhookUrl);
  }
  const scopes = new Map(accounts.map((account) => [account.apiKey, idempotencyScope(account.apiKey)]));
  return {
    async caller(request) {
      const match = /^Bearer (\S+)$/.exec(request.headers.get("authorization") ?? "");
      const account = accounts.find((candidate) => candidate.apiKey === match?.[1]);
      return account === undefined ? undefined : { account, scope: await scopes.get(account.apiKey)! };
    },
    async byScope(scope) {
      for (const account of accounts) if (await scopes.get(account.apiKey) === scope) return account;
      return undefined;
    },
  };
}
