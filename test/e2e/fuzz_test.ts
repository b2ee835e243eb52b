/**
 * Property-based hostile input against the real gateway over HTTP, on every inbound route: Genstore's POST
 * routes (correctly signed, so the input reaches validation) and status queries (correctly signed), PSP
 * notifications, the buyer's return and forwarding pages, and the operator routes without a token.
 *
 * For every case: never a 5xx; a JSON error body with a documented code (a 400 with `issues` of
 * `{path, message}`), or a 200 with only the documented fields; no card-like value sent comes back; the
 * security headers are there (and a strict CSP on HTML pages); nothing is recorded for a rejected request;
 * `Object.prototype` is untouched; and after each property a valid payment still succeeds.
 *
 * Fixed seeds and bounded runs; the total number of cases sent is printed at the end.
 */
import fc from "fast-check";
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { testCard } from "../../adapters/dev/genstore_client.ts";
import { signBody } from "../../adapters/genstore/signature.ts";
import {
  ABSENT,
  badAmount,
  badCurrency,
  type Body,
  emit,
  Entries,
  hostileId,
  hostileJson,
  hostileString,
  Long,
  mutate,
  mutation,
  panMarker,
  percentEncode,
  plant,
  POLLUTION_KEY,
  Raw,
  RAW_ESCAPES,
  RawBody,
  rawBody,
  rawUrlToken,
  textBody,
  toTree,
  type Tree,
} from "../support/fuzz_arbitraries.ts";
import { CLIENT_SECRET, eventually, type Harness, newId, startHarness } from "../support/harness.ts";

const ONE_MIB = 1024 * 1024;
const SHOP_DOMAIN = "demo.genmystore.com";
const encoder = new TextEncoder();
const HMAC_SHA256 = { name: "HMAC", hash: "SHA-256" };

const ROUTES = {
  payments: { idField: "paymentId", channel: "channelPaymentId", kinds: ["payment", "pre_authorize"] },
  captures: { idField: "captureId", channel: "channelCaptureId", kinds: ["capture"] },
  voids: { idField: "voidId", channel: "channelVoidId", kinds: ["void"] },
  refunds: { idField: "refundId", channel: "channelRefundId", kinds: ["refund"] },
} as const;
type Route = keyof typeof ROUTES;
const ROUTE_NAMES = Object.keys(ROUTES) as Route[];

/** The documented error codes, by status. */
const ERROR_CODES: Readonly<Record<number, readonly string[]>> = {
  400: ["invalid_request"],
  401: ["invalid_signature", "invalid_notification", "operator_token_required"],
  403: ["shop_not_authorized"],
  404: ["not_found"],
  409: ["idempotency_conflict", "request_in_progress"],
  413: ["payload_too_large"],
};

const QUERY_STATUSES: Readonly<Record<Route, readonly string[]>> = {
  payments: ["PROCESSING", "AUTHORIZED", "SUCCESS", "FAILURE"],
  captures: ["PROCESSING", "SUCCESS", "FAILURE"],
  voids: ["PROCESSING", "SUCCESS", "FAILURE"],
  refunds: ["PROCESSING", "SUCCESS", "FAILURE"],
};

/** A stable business code before a colon, then text for people. */
const BUSINESS_ERROR = /^[a-z][a-z0-9_]*: \S/;

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body when it is JSON. */
  readonly json?: unknown;
}

const PROTOTYPE_NAMES = {
  object: Object.getOwnPropertyNames(Object.prototype).sort(),
  array: Object.getOwnPropertyNames(Array.prototype).sort(),
  function: Object.getOwnPropertyNames(Function.prototype).sort(),
};

function assertNotPolluted(): void {
  deepStrictEqual(Object.getOwnPropertyNames(Object.prototype).sort(), PROTOTYPE_NAMES.object);
  deepStrictEqual(Object.getOwnPropertyNames(Array.prototype).sort(), PROTOTYPE_NAMES.array);
  deepStrictEqual(Object.getOwnPropertyNames(Function.prototype).sort(), PROTOTYPE_NAMES.function);
  strictEqual(({} as Record<string, unknown>)[POLLUTION_KEY], undefined, "Object.prototype polluted");
  strictEqual(({} as Record<string, unknown>).isAdmin, undefined, "Object.prototype polluted");
}

function describe(answer: Answer): string {
  const text = answer.text.length > 400 ? `${answer.text.slice(0, 400)}…` : answer.text;
  return `HTTP ${answer.status} ${text}`;
}

/** Headers every answer carries: no caching, no sniffing, no banner. */
function assertHeaders(answer: Answer): void {
  ok(!answer.headers.has("server"), `Server banner: ${answer.headers.get("server")}`);
  ok(!answer.headers.has("x-powered-by"), `X-Powered-By banner: ${answer.headers.get("x-powered-by")}`);
  strictEqual(answer.headers.get("x-content-type-options"), "nosniff", describe(answer));
  strictEqual(answer.headers.get("cache-control"), "no-store", describe(answer));
}

/** A strict Content-Security-Policy: everything denied by default, no script, no framing, no base. */
function assertStrictCsp(answer: Answer): void {
  const csp = answer.headers.get("content-security-policy");
  ok(csp !== null, `HTML page without Content-Security-Policy: ${describe(answer)}`);
  const directives = new Map(
    csp.split(";").map((part) => part.trim().split(/\s+/)).filter((words) => words[0] !== "").map((
      [name, ...values],
    ) => [name.toLowerCase(), values]),
  );
  deepStrictEqual(directives.get("default-src"), ["'none'"], csp);
  const script = directives.get("script-src");
  ok(script === undefined || (script.length === 1 && script[0] === "'none'"), `scripts allowed: ${csp}`);
  ok(!csp.includes("'unsafe-eval'"), csp);
  deepStrictEqual(directives.get("frame-ancestors"), ["'none'"], csp);
  deepStrictEqual(directives.get("base-uri"), ["'none'"], csp);
}

/** No card-like value that was sent comes back, in the body or in a header. */
function assertNoEcho(answer: Answer, markers: readonly string[]): void {
  for (const marker of markers) {
    ok(!answer.text.includes(marker), `the answer echoes ${marker}: ${describe(answer)}`);
    answer.headers.forEach((value, name) => {
      ok(!value.includes(marker), `header ${name} echoes ${marker}`);
    });
  }
}

function isJson(answer: Answer): boolean {
  return (answer.headers.get("content-type") ?? "").startsWith("application/json");
}

/** A documented error body for the status (exactly `{error}`, or `{error, issues}` for a 400). */
function assertErrorBody(answer: Answer): void {
  const codes = ERROR_CODES[answer.status];
  ok(codes !== undefined, `undocumented status: ${describe(answer)}`);
  ok(isJson(answer), `error answer is not JSON: ${describe(answer)}`);
  const body = answer.json as Record<string, unknown>;
  ok(body !== null && typeof body === "object" && !Array.isArray(body), describe(answer));
  ok(codes.includes(body.error as string), `undocumented error code: ${describe(answer)}`);
  if (answer.status === 400) {
    deepStrictEqual(Object.keys(body).sort(), ["error", "issues"], describe(answer));
    ok(Array.isArray(body.issues) && body.issues.length > 0, describe(answer));
    for (const issue of body.issues as unknown[]) {
      ok(issue !== null && typeof issue === "object", describe(answer));
      deepStrictEqual(Object.keys(issue).sort(), ["message", "path"], describe(answer));
      const { path, message } = issue as Record<string, unknown>;
      strictEqual(typeof path, "string", describe(answer));
      strictEqual(typeof message, "string", describe(answer));
    }
  } else {
    deepStrictEqual(Object.keys(body), ["error"], describe(answer));
  }
  if (body.error === "request_in_progress") strictEqual(answer.headers.get("retry-after"), "1");
}

