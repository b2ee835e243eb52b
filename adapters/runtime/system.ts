import type { BackgroundWork, Clock, IdSource } from "../../src/mod.ts";

/** The real clock. */
export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    });
  },
};

const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

/** 20 characters of base32 from the CSPRNG: 100 bits, URL-safe, lower case. */
export const RANDOM_IDS: IdSource = {
  token(): string {
    const bytes = crypto.getRandomValues(new Uint8Array(20));
    return Array.from(bytes, (byte) => ALPHABET[byte & 31]).join("");
  },
};

/** Tracks work that outlives its request, so shutdown can wait for it. */
export function createBackgroundWork(): BackgroundWork & {
  settle(timeoutMs: number): Promise<boolean>;
  size(): number;
} {
  const pending = new Set<Promise<unknown>>();
  return {
    track(work: Promise<unknown>) {
      const tracked = work.catch(() => {}).finally(() => pending.delete(tracked));
      pending.add(tracked);
    },
    size: () => pending.size,
    async settle(timeoutMs: number): Promise<boolean> {
      const all = Promise.all([...pending]).then(() => true);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), timeoutMs));
      const settled = await Promise.race([all, timeout]);
      clearTimeout(timer);
      return settled;
    },
  };
}
