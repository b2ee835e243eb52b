/**
 * A background loop of the gateway (reconciliation, the audit sealer): runs its work, again at once while the
 * work says there is more, otherwise after `everyMs`; a failed round is logged and the loop goes on.
 * @module
 */
import type { Logger } from "../../src/mod.ts";
import { SYSTEM_CLOCK } from "./system.ts";

export interface Periodic {
  /** Ends the loop after the current round. */
  stop(): Promise<void>;
}

export function runPeriodically(options: {
  readonly name: string;
  readonly everyMs: number;
  readonly logger: Logger;
  /** One round; true when it stopped at its batch limit and more is waiting. */
  readonly work: () => Promise<boolean>;
}): Periodic {
  let running = true;
  const stop = new AbortController();
  const loop = (async () => {
    while (running) {
      let more = false;
      try {
        more = await options.work();
      } catch (error) {
        options.logger.error(`${options.name}.round_failed`, {
          error: error instanceof Error ? error.message : "unknown",
        });
      }
      if (!more && running) await SYSTEM_CLOCK.sleep(options.everyMs, stop.signal);
    }
  })();
  return {
    async stop() {
      running = false;
      stop.abort();
      await loop;
    },
  };
}