/** A 200 to a Genstore POST: only `channel*Id`, `redirectUrl` and `error`, all strings. */
function assertOperationAnswer(route: Route, answer: Answer): void {
  ok(isJson(answer), describe(answer));
  const body = answer.json as Record<string, unknown>;
  ok(body !== null && typeof body === "object" && !Array.isArray(body), describe(answer));
  const allowed = route === "payments"
    ? [ROUTES[route].channel, "redirectUrl", "error"]
    : [ROUTES[route].channel, "error"];
  for (const [key, value] of Object.entries(body)) {
    ok(allowed.includes(key), `undocumented field ${key}: ${describe(answer)}`);
    strictEqual(typeof value, "string", describe(answer));
  }
  if (body.error !== undefined) ok(BUSINESS_ERROR.test(body.error as string), describe(answer));
  if (body.redirectUrl !== undefined) ok(/^https?:\/\//.test(body.redirectUrl as string), describe(answer));
}

/** A 200 to a status query: `channel*Id` and `status`, and `error` when there is one. */
function assertQueryAnswer(route: Route, answer: Answer): void {
  ok(isJson(answer), describe(answer));
  const body = answer.json as Record<string, unknown>;
  const keys = Object.keys(body).filter((key) => key !== "error").sort();
  deepStrictEqual(keys, [ROUTES[route].channel, "status"].sort(), describe(answer));
  strictEqual(typeof body[ROUTES[route].channel], "string", describe(answer));
  ok(QUERY_STATUSES[route].includes(body.status as string), describe(answer));
  if (body.error !== undefined) ok(BUSINESS_ERROR.test(body.error as string), describe(answer));
}

/** An HTML page of the gateway: strict CSP. */
function assertHtmlPage(answer: Answer): void {
  ok((answer.headers.get("content-type") ?? "").startsWith("text/html"), describe(answer));
  assertStrictCsp(answer);
}

function assertStatusIn(answer: Answer, allowed: readonly number[], label = ""): void {
  ok(answer.status < 500, `5xx${label === "" ? "" : ` (${label})`}: ${describe(answer)}`);
  ok(
    allowed.includes(answer.status),
    `status not in ${allowed}${label === "" ? "" : ` (${label})`}: ${describe(answer)}`,
  );
}

async function hmacHex(secret: string, message: string): Promise<string> {
  const usage: KeyUsage[] = ["sign"];
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), HMAC_SHA256, false, usage);
  const digest = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Signs a raw query the way contract section 3 says: every pair but `hmac`, as written (no decoding), sorted
 * by key bytes (keys here are ASCII), joined with `&`; a bare `key` counts as `key=`.
 */
async function signRawQuery(raw: string): Promise<string> {
  const pairs = raw.split("&").filter((pair) => pair !== "").map((pair) => {
    const equals = pair.indexOf("=");
    return equals === -1 ? { key: pair, pair: `${pair}=` } : { key: pair.slice(0, equals), pair };
  });
  const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const canonical = pairs.filter((p) => p.key !== "hmac").sort(byKey).map((p) => p.pair).join("&");
  const hmac = await hmacHex(CLIENT_SECRET, canonical);
  return raw === "" ? `hmac=${hmac}` : `${raw}&hmac=${hmac}`;
}

function bytesToBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

/** Adyen's HMAC of a standard notification item (docs.adyen.com, verify HMAC signatures). */
async function adyenItemSignature(item: Record<string, unknown>, hmacKeyHex: string): Promise<string> {
  const amount = item.amount as Record<string, unknown>;
  const text = [
    item.pspReference,
    item.originalReference ?? "",
    item.merchantAccountCode,
    item.merchantReference,
    String(amount?.value),
    amount?.currency,
    item.eventCode,
    item.success,
  ].join(":");
  const keyBytes = Uint8Array.from(hmacKeyHex.match(/../g)!.map((pair) => parseInt(pair, 16)));
  const key = await crypto.subtle.importKey("raw", keyBytes, HMAC_SHA256, false, ["sign"]);
  return bytesToBase64(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(text))));
}

/** Header-safe hostile text (fetch refuses NUL, CR, LF and non-Latin-1 in header values, and trims spaces). */
const headerText = fc.string({
  unit: fc.constantFrom(..."abcDEMO019.-_ /\\%:;,\"'()[]{}<>@=?!~*\t"),
  maxLength: 40,
});

