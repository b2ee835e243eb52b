/**
 * The kit's own transport: a minimal PspHttp over fetch that only ever reaches emulators on loopback. It keeps
 * the port's promises the way the gateway's transport does (bodies serialised as JSON or a form, the deadline
 * as a timeout, a refused connection `not_sent`, every other failure after sending `no_answer`), and writes
 * one log line per exchange without bodies or headers, so the kit can scan it for card numbers.
 * @module
 */
import type { PspHttp, PspHttpRequest, PspHttpResult } from "../../../src/plugin_api.ts";

/** True for the loopback addresses an emulator may listen on. */
export function isLoopback(url: string): boolean {
  try {
    const { hostname, protocol } = new URL(url);
    return protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(hostname);
  } catch {
    return false;
  }
}

/** A PspHttp to loopback emulators; anything else is `not_sent`. `log` receives one line per exchange. */
export function createLoopbackHttp(log: (line: string) => void): PspHttp {
  return {
    async send(request: PspHttpRequest, deadline: number): Promise<PspHttpResult> {
      const budget = deadline - Date.now();
      if (budget <= 0) return { kind: "not_sent", detail: "deadline passed before sending" };
      if (!isLoopback(request.url)) {
        return { kind: "not_sent", detail: "the kit reaches only loopback emulators" };
      }
      const url = new URL(request.url);
      const headers: Record<string, string> = { accept: "application/json", ...request.headers };
      let body: string | undefined;
      if (request.json !== undefined) {
        headers["content-type"] = "application/json";
        body = JSON.stringify(request.json);
      } else if (request.form !== undefined) {
        headers["content-type"] = "application/x-www-form-urlencoded";
        body = new URLSearchParams(request.form).toString();
      }
      const summary = { operation: request.operation, method: request.method, host: url.host };
      try {
        const response = await fetch(url, {
          method: request.method,
          headers,
          body,
          signal: AbortSignal.timeout(budget),
        });
        const text = await response.text();
        log(JSON.stringify({ event: "psp.exchange", ...summary, status: response.status }));
        const answer: Record<string, string> = {};
        response.headers.forEach((value, key) => answer[key] = value);
        return { kind: "response", status: response.status, headers: answer, body: text };
      } catch (error) {
        const refused = isConnectionRefused(error);
        log(JSON.stringify({ event: "psp.exchange.failed", ...summary, refused }));
        return refused
          ? { kind: "not_sent", detail: "connection refused" }
          : { kind: "no_answer", detail: "no answer from the PSP" };
      }
    },
  };
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
