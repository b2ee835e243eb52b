import type { Logger, PspHttp, PspHttpRequest, PspHttpResult } from "../../src/mod.ts";

export interface FetchPspHttpOptions {
  readonly logger: Logger;
  /** Fields added to every log line (plugin id, shop, ...). */
  readonly context?: Readonly<Record<string, string>>;
  readonly now?: () => number;
  /** Called after every exchange with its scrubbed summary (no bodies, no headers), e.g. for the audit trail. */
  readonly onExchange?: (summary: Readonly<Record<string, string | number>>) => Promise<void>;
}

/**
 * The PspHttp port over fetch. Bodies are never logged: they may carry card data or credentials.
 * Connection refused is reported as not_sent (nothing left this process); every other failure after the
 * request started is no_answer, because the PSP may have acted on it.
 */
export function createFetchPspHttp(options: FetchPspHttpOptions): PspHttp {
  const now = options.now ?? Date.now;
  /** The record must not change what the PSP said: a failure to record is logged, not thrown. */
  async function record(summary: Readonly<Record<string, string | number>>): Promise<void> {
    try {
      await options.onExchange?.(summary);
    } catch (error) {
      options.logger.error("psp.exchange.unrecorded", {
        error: error instanceof Error ? error.message : "unknown",
      });
    }
  }
  return {
    async send(request: PspHttpRequest, deadline: number): Promise<PspHttpResult> {
      const started = now();
      const budget = deadline - started;
      const log = { ...options.context, operation: request.operation, method: request.method };
      if (budget <= 0) {
        options.logger.warn("psp.request.skipped", { ...log, reason: "deadline_passed" });
        return { kind: "not_sent", detail: "deadline passed before sending" };
      }
      let url: URL;
      try {
        url = new URL(request.url);
      } catch {
        return { kind: "not_sent", detail: "invalid PSP URL" };
      }
      const headers: Record<string, string> = { accept: "application/json", ...request.headers };
      if (request.json !== undefined) headers["content-type"] = "application/json";
      if (request.form !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
      const body = request.json !== undefined
        ? JSON.stringify(request.json)
        : request.form !== undefined
        ? new URLSearchParams(request.form).toString()
        : undefined;
      try {
        const response = await fetch(url, {
          method: request.method,
          headers,
          body,
          signal: AbortSignal.timeout(budget),
        });
        const text = await response.text();
        const summary = {
          operation: request.operation,
          method: request.method,
          host: url.host,
          status: response.status,
          durationMs: now() - started,
        };
        options.logger.info("psp.exchange", { ...log, ...summary });
        await record(summary);
        return {
          kind: "response",
          status: response.status,
          headers: headerRecord(response.headers),
          body: text,
        };
      } catch (error) {
        const detail = describeFetchError(error);
        const result: PspHttpResult = isConnectionRefused(error)
          ? { kind: "not_sent", detail }
          : { kind: "no_answer", detail };
        const summary = {
          operation: request.operation,
          method: request.method,
          host: url.host,
          result: result.kind,
          detail,
          durationMs: now() - started,
        };
        options.logger.warn("psp.exchange.failed", { ...log, ...summary });
        await record(summary);
        return result;
      }
    },
  };
}

function headerRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, key) => record[key] = value);
  return record;
}

/** Deno reports a refused connection as `TypeError: fetch failed` with the reason in `cause`. */
function isConnectionRefused(error: unknown): boolean {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    const text = String((current as { message?: unknown }).message ?? current);
    if (/connection refused|ECONNREFUSED/i.test(text)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** A short, safe description: error names and standard messages only, never a body. */
function describeFetchError(error: unknown): string {
  if (error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return "timed out waiting for the PSP";
  }
  if (isConnectionRefused(error)) return "connection refused";
  return error instanceof Error ? `${error.name}: network error` : "network error";
}
