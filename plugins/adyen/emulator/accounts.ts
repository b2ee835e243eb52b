/**
 * The emulator's accounts and Adyen's API-key authentication: an API credential (X-API-Key) opens the merchant
 * accounts it belongs to. Accounts are configuration, not state: they come from the options (or sandbox.json)
 * at every start.
 * @module
 */
import { idempotencyScope } from "../../kit/emulator/mod.ts";

export interface AdyenEmulatorAccount {
  readonly apiKey: string;
  readonly merchantAccount: string;
  /** The HMAC key of the webhook endpoint, hex-encoded as Adyen's Customer Area shows it. */
  readonly hmacKeyHex: string;
  /** Where standard notifications are sent; none are sent without it. */
  readonly webhookUrl?: string;
  /** Adyen enables multiple partial captures per account on request; the emulator enables it by default. */
  readonly multiplePartialCaptures?: boolean;
}

/** The API credential of a request and the merchant accounts it opens. */
export interface Caller {
  readonly apiKey: string;
  readonly accounts: readonly AdyenEmulatorAccount[];
}

export interface AccountBook {
  /** Adds an account, replacing one with the same API key and merchant account; throws on a bad one. */
  add(account: AdyenEmulatorAccount): void;
  forMerchant(merchantAccount: string): AdyenEmulatorAccount | undefined;
  /** The caller of a request, or undefined when its X-API-Key opens no account. */
  caller(request: Request): Caller | undefined;
  /** The idempotency scope of an API key: its hash, so that no state holds the key itself. */
  scopeOf(apiKey: string): Promise<string>;
}

export function createAccountBook(initial: readonly AdyenEmulatorAccount[]): AccountBook {
  const accounts: AdyenEmulatorAccount[] = [];
  const scopes = new Map<string, Promise<string>>();

  function add(account: AdyenEmulatorAccount): void {
    // Configuration mistakes fail here, at start-up, not when the first notification is signed.
    if (account.apiKey === "" || account.merchantAccount === "") {
      throw new Error("Cannot add an Adyen emulator account without an API key and a merchant account");
    }
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(account.hmacKeyHex)) {
      throw new Error(
        `Cannot add an Adyen emulator account with a non-hex HMAC key: ${account.merchantAccount}`,
      );
    }
    if (account.webhookUrl !== undefined) new URL(account.webhookUrl);
    const existing = accounts.findIndex((a) =>
      a.apiKey === account.apiKey && a.merchantAccount === account.merchantAccount
    );
    if (existing >= 0) accounts.splice(existing, 1);
    accounts.push(account);
  }
  for (const account of initial) add(account);

  return {
    add,
    forMerchant(merchantAccount) {
      return accounts.find((account) => account.merchantAccount === merchantAccount);
    },
    caller(request) {
      const apiKey = request.headers.get("x-api-key");
      if (apiKey === null || apiKey === "") return undefined;
      const owned = accounts.filter((account) => account.apiKey === apiKey);
      return owned.length === 0 ? undefined : { apiKey, accounts: owned };
    },
    scopeOf(apiKey) {
      let scope = scopes.get(apiKey);
      if (scope === undefined) {
        scope = idempotencyScope(apiKey);
        scopes.set(apiKey, scope);
      }
      return scope;
    },
  };
}

/** Whether the caller's credential opens this merchant account. */
export function opens(caller: Caller, merchantAccount: string): boolean {
  return caller.accounts.some((account) => account.merchantAccount === merchantAccount);
}
