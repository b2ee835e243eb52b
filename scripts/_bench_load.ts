/**
 * The benchmark's load generator: a fixed number of pre-built requests sent at a fixed concurrency from this
 * process, with fetch over keep-alive connections. Each answer is timed (request sent → body read) and
 * checked by the caller.
 * @module
 */
import process from "node:process";

/** One pre-built request: body already serialised, headers (signature included) already computed. */
export interface LoadItem {
  readonly id: string;
  readonly body: Uint8Array<ArrayBuffer>;
  readonly headers: Readonly<Record<string, string>>;
}

export interface LoadAnswer {
  readonly status: number;
  readonly text: string;
}

export interface LoadResult {
  /** performance.now() when each request was sent, by item index. */
  readonly sentAt: number[];
  /** Synchronous answer latency in ms, by item index. */
  readonly latencies: number[];
  readonly answers: LoadAnswer[];
  /** First send to last answer. */
  readonly wallMs: number;
  /** Process CPU time (user + system) spent during the run, in ms, over every thread of this process. */
  readonly cpuMs: number;
  /** Check failures, `id: reason`. */
  readonly failures: string[];
}

/**
 * Sends every item to `url` with `concurrency` requests in flight. `check` returns a reason when an answer is
 * wrong. Never throws for a bad answer: the failures are collected and the caller decides (loudly).
 */
export async function runLoad(
  url: string | readonly string[],
  items: readonly LoadItem[],
  concurrency: number,
  check: (item: LoadItem, answer: LoadAnswer) => string | undefined,
  requestTimeoutMs = 30_000,
  ratePerSecond?: number,
): Promise<LoadResult> {
  const urls = typeof url === "string" ? [url] : url;
  const sentAt = new Array<number>(items.length);
  const latencies = new Array<number>(items.length);
  const answers = new Array<LoadAnswer>(items.length);
  const failures: string[] = [];
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      const item = items[index];
      // At a fixed rate, item i leaves at start + i / rate (open loop, bounded by the workers in flight).
      if (ratePerSecond !== undefined) {
        const due = started + (index * 1000) / ratePerSecond;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      const sent = performance.now();
      sentAt[index] = sent;
      let answer: LoadAnswer;
      try {
        const response = await fetch(urls[index % urls.length], {
          method: "POST",
          headers: item.headers,
          body: item.body,
          signal: AbortSignal.timeout(requestTimeoutMs),
        });
        answer = { status: response.status, text: await response.text() };
      } catch (error) {
        answer = {
          status: 0,
          text: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        };
      }
      latencies[index] = performance.now() - sent;
      answers[index] = answer;
      const problem = check(item, answer);
      if (problem !== undefined) failures.push(`${item.id}: ${problem}`);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { sentAt, latencies, answers, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, failures };
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}
