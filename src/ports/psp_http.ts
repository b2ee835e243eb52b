/**
 * The core-owned transport every plugin talks to its PSP through. One place for timeouts, logging with
 * masking and metrics; plugins stay translators.
 */
export interface PspHttpRequest {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Serialised as JSON when present. */
  readonly json?: unknown;
  /** Sent as `application/x-www-form-urlencoded` when present (e.g. an OAuth2 token request); not with `json`. */
  readonly form?: Readonly<Record<string, string>>;
  /** A short name for logs and metrics, such as "payments" or "captures". */
  readonly operation: string;
}

export type PspHttpResult =
  | {
    readonly kind: "response";
    readonly status: number;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string;
  }
  /** The request provably never left this process (bad URL, connection refused): safe to resend. */
  | { readonly kind: "not_sent"; readonly detail: string }
  /** Sent, but no (complete) answer arrived before the deadline or the connection broke. */
  | { readonly kind: "no_answer"; readonly detail: string };

export interface PspHttp {
  /** Sends one request and never throws for network trouble; the deadline is absolute (epoch ms). */
  send(request: PspHttpRequest, deadline: number): Promise<PspHttpResult>;
}
