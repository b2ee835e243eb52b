import type { Clock } from "../ports/clock.ts";

/**
 * The PSP calls this process is waiting on, by operation reference, until their outcome is recorded. A PSP
 * sends its notification as it answers (Adyen does, and so do the emulators), so the notification of a call
 * this process made nearly always arrives while the call's outcome is still being recorded: read then, the
 * operation is not yet in the store's cache of final operations and costs a database read (0.8 a sale under
 * load). The notification handler waits for such a call first, a bounded time, and then finds the outcome
 * final in the cache. Waiting changes nothing about what is applied: the notification is handled exactly as
 * before, only after the answer's transaction.
 */
export interface SettlingCalls {
  /** Marks `reference` as settling until `work` ends (recorded, or failed), and returns `work`. */
  track<T>(reference: string, work: Promise<T>): Promise<T>;
  /**
   * Resolves once none of `references` is settling any more, or after the bound (`waitMs`), whichever comes
   * first; at once when none of them is.
   */
  settled(references: readonly string[]): Promise<void>;
}

/**
 * How long a notification waits for this process's own call at most. A call's outcome is normally recorded
 * within milliseconds of the PSP's answer; a call still waiting for the PSP past this bound gains nothing from
 * the wait, and the PSP should have its acknowledgement well within its own timeout (Adyen: 10 s).
 */
export const SETTLING_WAIT_MS = 1_000;

export function createSettlingCalls(clock: Clock, waitMs = SETTLING_WAIT_MS): SettlingCalls {
  const settling = new Map<string, Promise<unknown>>();
  return {
    track<T>(reference: string, work: Promise<T>): Promise<T> {
      const ended = work.then(() => {}, () => {});
      settling.set(reference, ended);
      ended.then(() => {
        // A later call under the same reference (a reclaimed operation) keeps its own entry.
        if (settling.get(reference) === ended) settling.delete(reference);
      });
      return work;
    },
    async settled(references: readonly string[]): Promise<void> {
      const pending = references.flatMap((reference) => settling.get(reference) ?? []);
      if (pending.length === 0) return;
      const timer = new AbortController();
      try {
        await Promise.race([Promise.all(pending), clock.sleep(waitMs, timer.signal)]);
      } finally {
        // A plain reason: abort() without one builds a DOMException.
        timer.abort("settled");
      }
    },
  };
}
