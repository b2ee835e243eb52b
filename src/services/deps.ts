import type { CardDecryptor } from "../ports/card_decryptor.ts";
import type { Clock } from "../ports/clock.ts";
import type { Failpoints } from "../ports/failpoints.ts";
import type { IdSource } from "../ports/id_source.ts";
import type { Logger } from "../ports/logger.ts";
import type { PaymentStore } from "../ports/payment_store.ts";
import type { PspHttp } from "../ports/psp_http.ts";
import type { LoadedPlugin } from "../ports/psp_plugin.ts";
import type { ShopDirectory } from "../ports/shop_directory.ts";
import type { SettlingCalls } from "./settling_calls.ts";

/** Timing policy of the gateway. All durations in milliseconds. */
export interface GatewaySettings {
  /** Public base URL of this gateway, for return and redirect URLs. */
  readonly appUrl: string;
  /** How long a request may wait for the PSP before answering `{}` and finishing asynchronously. */
  readonly answerBudgetMs: number;
  /** How long one PSP call may take before its outcome is unknown. */
  readonly pspTimeoutMs: number;
  /** How long a duplicate request waits for the first one's answer before answering 409 in progress. */
  readonly duplicateWaitMs: number;
  /** First delay before asking the PSP about an unknown outcome; doubles on each check. */
  readonly reconcileFirstDelayMs: number;
  readonly reconcileMaxDelayMs: number;
  /** How long an outcome may stay unknown before it goes to the review queue. */
  readonly reconcileDeadlineMs: number;
  /** How long a PSP-pending operation waits for a notification before the gateway asks. */
  readonly pendingCheckDelayMs: number;
  /** How long a buyer has to finish a challenge or offsite page. */
  readonly actionTimeoutMs: number;
}

/** Context of a PSP call, for the transport's logs. */
export interface PspCallLabels {
  readonly shop: string;
  readonly extension: string;
  readonly plugin: string;
  readonly reference: string;
  /** Test mode: the call may only reach the plugin's declared test hosts. */
  readonly test: boolean;
}

/** Everything the application services need, passed as one object (parameter injection). */
export interface GatewayDeps {
  readonly store: PaymentStore;
  readonly shops: ShopDirectory;
  readonly plugins: ReadonlyMap<string, LoadedPlugin>;
  readonly pspHttp: (labels: PspCallLabels) => PspHttp;
  readonly decryptor: CardDecryptor;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly logger: Logger;
  readonly settings: GatewaySettings;
  /** Keeps work that outlives a request (a PSP call past the answer budget) visible for graceful shutdown. */
  readonly background: BackgroundWork;
  /** This process's PSP calls whose outcome is being recorded, which their notifications wait for. */
  readonly settling: SettlingCalls;
  /** Crash points for tests; NO_FAILPOINTS otherwise. */
  readonly failpoints: Failpoints;
}

export interface BackgroundWork {
  track(work: Promise<unknown>): void;
}

/** The plugin bound to a payment; a missing plugin is a configuration bug, so it throws. */
export function pluginOf(deps: GatewayDeps, pluginId: string): LoadedPlugin {
  const plugin = deps.plugins.get(pluginId);
  if (plugin === undefined) throw new Error(`Cannot find the PSP plugin: ${pluginId}`);
  return plugin;
}