/** The signature header for a variant: valid (base64, hex, HEX, padded) or not. */
async function signatureFor(variant: string, bytes: Uint8Array<ArrayBuffer>): Promise<string | null> {
  const base64 = await signBody(CLIENT_SECRET, bytes);
  const hex = Array.from(
    Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  switch (variant) {
    case "base64":
      return base64;
    case "hex":
      return hex;
    case "HEX":
      return hex.toUpperCase();
    case "padded":
      return `  ${base64}  `;
    case "missing":
      return null;
    case "empty":
      return "";
    case "other-secret":
      return await signBody("another-secret", bytes);
    case "truncated":
      // 30 of the 32 bytes (dropping only the "=" padding would still be the same digest).
      return base64.slice(0, 40);
    default:
      return "Z29vZCB0cnkgYnV0IG5vcGU=";
  }
}

/** Statuses a signed POST may get, given how it was signed and which shop it named. */
function allowedFor(signature: string, shop: string | null): number[] {
  if (["missing", "empty", "other-secret", "truncated", "garbage"].includes(signature)) {
    return [401, 413];
  }
  if (shop === null) return [400, 413];
  if (shop !== SHOP_DOMAIN) return [200, 400, 403, 409, 413];
  return [200, 400, 409, 413];
}

Deno.test({
  name: "hostile input never breaks the gateway (property-based, over HTTP)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const h: Harness = await startHarness();
    const base = h.gateway.url;
    const ext = `${base}/v1/ext/card`;
    const started = performance.now();
    let cases = 0;
    /** Answers by status and body kind, for the per-property summary line. */
    const tally = new Map<string, number>();
    const markersSent = new Set<string>();
    /** Per-property lines, printed with the total at the end. */
    const summary: string[] = [];
    const template = h.client.paymentBody({ paymentId: "TEMPLATE", amount: "10.00" });

    async function send(url: string, init: RequestInit = {}): Promise<Answer> {
      cases++;
      const response = await fetch(url, { ...init, redirect: "manual" });
      const text = await response.text();
      let json: unknown;
      if ((response.headers.get("content-type") ?? "").includes("json")) {
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
      }
      const answer = { status: response.status, headers: response.headers, text, json };
      const kind = json === undefined
        ? text.startsWith("<!doctype") ? "html" : text === "" ? "empty" : "text"
        : "json";
      const label = `${response.status}${kind === "json" ? "" : ` ${kind}`}`;
      tally.set(label, (tally.get(label) ?? 0) + 1);
      assertHeaders(answer);
      assertNotPolluted();
      return answer;
    }

    async function postExt(
      route: string,
      bytes: Uint8Array<ArrayBuffer>,
      options: { signature?: string | null; shopDomain?: string | null; contentType?: string } = {},
    ): Promise<Answer> {
      const headers: Record<string, string> = {};
      const signature = options.signature === undefined
        ? await signBody(CLIENT_SECRET, bytes)
        : options.signature;
      if (signature !== null) headers["x-genstore-hmac-sha256"] = signature;
      const shop = options.shopDomain === undefined ? SHOP_DOMAIN : options.shopDomain;
      if (shop !== null) headers["x-genstore-shop-domain"] = shop;
      headers["content-type"] = options.contentType ?? "application/json";
      return await send(`${ext}/${route}`, { method: "POST", headers, body: bytes });
    }

    type Counts = Record<"operations" | "payments" | "outbox" | "incidents" | "actions", number>;
    async function counts(): Promise<Counts> {
      const rows = await h.gateway.db.query<Record<string, unknown>>(
        `SELECT (SELECT count(*) FROM operations) AS operations, (SELECT count(*) FROM payments) AS payments,
                (SELECT count(*) FROM outbox) AS outbox, (SELECT count(*) FROM incidents) AS incidents,
                (SELECT count(*) FROM operator_actions) AS actions`,
      );
      const row = rows[0];
      return {
        operations: Number(row.operations),
        payments: Number(row.payments),
        outbox: Number(row.outbox),
        incidents: Number(row.incidents),
        actions: Number(row.actions),
      };
    }

    /** Runs one case; unless `stores(answer)` says the answer may record something, no row may appear. */
    async function nothingStoredUnless(
      run: () => Promise<Answer>,
      stores: (answer: Answer) => boolean,
    ): Promise<Answer> {
      const before = await counts();
      const answer = await run();
      if (!stores(answer)) {
        deepStrictEqual(await counts(), before, `a rejected request stored something: ${describe(answer)}`);
      }
      return answer;
    }

    /**
     * After an accepted Genstore request, waits for its callback to be queued, so that no asynchronous
     * completion (a PSP webhook, a pending check) lands in a later case's before/after counts.
     */
    async function settleAccepted(route: Route, sentText: string, answer: Answer): Promise<void> {
      if (answer.status !== 200 || answer.headers.get("idempotent-replayed") === "true") return;
      const body = answer.json as Record<string, unknown>;
      if (body.redirectUrl !== undefined) return; // waits for the buyer, nothing happens on its own
      const id = (JSON.parse(sentText) as Record<string, unknown>)[ROUTES[route].idField] as string;
      await eventually(async () => {
        const rows = await h.gateway.db.query(
          "SELECT 1 FROM outbox WHERE shop = 'demo' AND target_id = $1 AND kind = ANY($2)",
          [id, [...ROUTES[route].kinds]],
        );
        return rows.length > 0 ? true : undefined;
      }, 8_000);
    }

    /** The gateway still takes a valid payment, and reports it. */
    async function assertGatewayWorks(label: string): Promise<void> {
      const paymentId = newId("OK");
      const body = JSON.stringify(h.client.paymentBody({ paymentId, amount: "12.34" }));
      const answer = await postExt("payments", encoder.encode(body));
      strictEqual(answer.status, 200, `a valid payment after ${label}: ${describe(answer)}`);
      const answerBody = answer.json as Record<string, unknown>;
      ok(
        typeof answerBody.channelPaymentId === "string",
        `a valid payment after ${label}: ${describe(answer)}`,
      );
      strictEqual(answerBody.error, undefined, `a valid payment after ${label}: ${describe(answer)}`);
      await settleAccepted("payments", body, answer);
      const query = await querySigned("payments", percentEncode(paymentId), "header");
      strictEqual(query.status, 200, describe(query));
      assertQueryAnswer("payments", query);
      strictEqual((query.json as Record<string, unknown>).status, "SUCCESS", describe(query));
    }

    async function querySigned(
      route: string,
      rawId: string,
      shopVia: "header" | "query" | "both" | "none" | { header?: string; query?: string },
      extra: readonly [string, string][] = [],
      timestamp: string = String(Math.floor(Date.now() / 1000)),
    ): Promise<Answer> {
      const pairs: [string, string][] = [["timestamp", timestamp], ...extra];
      const headers: Record<string, string> = {};
      if (shopVia === "query" || shopVia === "both") pairs.push(["shop", SHOP_DOMAIN]);
      if (shopVia === "header" || shopVia === "both") headers["x-genstore-shop-domain"] = SHOP_DOMAIN;
      if (typeof shopVia === "object") {
        if (shopVia.header !== undefined) headers["x-genstore-shop-domain"] = shopVia.header;
        if (shopVia.query !== undefined) pairs.push(["shop", shopVia.query]);
      }
      const query = await signRawQuery(pairs.map(([key, value]) => `${key}=${value}`).join("&"));
      return await send(`${ext}/${route}/${rawId}?${query}`, { headers });
    }

    /** Runs a property, then checks that the gateway still works whatever the property found. */
    async function property<T>(
      name: string,
      arbitrary: fc.Arbitrary<T>,
      predicate: (value: T) => Promise<void>,
      parameters: { seed: number; numRuns: number },
    ): Promise<void> {
      await t.step(name, async () => {
        const before = cases;
        tally.clear();
        const stepStarted = performance.now();
        let failure: unknown;
        const found = new Map<string, { count: number; example: string }>();
        // FUZZ_EXPLORE=1: run every case and list each distinct failure, instead of stopping at the first.
        const explore = Deno.env.get("FUZZ_EXPLORE") === "1";
        const run = explore
          ? async (value: T) => {
            const logMark = h.logs.length;
            try {
              await predicate(value);
            } catch (error) {
              const message = error instanceof Error ? error.message : String(error);
              // Group by the assertion and by what the gateway logged as the unhandled error, if any.
              const unhandled = h.logs.slice(logMark).map((line) =>
                JSON.parse(line) as Record<string, string>
              )
                .filter((line) => line.event === "http.unhandled").map((line) =>
                  `${
                    line.path.replace(/\/v1\/(return|redirect)\/.*/, "/v1/$1/…").replace(
                      /\/(payments|captures|voids|refunds)\/.+/,
                      "/$1/…",
                    )
                  } ${line.error}: ${line.detail}`
                );
              const key = `${message.split("\n")[0].replace(/ \(.*?\):/, ":").slice(0, 120)} | ${
                [...new Set(unhandled)].join("; ")
              }`;
              const entry = found.get(key) ?? { count: 0, example: fc.stringify(value).slice(0, 500) };
              found.set(key, { ...entry, count: entry.count + 1 });
            }
          }
          : predicate;
        try {
          await fc.assert(fc.asyncProperty(arbitrary, run), parameters);
        } catch (error) {
          failure = error;
        }
        for (const [key, { count, example }] of found) {
          summary.push(`    explore: ${count}x ${key}\n      e.g. ${example}`);
        }
        if (found.size > 0 && failure === undefined) failure = new Error(`${found.size} distinct failures`);
        await assertGatewayWorks(name);
        const statuses = [...tally].sort(([a], [b]) => a.localeCompare(b)).map(([status, n]) =>
          `${status}: ${n}`
        );
        summary.splice(
          summary.length - found.size,
          0,
          `  ${name}: ${cases - before} cases, ${Math.round(performance.now() - stepStarted)} ms` +
            ` [${statuses.join(", ")}]${failure === undefined ? "" : " FAILED"}`,
        );
        if (failure !== undefined) throw failure;
      });
    }

    /** A valid body for each POST route, with fresh ids (captures, voids and refunds name no payment). */
    function validBody(route: Route): Tree {
      switch (route) {
        case "payments":
          return toTree({ ...template, paymentId: newId("FZP") });
        case "captures":
          return toTree({ captureId: newId("FZC"), paymentId: newId("FZX"), amount: "1.00", test: true });
        case "voids":
          return toTree({ voidId: newId("FZV"), paymentId: newId("FZX"), test: true });
        case "refunds":
          return toTree({ refundId: newId("FZR"), paymentId: newId("FZX"), amount: "1.00", test: true });
      }
    }

    /** The common checks of an answer to a signed Genstore POST. */
    async function checkPost(
      route: Route,
      text: string,
      answer: Answer,
      allowed: readonly number[],
      markers: readonly string[],
    ): Promise<void> {
      assertStatusIn(answer, allowed, route);
      assertNoEcho(answer, markers);
      if (answer.status === 200) {
        assertOperationAnswer(route, answer);
        await settleAccepted(route, text, answer);
      } else {
        assertErrorBody(answer);
      }
    }

    function remember(markers: readonly string[]): void {
      for (const marker of markers) markersSent.add(marker);
    }

    try {
      // -----------------------------------------------------------------------------------------------
      await t.step("HTML pages carry a strict Content-Security-Policy", async () => {
        for (
          const path of ["/", "/v1/return/demo.unknown", "/v1/return/nothing", "/v1/redirect/demo.unknown"]
        ) {
          const answer = await send(`${base}${path}`);
          ok([200, 404].includes(answer.status), `${path}: ${describe(answer)}`);
          assertHtmlPage(answer);
        }
      });

      // -----------------------------------------------------------------------------------------------
      const signatureVariant = fc.oneof(
        { weight: 12, arbitrary: fc.constant("base64" as const) },
        {
          weight: 3,
          arbitrary: fc.constantFrom("hex" as const, "HEX" as const, "padded" as const),
        },
        {
          weight: 3,
          arbitrary: fc.constantFrom(
            "missing" as const,
            "empty" as const,
            "other-secret" as const,
            "truncated" as const,
            "garbage" as const,
          ),
        },
      );
      const shopVariant = fc.oneof(
        { weight: 12, arbitrary: fc.constant(SHOP_DOMAIN) },
        {
          weight: 3,
          arbitrary: fc.oneof(
            fc.constantFrom<string | null>(
              null,
              "",
              "demo",
              "DEMO.GENMYSTORE.COM",
              "nobody.genmystore.com",
              "__proto__.genmystore.com",
              "constructor.genmystore.com",
              "demo..genmystore.com",
              ".demo",
              "demo/../other",
              "demo\tx",
            ),
            headerText,
          ),
        },
      );

      await property(
        "POST /v1/ext/card/*: random JSON bodies, signatures and shop headers",
        fc.record({
          route: fc.constantFrom(...ROUTE_NAMES),
          body: hostileJson,
          marker: panMarker,
          plantAt: fc.option(fc.nat(), { nil: undefined }),
          signature: signatureVariant,
          shop: shopVariant,
          contentType: fc.constantFrom(
            "application/json",
            "text/plain",
            "application/x-www-form-urlencoded",
            "",
          ),
        }),
        async (c) => {
          const body = c.plantAt === undefined
            ? c.body
            : mutate(c.body, [{ op: "plant", at: c.plantAt, style: "embedded" }], c.marker);
          const text = emit(body);
          const bytes = encoder.encode(text);
          remember([c.marker]);
          const answer = await nothingStoredUnless(
            async () =>
              await postExt(c.route, bytes, {
                signature: await signatureFor(c.signature, bytes),
                shopDomain: c.shop,
                contentType: c.contentType,
              }),
            (a) => a.status === 200,
          );
          await checkPost(c.route, text, answer, allowedFor(c.signature, c.shop), [c.marker]);
          if (answer.status === 401) deepStrictEqual(answer.json, { error: "invalid_signature" });
        },
        { seed: 0x5eed_0001, numRuns: 220 },
      );

      // -----------------------------------------------------------------------------------------------
      await property(
        "POST /v1/ext/card/*: mutations of a valid body (drop, duplicate, retype, nest, __proto__, ids, card-like values)",
        fc.record({
          route: fc.constantFrom(...ROUTE_NAMES),
          mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
          plant,
          marker: panMarker,
        }),
        async (c) => {
          const body: Body = mutate(validBody(c.route), [...c.mutations, c.plant], c.marker);
          const text = emit(body);
          remember([c.marker]);
          const answer = await nothingStoredUnless(
            async () => await postExt(c.route, encoder.encode(text)),
            (a) => a.status === 200,
          );
          await checkPost(c.route, text, answer, [200, 400, 409, 413], [c.marker]);
        },
        { seed: 0x5eed_0002, numRuns: 320 },
      );

      // -----------------------------------------------------------------------------------------------
      await property(
        "POST /v1/ext/card/*: raw bodies (invalid UTF-8, non-object JSON, empty, bare deep nesting)",
        fc.record({
          route: fc.constantFrom(...ROUTE_NAMES),
          raw: rawBody(JSON.stringify({ ...template, paymentId: "RAW" })),
        }),
        async (c) => {
          const answer = await nothingStoredUnless(
            async () => await postExt(c.route, c.raw.bytes),
            (a) => a.status === 200,
          );
          await checkPost(c.route, "{}", answer, [400, 413], []);
        },
        { seed: 0x5eed_0003, numRuns: 150 },
      );

      // -----------------------------------------------------------------------------------------------
      // A stored card (card-on-file) to charge again by token.
      const storedId = newId("FZT");
      const storedBody = h.client.paymentBody({ paymentId: storedId, amount: "5.00" }) as {
        paymentMethod: { data: Record<string, unknown> };
      };
      storedBody.paymentMethod.data.storeCard = true;
      const storedText = JSON.stringify(storedBody);
      const stored = await postExt("payments", encoder.encode(storedText));
      strictEqual(stored.status, 200, describe(stored));
      await settleAccepted("payments", storedText, stored);
      const storedCallback = await h.genstore.waitForCallback("payment", storedId);
      const realToken = storedCallback.body.cardToken;
      ok(typeof realToken === "string", `storeCard gave no cardToken: ${storedCallback.text}`);
      const CARD_PACKAGE = ["cipherText", "cipher", "ciphertext", "iv", "ephemeralPublicKey", "suit", "salt"];

      await property(
        "POST /v1/ext/card/payments: card-on-file fields (storeCard, cardToken, initiator) with hostile values",
        fc.record({
          withCard: fc.boolean(),
          storeCard: fc.option(
            fc.oneof(fc.constantFrom<Tree>(true, "true", "TRUE", 1, "1", "yes", false, null), hostileJson),
            { nil: undefined },
          ),
          cardToken: fc.option(
            fc.oneof<fc.MaybeWeightedArbitrary<Tree>[]>(
              { weight: 2, arbitrary: fc.constant(realToken) },
              {
                weight: 2,
                arbitrary: fc.constantFrom<Tree>(
                  realToken.toUpperCase(),
                  `${realToken} `,
                  ` ${realToken}`,
                  `${realToken}\u0000`,
                  `${realToken.slice(0, -1)}1`,
                  `ct_${"a".repeat(20)}`,
                  [realToken],
                  new Entries([["token", realToken]]),
                ),
              },
              { weight: 1, arbitrary: fc.stringMatching(/^ct_[a-z2-7]{20}$/) },
              { weight: 2, arbitrary: hostileId },
            ),
            { nil: undefined },
          ),
          initiator: fc.option(
            fc.oneof(
              fc.constantFrom<Tree>(
                "customer",
                "merchant",
                "Customer",
                "MERCHANT",
                "",
                "__proto__",
                "toString",
              ),
              hostileJson,
            ),
            { nil: undefined },
          ),
          marker: panMarker,
          plantAt: fc.nat(),
        }),
        async (c) => {
          const body = toTree({ ...template, paymentId: newId("FZT") }) as Entries;
          const method = body.entries.find(([key]) => key === "paymentMethod")![1] as Entries;
          const data = method.entries.find(([key]) => key === "data")![1] as Entries;
          if (!c.withCard) {
            data.entries.splice(
              0,
              data.entries.length,
              ...data.entries.filter(([key]) => !CARD_PACKAGE.includes(key)),
            );
          }
          if (c.storeCard !== undefined) data.entries.push(["storeCard", c.storeCard]);
          if (c.cardToken !== undefined) data.entries.push(["cardToken", c.cardToken]);
          if (c.initiator !== undefined) data.entries.push(["initiator", c.initiator]);
          const text = emit(mutate(body, [{ op: "plant", at: c.plantAt, style: "string" }], c.marker));
          remember([c.marker]);
          const answer = await nothingStoredUnless(
            async () => await postExt("payments", encoder.encode(text)),
            (a) => a.status === 200,
          );
          await checkPost("payments", text, answer, [200, 400, 409], [c.marker]);
        },
        { seed: 0x5eed_000c, numRuns: 120 },
      );

      // -----------------------------------------------------------------------------------------------
      // Payments to modify: an open USD and an open JPY authorization, a USD sale.
      const authorized = newId("FZA");
      const authorizedJpy = newId("FZJ");
      const sold = newId("FZS");
      for (
        const [paymentId, amount, currency, manualCapture] of [
          [authorized, "50.00", "USD", true],
          [authorizedJpy, "5000", "JPY", true],
          [sold, "50.00", "USD", false],
        ] as const
      ) {
        const text = JSON.stringify(h.client.paymentBody({ paymentId, amount, currency, manualCapture }));
        const answer = await postExt("payments", encoder.encode(text));
        strictEqual(answer.status, 200, describe(answer));
        await settleAccepted("payments", text, answer);
      }

      await property(
        "amounts and currencies: every malformed one is 400 naming the field, and stores nothing",
        fc.oneof(
          fc.record({
            target: fc.constant("payment amount" as const),
            value: badAmount,
            currency: fc.constant("USD"),
          }),
          fc.record({
            target: fc.constant("payment amount" as const),
            value: fc.constantFrom<Tree>("100.5", "1.5", "10.0", "0.1", "100.00"),
            currency: fc.constant("JPY"),
          }),
          fc.record({
            target: fc.constant("payment amount" as const),
            value: fc.constantFrom<Tree>("1.0001", "0.000", "1.2345"),
            currency: fc.constant("KWD"),
          }),
          fc.record({
            target: fc.constant("payment currency" as const),
            value: badCurrency,
            currency: fc.constant(""),
          }),
          fc.record({
            target: fc.constant("capture amount" as const),
            value: badAmount,
            currency: fc.constant("USD"),
          }),
          fc.record({
            target: fc.constant("capture amount" as const),
            value: fc.constantFrom<Tree>("10.5", "1.00", "0.5", "9".repeat(39), "0"),
            currency: fc.constant("JPY"),
          }),
          fc.record({
            target: fc.constant("refund amount" as const),
            value: badAmount,
            currency: fc.constant("USD"),
          }),
        ),
        async (c) => {
          let route: Route;
          let body: Entries;
          switch (c.target) {
            case "payment amount":
            case "payment currency": {
              route = "payments";
              body = toTree({ ...template, paymentId: newId("FZP") }) as Entries;
              const field = c.target === "payment amount" ? "amount" : "currency";
              for (const entry of body.entries) {
                if (entry[0] === field) entry[1] = c.value;
                if (c.target === "payment amount" && entry[0] === "currency") entry[1] = c.currency;
              }
              break;
            }
            case "capture amount":
              route = "captures";
              body = new Entries([
                ["captureId", newId("FZC")],
                ["paymentId", c.currency === "JPY" ? authorizedJpy : authorized],
                ["amount", c.value],
                ["test", true],
              ]);
              break;
            case "refund amount":
              route = "refunds";
              body = new Entries([["refundId", newId("FZR")], ["paymentId", sold], ["amount", c.value], [
                "test",
                true,
              ]]);
              break;
          }
          const text = emit(body);
          const answer = await nothingStoredUnless(
            async () => await postExt(route, encoder.encode(text)),
            () => false,
          );
          const field = c.target === "payment currency" ? "currency" : "amount";
          assertStatusIn(answer, [400], c.target);
          assertErrorBody(answer);
          const paths = (answer.json as { issues: { path: string }[] }).issues.map((issue) => issue.path);
          ok(paths.includes(field), `${c.target} ${fc.stringify(c.value)}: issues ${JSON.stringify(paths)}`);
        },
        { seed: 0x5eed_0004, numRuns: 200 },
      );

      // -----------------------------------------------------------------------------------------------
      await property(
        "bodies over 1 MiB are 413 payload_too_large on every POST route (streamed or not, signed or not)",
        fc.record({
          target: fc.constantFrom(...ROUTE_NAMES, "notifications/adyen", "return"),
          extra: fc.oneof(fc.integer({ min: -4, max: 4 }), fc.integer({ min: 1, max: 200_000 })),
          streamed: fc.boolean(),
          signed: fc.boolean(),
          filler: fc.constantFrom("string", "whitespace", "deep"),
        }),
        async (c) => {
          const size = ONE_MIB + c.extra;
          const head = c.filler === "deep" ? "[".repeat(1000) : '{"paymentId":"big","padding":"';
          const tail = c.filler === "deep" ? "]".repeat(1000) : '"}';
          const fillerChar = c.filler === "whitespace" ? " " : c.filler === "deep" ? "[" : "x";
          const text = head + fillerChar.repeat(Math.max(0, size - head.length - tail.length)) + tail;
          const bytes = encoder.encode(text);
          strictEqual(bytes.length, size);
          const url = c.target === "return"
            ? `${base}/v1/return/demo.nothing`
            : c.target === "notifications/adyen"
            ? `${base}/v1/notifications/adyen`
            : `${ext}/${c.target}`;
          const headers: Record<string, string> = {
            "content-type": c.target === "return" ? "application/x-www-form-urlencoded" : "application/json",
            "x-genstore-shop-domain": SHOP_DOMAIN,
          };
          if (c.signed) headers["x-genstore-hmac-sha256"] = await signBody(CLIENT_SECRET, bytes);
          const body = c.streamed
            ? new ReadableStream<Uint8Array>({
              start(controller) {
                for (let offset = 0; offset < bytes.length; offset += 64 * 1024) {
                  controller.enqueue(bytes.subarray(offset, offset + 64 * 1024));
                }
                controller.close();
              },
            })
            : bytes;
          const answer = await nothingStoredUnless(
            async () => await send(url, { method: "POST", headers, body }),
            () => false,
          );
          if (size > ONE_MIB) {
            assertStatusIn(answer, [413], `${size} bytes`);
            deepStrictEqual(answer.json, { error: "payload_too_large" });
          } else {
            assertStatusIn(answer, [400, 401, 404], `${size} bytes`);
          }
        },
        { seed: 0x5eed_0005, numRuns: 24 },
      );

      // -----------------------------------------------------------------------------------------------
      const knownIds = (await h.gateway.db.query<{ kind: string; operation_id: string }>(
        "SELECT kind, operation_id FROM operations WHERE shop = 'demo' ORDER BY created_at LIMIT 40",
      )).map((row) => row.operation_id);

      await property(
        "GET /v1/ext/card/{route}/{id}: hostile ids and signed hostile query parameters",
        fc.record({
          route: fc.constantFrom(...ROUTE_NAMES),
          id: fc.oneof(
            { weight: 4, arbitrary: rawUrlToken },
            { weight: 2, arbitrary: fc.constantFrom(...knownIds).map(percentEncode) },
            { weight: 2, arbitrary: hostileString.map(percentEncode) },
            {
              weight: 1,
              arbitrary: fc.tuple(fc.constantFrom(...knownIds), fc.constantFrom(...RAW_ESCAPES)).map((
                [id, escape],
              ) => `${percentEncode(id)}${escape}`),
            },
          ),
          extra: fc.array(fc.tuple(rawUrlToken, rawUrlToken), { maxLength: 3 }),
          shop: fc.oneof(
            { weight: 6, arbitrary: fc.constantFrom("header" as const, "query" as const, "both" as const) },
            { weight: 1, arbitrary: fc.constant("none" as const) },
            { weight: 1, arbitrary: headerText.map((header) => ({ header })) },
            { weight: 1, arbitrary: rawUrlToken.map((query) => ({ query })) },
          ),
          timestamp: fc.oneof(
            { weight: 6, arbitrary: fc.constant("now") },
            {
              weight: 1,
              arbitrary: fc.constantFrom("0", "-1", "1e9", "+1", "99999999999999", "", "%20", "now+400"),
            },
          ),
          marker: panMarker,
          plantInId: fc.boolean(),
        }),
        async (c) => {
          const now = Math.floor(Date.now() / 1000);
          const timestamp = c.timestamp === "now"
            ? String(now)
            : c.timestamp === "now+400"
            ? String(now + 400)
            : c.timestamp;
          const id = c.plantInId ? `${c.id}${c.marker}` : c.id;
          const extra: [string, string][] = c.plantInId ? [...c.extra] : [...c.extra, ["number", c.marker]];
          remember([c.marker]);
          const answer = await nothingStoredUnless(
            async () => await querySigned(c.route, id, c.shop, extra, timestamp),
            () => false,
          );
          assertStatusIn(answer, [200, 400, 401, 403, 404], `${c.route}/${id}`);
          assertNoEcho(answer, [c.marker]);
          if (answer.status === 200) assertQueryAnswer(c.route, answer);
          else assertErrorBody(answer);
          const clean = c.timestamp === "now" && c.shop !== "none" && typeof c.shop === "string" &&
            !c.extra.some(([key]) => ["hmac", "timestamp", "shop"].includes(key));
          if (clean) assertStatusIn(answer, [200, 404], "a signed query for the demo shop");
        },
        { seed: 0x5eed_0006, numRuns: 260 },
      );

      // -----------------------------------------------------------------------------------------------
      const finishedReferences = (await h.gateway.db.query<{ reference: string }>(
        "SELECT reference FROM operations WHERE shop = 'demo' ORDER BY created_at LIMIT 20",
      )).map((row) => row.reference);

      const notificationItem = fc.record({
        merchantReference: fc.oneof<fc.MaybeWeightedArbitrary<Tree>[]>(
          { weight: 2, arbitrary: fc.constantFrom<Tree>(...finishedReferences) },
          { weight: 2, arbitrary: hostileString.map((text): Tree => `demo.${text}`) },
          { weight: 2, arbitrary: hostileId },
          { weight: 1, arbitrary: hostileJson },
        ),
        pspReference: fc.oneof(hostileString, fc.constant("8535296650153317")),
        merchantAccountCode: fc.oneof(hostileString, fc.constant("DemoMerchant")),
        eventCode: fc.oneof(
          fc.constantFrom<Tree>(
            "AUTHORISATION",
            "CAPTURE",
            "CANCELLATION",
            "REFUND",
            "REFUND_FAILED",
            "__proto__",
          ),
          hostileString,
        ),
        success: fc.oneof(fc.constantFrom<Tree>("true", "false", true, "TRUE"), hostileString),
        amount: fc.oneof(
          fc.record({
            value: fc.constantFrom<Tree>(100, 0, -1, 1.5, new Raw("1e999"), "100"),
            currency: fc.constantFrom<Tree>("USD", "usd", ""),
          }).map(({ value, currency }) => new Entries([["value", value], ["currency", currency]]) as Tree),
          hostileJson,
        ),
        signature: fc.oneof(
          fc.constantFrom<Tree>("", "not base64!", "AAAA", "A".repeat(44), null, 12),
          hostileString,
          fc.uint8Array({ minLength: 32, maxLength: 32 }).map(bytesToBase64),
        ),
      });

      await property(
        "POST /v1/notifications/adyen: unsigned, forged and malformed notifications change nothing",
        fc.record({
          shape: fc.oneof(
            {
              weight: 4,
              arbitrary: fc.array(notificationItem, { minLength: 1, maxLength: 3 }).map((items) => ({
                items,
              })),
            },
            { weight: 1, arbitrary: hostileJson.map((json) => ({ json })) },
            {
              weight: 1,
              arbitrary: rawBody('{"live":"false","notificationItems":[]}').map((raw) => ({ raw })),
            },
            {
              weight: 1,
              arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }).map((mutations) => ({
                mutations,
              })),
            },
          ),
          marker: panMarker,
          plantAt: fc.nat(),
          contentType: fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded"),
        }),
        async (c) => {
          const notification = (items: Tree[]) =>
            new Entries([["live", "false"], [
              "notificationItems",
              items.map((item) => new Entries([["NotificationRequestItem", item]])),
            ]]);
          let bytes: Uint8Array<ArrayBuffer>;
          if ("raw" in c.shape) {
            bytes = c.shape.raw.bytes;
          } else {
            let tree: Tree;
            if ("items" in c.shape) {
              tree = notification(c.shape.items.map((item) =>
                new Entries([
                  ["pspReference", item.pspReference],
                  ["merchantAccountCode", item.merchantAccountCode],
                  ["merchantReference", item.merchantReference],
                  ["amount", item.amount],
                  ["eventCode", item.eventCode],
                  ["success", item.success],
                  ["additionalData", new Entries([["hmacSignature", item.signature]])],
                ])
              ));
            } else if ("json" in c.shape) {
              tree = c.shape.json;
            } else {
              tree = notification([
                toTree({
                  pspReference: "8535296650153317",
                  merchantAccountCode: "DemoMerchant",
                  merchantReference: finishedReferences[0],
                  amount: { value: 1234, currency: "USD" },
                  eventCode: "AUTHORISATION",
                  success: "true",
                  additionalData: { hmacSignature: "A".repeat(44) },
                }),
              ]);
              const mutated = mutate(tree, c.shape.mutations, c.marker);
              tree = mutated === ABSENT ? new Raw("") : mutated;
            }
            const planted = mutate(tree, [{ op: "plant", at: c.plantAt, style: "string" }], c.marker);
            bytes = encoder.encode(emit(planted));
          }
          remember([c.marker]);
          const answer = await nothingStoredUnless(
            async () =>
              await send(`${base}/v1/notifications/adyen`, {
                method: "POST",
                headers: { "content-type": c.contentType },
                body: bytes,
              }),
            () => false,
          );
          assertStatusIn(answer, [200, 401, 413], "notification");
          assertNoEcho(answer, [c.marker]);
          if (answer.status === 200) {
            ok((answer.headers.get("content-type") ?? "").startsWith("text/plain"), describe(answer));
            // "[accepted]" is Adyen's acknowledgement; a notification naming only unknown references is
            // answered 200 with an empty body (reported separately, not a crash).
            ok(["[accepted]", ""].includes(answer.text), describe(answer));
          } else {
            assertErrorBody(answer);
            if (answer.status === 401) deepStrictEqual(answer.json, { error: "invalid_notification" });
          }
        },
        { seed: 0x5eed_0007, numRuns: 200 },
      );

      // -----------------------------------------------------------------------------------------------
      /** A form the buyer's browser (or anyone) posts back: urlencoded, multipart (broken or not), JSON, bytes. */
      const formBody = fc.oneof(
        fc.array(fc.tuple(rawUrlToken, rawUrlToken), { maxLength: 4 }).map((pairs) => ({
          type: "application/x-www-form-urlencoded",
          body: textBody(pairs.map(([key, value]) => `${key}=${value}`).join("&")),
        })),
        fc.tuple(
          fc.constantFrom(
            "multipart/form-data",
            "multipart/form-data; boundary=",
            "multipart/form-data; boundary=zz",
            'multipart/form-data; boundary="a b"',
            "multipart/form-data; boundary=" + "b".repeat(71),
            "multipart/mixed; boundary=zz",
          ),
          fc.oneof(
            fc.constantFrom(
              "",
              "garbage",
              "--zz\r\n\r\n--zz--",
              '--zz\r\nContent-Disposition: form-data; name="MD"\r\n\r\nvalue\r\n--zz--\r\n',
              '--zz\r\nContent-Disposition: form-data; name="f"; filename="x.txt"\r\nContent-Type: text/plain\r\n\r\nabc\r\n--zz--\r\n',
              '--zz\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\n{"fuzzPolluted":1}\r\n--zz--\r\n',
              "--zz\r\nContent-Disposition: form-data\r\n\r\nunterminated",
            ),
            hostileString,
          ),
        ).map(([type, text]) => ({ type, body: textBody(text) })),
        rawBody("MD=abc&PaRes=def").map((raw) => ({ type: "application/x-www-form-urlencoded", body: raw })),
        hostileJson.map((json) => ({ type: "application/json", body: textBody(emit(json)) })),
        fc.constant({
          type: "text/plain; charset=utf-16",
          body: new RawBody("UTF-16 bytes", new Uint8Array([0xff, 0xfe, 0x41, 0x00])),
        }),
      );

      const referenceArb = fc.oneof(
        { weight: 3, arbitrary: rawUrlToken },
        { weight: 2, arbitrary: rawUrlToken.map((token) => `demo.${token}`) },
        { weight: 1, arbitrary: fc.constantFrom(...RAW_ESCAPES).map((escape) => `demo.${escape}`) },
        { weight: 2, arbitrary: fc.constantFrom(...finishedReferences).map(percentEncode) },
        {
          weight: 1,
          arbitrary: fc.tuple(fc.constantFrom(...finishedReferences), rawUrlToken).map(([reference, token]) =>
            `${percentEncode(reference)}${token}`
          ),
        },
        { weight: 1, arbitrary: hostileString.map(percentEncode) },
        { weight: 1, arbitrary: rawUrlToken.map((token) => `__proto__.${token}`) },
      );

      await property(
        "GET/POST /v1/return/{reference}, GET /v1/redirect/{reference}: hostile references, parameters and forms",
        fc.record({
          page: fc.constantFrom("return GET" as const, "return POST" as const, "redirect GET" as const),
          reference: referenceArb,
          query: fc.array(fc.tuple(rawUrlToken, rawUrlToken), { maxLength: 3 }),
          form: formBody,
          marker: panMarker,
        }),
        async (c) => {
          const [page, method] = c.page.split(" ") as ["return" | "redirect", "GET" | "POST"];
          const query = [...c.query, ["cardNumber", c.marker]].map(([key, value]) => `${key}=${value}`).join(
            "&",
          );
          remember([c.marker]);
          const answer = await nothingStoredUnless(
            async () =>
              await send(`${base}/v1/${page}/${c.reference}?${query}`, {
                method,
                ...(method === "POST"
                  ? { headers: { "content-type": c.form.type }, body: c.form.body.bytes }
                  : {}),
              }),
            () => false,
          );
          assertStatusIn(answer, [200, 303, 404, 413], `${c.page} ${c.reference}`);
          assertNoEcho(answer, [c.marker]);
          if (answer.status === 303) {
            const location = answer.headers.get("location");
            ok(location !== null && /^https?:\/\//.test(location), describe(answer));
          } else if (answer.status === 413) {
            assertErrorBody(answer);
          } else if (isJson(answer)) {
            // The catch-all 404 for a path that left the route (an encoded separator).
            assertErrorBody(answer);
          } else {
            assertHtmlPage(answer);
          }
        },
        { seed: 0x5eed_0008, numRuns: 220 },
      );

      // -----------------------------------------------------------------------------------------------
      const token = h.gateway.config.operatorToken!;
      ok(token !== undefined, "dev mode has an operator token");
      const adminSegment = fc.oneof(
        fc.constantFrom(
          "metrics",
          "review",
          "incidents",
          "dead-letters",
          "demo",
          "payment",
          "settle",
          "resolve",
          "redrive",
          "1",
          "-1",
          "__proto__",
          "constructor",
          "%2e%2e%2fv1",
          "%00",
          "%2F",
        ),
        rawUrlToken,
      );
      const authorization = fc.oneof(
        fc.constantFrom<string | null>(
          null,
          "",
          "Bearer",
          `bearer ${token}`,
          `BEARER ${token}`,
          `Bearer ${token.slice(0, -1)}`,
          `Bearer ${token}x`,
          `Bearer ${token.toUpperCase() === token ? token.toLowerCase() : token.toUpperCase()}`,
          `Bearer  ${token}`,
          `Bearer\t${token}`,
          `${token}`,
          `Token ${token}`,
          `Basic ${btoa(`admin:${token}`)}`,
          `Bearer ${token},Bearer ${token}`,
          `Bearer ${"x".repeat(token.length)}`,
          `Bearer ${token.slice(1)}${token[0]}`,
        ),
        headerText.map((text) => `Bearer ${text}`),
        headerText,
      ).filter((value) => value === null || value.trim() !== `Bearer ${token}`);

      await property(
        "/admin/* without the operator token is 401 operator_token_required, whatever the method, path and header",
        fc.record({
          method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"),
          segments: fc.array(adminSegment, { maxLength: 5 }),
          authorization,
          operator: fc.option(headerText, { nil: undefined }),
          body: hostileJson,
        }),
        async (c) => {
          const headers: Record<string, string> = { "content-type": "application/json" };
          if (c.authorization !== null) headers.authorization = c.authorization;
          if (c.operator !== undefined) headers["x-operator"] = c.operator;
          const path = `/admin/${c.segments.join("/")}`;
          const hasBody = !["GET", "HEAD"].includes(c.method);
          const answer = await nothingStoredUnless(
            async () =>
              await send(`${base}${path}`, {
                method: c.method,
                headers,
                ...(hasBody ? { body: emit(c.body) } : {}),
              }),
            () => false,
          );
          assertStatusIn(answer, [401], `${c.method} ${path}`);
          if (c.method !== "HEAD") {
            deepStrictEqual(answer.json, { error: "operator_token_required" }, describe(answer));
          }
        },
        { seed: 0x5eed_0009, numRuns: 160 },
      );

      // -----------------------------------------------------------------------------------------------
      // From here on, cases take real flows (a 3DS challenge, signed PSP news): rows change by design.
      const returnUrl = fc
        .tuple(
          fc.constantFrom(
            "https://shop.example/",
            "http://shop.example:8443/",
            "https://xn--bcher-kva.example/",
            "https://user:pass@shop.example/",
            "HTTPS://SHOP.EXAMPLE/",
            "https://[::1]/",
            "https://127.0.0.1/",
          ),
          hostileString,
          fc.option(hostileString, { nil: undefined }),
        )
        .map(([origin, path, query]) => `${origin}${path}${query === undefined ? "" : `?${query}`}`);

      await property(
        "3DS payments with hostile return URLs, and the buyer's return with hostile parameters",
        fc.record({
          returnUrl,
          method: fc.constantFrom("GET" as const, "POST" as const),
          query: fc.array(fc.tuple(rawUrlToken, rawUrlToken), { maxLength: 3 }),
          form: formBody,
          marker: panMarker,
        }),
        async (c) => {
          const paymentId = newId("FZ3");
          const text = JSON.stringify(
            h.client.paymentBody({
              paymentId,
              amount: "10.00",
              card: testCard("4000000000003220"),
              returnUrl: c.returnUrl,
            }),
          );
          const paid = await nothingStoredUnless(
            async () => await postExt("payments", encoder.encode(text)),
            (a) => a.status === 200,
          );
          await checkPost("payments", text, paid, [200, 400], []);
          if (paid.status !== 200) return;
          const rows = await h.gateway.db.query<{ reference: string }>(
            "SELECT reference FROM payments WHERE shop = 'demo' AND payment_id = $1",
            [paymentId],
          );
          strictEqual(rows.length, 1);
          const reference = rows[0].reference;
          const forward = await send(`${base}/v1/redirect/${reference}`);
          assertStatusIn(forward, [200, 303, 404], "forwarding page");
          if (forward.status !== 303) assertHtmlPage(forward);
          remember([c.marker]);
          const query = [...c.query, ["PaRes", c.marker]].map(([key, value]) => `${key}=${value}`).join("&");
          for (const attempt of ["first return", "refreshed return"]) {
            const answer = await send(`${base}/v1/return/${reference}?${query}`, {
              method: c.method,
              ...(c.method === "POST"
                ? { headers: { "content-type": c.form.type }, body: c.form.body.bytes }
                : {}),
            });
            assertStatusIn(answer, [200, 303, 404], attempt);
            assertNoEcho(answer, [c.marker]);
            if (answer.status === 303) {
              const location = answer.headers.get("location")!;
              ok(/^https?:\/\/[^\r\n]*$/i.test(location), `${attempt}: Location ${JSON.stringify(location)}`);
            } else {
              assertHtmlPage(answer);
            }
          }
          const status = await querySigned("payments", percentEncode(paymentId), "header");
          strictEqual(status.status, 200, describe(status));
          assertQueryAnswer("payments", status);
        },
        { seed: 0x5eed_000a, numRuns: 40 },
      );

      // -----------------------------------------------------------------------------------------------
      const binding = await h.gateway.shops.findBinding("demo", "card");
      const credentials = binding?.test as { merchantAccount: string; hmacKeyHex: string };
      ok(credentials !== undefined && typeof credentials.hmacKeyHex === "string", "demo test credentials");
      const soldReference = (await h.gateway.db.query<{ reference: string }>(
        "SELECT reference FROM payments WHERE shop = 'demo' AND payment_id = $1",
        [sold],
      ))[0].reference;

      await property(
        "POST /v1/notifications/adyen: correctly signed notifications with hostile fields never break the gateway",
        fc.record({
          target: fc.oneof(
            { weight: 3, arbitrary: fc.constant("challenge" as const) },
            { weight: 1, arbitrary: fc.constantFrom("finished" as const, "unknown" as const) },
          ),
          items: fc.array(
            fc.record({
              pspReference: fc.oneof(
                { weight: 2, arbitrary: hostileString },
                { weight: 1, arbitrary: fc.constant("8535296650153317") },
                { weight: 1, arbitrary: longText },
                { weight: 2, arbitrary: storageHostile },
              ),
              // Mostly an AUTHORISATION that settles the challenged payment, so hostile fields reach the store.
              eventCode: fc.oneof(
                { weight: 6, arbitrary: fc.constant("AUTHORISATION") },
                {
                  weight: 2,
                  arbitrary: fc.constantFrom(
                    "CAPTURE",
                    "CANCELLATION",
                    "REFUND",
                    "REFUND_FAILED",
                    "CAPTURE_FAILED",
                  ),
                },
                { weight: 1, arbitrary: hostileString },
              ),
              success: fc.oneof(
                { weight: 4, arbitrary: fc.constantFrom("true", "false") },
                { weight: 1, arbitrary: hostileString },
              ),
              value: fc.constantFrom(1000, 1, 0, -1, Number.MAX_SAFE_INTEGER),
              currency: fc.oneof(fc.constant("USD"), hostileString),
              reason: fc.option(fc.oneof(hostileString, longText, storageHostile), { nil: undefined }),
              originalReference: fc.option(hostileString, { nil: undefined }),
              merchantAccount: fc.oneof({ weight: 6, arbitrary: fc.constant(credentials.merchantAccount) }, {
                weight: 1,
                arbitrary: hostileString,
              }),
              signed: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, {
                weight: 1,
                arbitrary: fc.constant(false),
              }),
            }),
            { minLength: 1, maxLength: 3 },
          ),
          marker: panMarker,
        }),
        async (c) => {
          let reference: string;
          const paymentId = newId("FZN");
          if (c.target === "challenge") {
            const paid = await h.client.pay({
              paymentId,
              amount: "10.00",
              card: testCard("4000000000003220"),
            });
            strictEqual(paid.status, 200, paid.text);
            reference = (await h.gateway.db.query<{ reference: string }>(
              "SELECT reference FROM payments WHERE shop = 'demo' AND payment_id = $1",
              [paymentId],
            ))[0].reference;
          } else {
            reference = c.target === "finished" ? soldReference : `demo.${paymentId}`;
          }
          const items = [];
          for (const item of c.items) {
            const fields: Record<string, unknown> = {
              pspReference: textOf(item.pspReference),
              merchantAccountCode: item.merchantAccount,
              merchantReference: reference,
              amount: { value: item.value, currency: item.currency },
              eventCode: item.eventCode,
              success: item.success,
              ...(item.reason === undefined ? {} : { reason: `${textOf(item.reason)} ${c.marker}` }),
              ...(item.originalReference === undefined ? {} : { originalReference: item.originalReference }),
            };
            fields.additionalData = {
              hmacSignature: item.signed
                ? await adyenItemSignature(fields, credentials.hmacKeyHex)
                : "A".repeat(44),
            };
            items.push({ NotificationRequestItem: fields });
          }
          remember([c.marker]);
          const answer = await send(`${base}/v1/notifications/adyen`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ live: "false", notificationItems: items }),
          });
          assertStatusIn(answer, [200, 401, 413], "signed notification");
          assertNoEcho(answer, [c.marker]);
          if (answer.status === 200) ok(["[accepted]", ""].includes(answer.text), describe(answer));
          else assertErrorBody(answer);
          if (c.target !== "unknown") {
            const status = await querySigned(
              "payments",
              percentEncode(c.target === "challenge" ? paymentId : sold),
              "header",
            );
            assertStatusIn(status, [200], "status query after the notification");
            assertQueryAnswer("payments", status);
            assertNoEcho(status, [c.marker]);
          }
        },
        { seed: 0x5eed_000b, numRuns: 60 },
      );

      // -----------------------------------------------------------------------------------------------
      // "." and ".." are printable ASCII, so they pass the id rule; but a URL resolves them away, so neither
      // a status query nor the callback PUT .../app/{kind}/{id} can name them.
      await t.step(
        "ids that URLs resolve away ('.', '..') are refused, or their callback still arrives",
        async () => {
          const dotted: [Route, string, Record<string, unknown>][] = [
            ["payments", ".", { ...template, paymentId: "." }],
            ["payments", "..", { ...template, paymentId: ".." }],
            ["refunds", "..", { refundId: "..", paymentId: newId("FZX"), amount: "1.00", test: true }],
          ];
          for (const [route, id, body] of dotted) {
            const answer = await postExt(route, encoder.encode(JSON.stringify(body)));
            // 409: a mutation above already used this id; its callback is what matters.
            assertStatusIn(answer, [200, 400, 409], `${route} ${id}`);
            if (answer.status === 400) continue;
            const outcome = await eventually(async () => {
              const rows = await h.gateway.db.query<{ status: string; last_status: number | null }>(
                "SELECT status, last_status FROM outbox WHERE shop = 'demo' AND target_id = $1 AND kind = ANY($2)",
                [id, [...ROUTES[route].kinds]],
              );
              return rows.length > 0 && rows[0].status !== "pending" ? rows[0] : undefined;
            }, 8_000);
            deepStrictEqual(
              outcome.status,
              "delivered",
              `${route} with id ${
                JSON.stringify(id)
              } was accepted (HTTP ${answer.status}) but its callback is ` +
                `${outcome.status} (Genstore answered ${outcome.last_status})`,
            );
          }
        },
      );

      // -----------------------------------------------------------------------------------------------
      await t.step("no card-like value sent reached a log line outside the request's own ids", () => {
        const echoed: string[] = [];
        for (const line of h.logs) {
          let fields: Record<string, unknown>;
          try {
            fields = JSON.parse(line);
          } catch {
            echoed.push(`unparseable log line: ${line.slice(0, 200)}`);
            continue;
          }
          // Ids and paths are logged by design; a card-like value planted in an id comes back there.
          for (const id of ["path", "operationId", "paymentId", "targetId", "reference"]) delete fields[id];
          const rest = JSON.stringify(fields);
          for (const marker of markersSent) {
            if (rest.includes(marker)) echoed.push(rest.slice(0, 300));
          }
        }
        deepStrictEqual(echoed, []);
      });
    } finally {
      console.log(
        `fuzz: ${cases} cases sent over HTTP in ${Math.round(performance.now() - started)} ms ` +
          `(${h.gateway.db.driver})\n${summary.join("\n")}`,
      );
      await h.stop();
    }
  },
});

/** Texts a database refuses unless they are cleaned first: NUL (text columns), lone surrogates (jsonb). */
const storageHostile: fc.Arbitrary<string> = fc.constantFrom(
  "a\u0000b",
  "\u0000",
  "\uD800",
  "x\uDFFFy",
  "\uDBFF\uDBFF",
);

/** Texts longer than any column a PSP reference or reason would fit in (printed as their length). */
const longText: fc.Arbitrary<Long> = fc.constantFrom(65, 256, 4_096, 100_000).map((count) =>
  new Long("9", count)
);

function textOf(value: string | Long): string {
  return value instanceof Long ? value.unit.repeat(value.count) : value;
}
