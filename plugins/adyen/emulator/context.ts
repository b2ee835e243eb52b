/**
 * What the emulator's flows share: where the emulator is reachable, its clock, its accounts and its
 * notifications.
 * @module
 */
import type { AccountBook } from "./accounts.ts";
import type { Notifier } from "./notifications.ts";

export interface EmulatorContext {
  /** Absolute URL of the emulator, its mount prefix included, without a trailing slash. */
  readonly publicUrl: string;
  readonly now: () => number;
  readonly accounts: AccountBook;
  readonly notifier: Notifier;
}
