/**
 * The shape every emulator has as a program of the sandbox (scripts/sandbox.ts, sandbox.json): a factory
 * that takes the sandbox's options and returns an HTTP app with a `fetch` and a `close`.
 * @module
 */

/** A sandbox account of sandbox.json, its `{sandbox}` placeholders already replaced. */
export interface SandboxAccount {
  /** The extension the account belongs to (`card`, `wallet`, `bank`). */
  readonly extension: string;
  /** The credentials a shop stores for the extension's plugin. */
  readonly credentials: Readonly<Record<string, string>>;
}

export interface EmulatorProgramOptions {
  /** Absolute URL where the emulator is reachable, its prefix included (`http://127.0.0.1:8090/adyen`). */
  readonly publicUrl: string;
  /** The accounts of sandbox.json whose emulator this is. */
  readonly accounts: readonly SandboxAccount[];
  /**
   * The gateway's base URL (`http://127.0.0.1:8080`): the emulator sends its notifications to its plugin's
   * route there (`{notifyUrl}/v1/notifications/<plugin>`). No notifications are sent without it, except to
   * URLs a request names (Mollie's webhookUrl).
   */
  readonly notifyUrl?: string;
  /** The file of the emulator's state; in memory when absent. */
  readonly statePath?: string;
}

/** A running emulator: serves requests at the real API's paths (the sandbox strips its prefix). */
export interface EmulatorProgram {
  fetch(request: Request): Promise<Response>;
  /** Stops notifications, releases held connections, and closes the state (its file lock). */
  close(): Promise<void> | void;
}

/** What sandbox.json names as an emulator's `factory`. */
export type EmulatorFactory = (options: EmulatorProgramOptions) => EmulatorProgram;

/** The credentials of the accounts, each checked to have the named string fields; throws naming the first gap. */
export function accountCredentials(
  emulator: string,
  accounts: readonly SandboxAccount[],
  fields: readonly string[],
): Readonly<Record<string, string>>[] {
  return accounts.map((account) => {
    for (const field of fields) {
      const value = account.credentials[field];
      if (typeof value !== "string" || value === "") {
        throw new Error(
          `Cannot start the ${emulator} emulator as the ${account.extension} account has no ${field}`,
        );
      }
    }
    return account.credentials;
  });
}
