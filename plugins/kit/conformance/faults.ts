/**
 * The kit's PspHttp: the only road from the plugin to its emulator. It records every request with the
 * idempotency key of the call that made it, refuses hosts the manifest does not declare for test mode (the
 * loopback emulator aside, matched with the gateway's own `hostMatches`), and injects the faults a real
 * network produces.
 * @module
 */
import { hostMatches } from "../../../src/plugin_api.ts";
import type { Money, PspHttp, PspHttpRequest, PspHttpResult } from "../../../src/plugin_api.ts";

/**
 * - `drop_before_send`: the request never leaves; the plugin sees a timeout (`no_answer`), as when a
 *   connection hangs before the PSP read anything.
 * - `refuse_connection`: the request never leaves; the plugin sees `not_sent`.
 * - `drop_answer`: the PSP gets the request and acts on it; the answer is lost (`no_answer`).
 * - `answer_status`: the PSP acts; its answer is replaced by this status and body (a 5xx from a proxy).
 * - `answer_body`: the PSP acts; the body of its answer is replaced (malformed, truncated, not JSON).
 * - `answer_amount`: the PSP acts; the amount in its answer is replaced through the target's hook.
 */
export type Fault =
  | { readonly kind: "drop_before_send" }
  | { readonly kind: "refuse_connection" }
  | { readonly kind: "drop_answer" }
  | { readonly kind: "answer_status"; readonly status: number; readonly body: string }
  | { readonly kind: "answer_body"; readonly body: (real: string) => string }
  | {
    readonly kind: "answer_amount";
    readonly amount: Money;
    readonly rewrite: (body: string, amount: Money) => string | undefined;
  };

/** One request the plugin made, and what the kit did with it. */
export interface Exchange {
  /** The plugin method that sent it, such as `pay` or `query`. */
  readonly call: string;
  /** The `ctx.idempotencyKey` of that call. */
  readonly expectedKey: string;
  readonly request: PspHttpRequest;
  readonly fault?: Fault["kind"];
  /** False when the host is outside the manifest's test hosts and the emulator: nothing was sent. */
  readonly hostAllowed: boolean;
  /** False for a declared test host that is not the emulator: the kit has nothing there, nothing was sent. */
  readonly toEmulator: boolean;
  /** Whether the request reached the emulator. */
  readonly sent: boolean;
  /** For `answer_amount`: whether the target's hook found an amount to rewrite. */
  readonly rewritten?: boolean;
}

export interface KitHttp {
  /** The transport for one plugin call. */
  forCall(call: string, idempotencyKey: string, fault?: Fault): PspHttp;
  readonly exchanges: readonly Exchange[];
}

export interface KitHttpOptions {
  /** The manifest's test hosts: requests may go there, but only the emulator is served. */
  readonly testHosts: readonly string[];
  /** The emulator's `host[:port]`. */
  readonly emulatorHost: string;
  /** The target's keyless operations: faults leave them alone. */
  readonly keylessOperations: readonly string[];
}

/**
 * The kit's PspHttp over `inner` (the loopback transport): requests may go to the manifest's test hosts and
 * to the emulator's host; only the emulator's are sent.
 */
export function createKitHttp(inner: PspHttp, options: KitHttpOptions): KitHttp {
  const exchanges: Exchange[] = [];
  const { emulatorHost } = options;
  const allowedHosts = [...options.testHosts, emulatorHost];
  const keyless = new Set(options.keylessOperations);
  function forCall(call: string, expectedKey: string, callFault?: Fault): PspHttp {
    return {
      async send(request, deadline) {
        // A request that changes nothing at the PSP (an OAuth2 token) is not where a fault is interesting.
        const fault = keyless.has(request.operation) ? undefined : callFault;
        const base = { call, expectedKey, request, fault: fault?.kind };
        if (!hostAllowed(request.url, allowedHosts)) {
          exchanges.push({ ...base, hostAllowed: false, toEmulator: false, sent: false });
          return { kind: "not_sent", detail: "host not declared in the manifest's test hosts" };
        }
        if (!hostAllowed(request.url, [emulatorHost])) {
          exchanges.push({ ...base, hostAllowed: true, toEmulator: false, sent: false });
          return { kind: "not_sent", detail: "the kit reaches only the emulator" };
        }
        const reached = { ...base, hostAllowed: true, toEmulator: true };
        if (fault?.kind === "drop_before_send") {
          exchanges.push({ ...reached, sent: false });
          return { kind: "no_answer", detail: "timed out waiting for the PSP" };
        }
        if (fault?.kind === "refuse_connection") {
          exchanges.push({ ...reached, sent: false });
          return { kind: "not_sent", detail: "connection refused" };
        }
        const result = await inner.send(request, deadline);
        const injected = inject(result, fault);
        exchanges.push({ ...reached, sent: true, rewritten: injected.rewritten });
        return injected.result;
      },
    };
  }
  return { forCall, exchanges };
}

function inject(
  result: PspHttpResult,
  fault: Fault | undefined,
): { result: PspHttpResult; rewritten?: boolean } {
  if (fault === undefined) return { result };
  switch (fault.kind) {
    case "drop_before_send":
    case "refuse_connection":
      return { result };
    case "drop_answer":
      return { result: { kind: "no_answer", detail: "timed out waiting for the PSP" } };
    case "answer_status":
      return {
        result: {
          kind: "response",
          status: fault.status,
          headers: { "content-type": "text/plain" },
          body: fault.body,
        },
      };
    case "answer_body":
      if (result.kind !== "response") return { result };
      return { result: { ...result, body: fault.body(result.body) } };
    case "answer_amount": {
      if (result.kind !== "response") return { result, rewritten: false };
      const body = fault.rewrite(result.body, fault.amount);
      return body === undefined
        ? { result, rewritten: false }
        : { result: { ...result, body }, rewritten: true };
    }
  }
}

/** True when the URL is http(s) and its host matches one of the patterns, exactly as the gateway's guard decides. */
export function hostAllowed(url: string, patterns: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return false;
  return patterns.some((pattern) => hostMatches(parsed.host, pattern));
}
