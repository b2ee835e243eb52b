/**
 * Test support for the PayPal plugin and emulator: the emulator served on 127.0.0.1 with a webhook receiver,
 * two REST apps, and validators of PayPal's vendored OpenAPI documents with the path templates of every call.
 * @module
 */
import { ok } from "node:assert/strict";
import {
  type LoopbackServer,
  type NotificationReceiver,
  serveOnLoopback,
  startNotificationReceiver,
} from "../kit/emulator/mod.ts";
import {
  createSpecValidator,
  formatIssues,
  type SpecIssue,
  type SpecValidator,
} from "../../test/support/openapi.ts";
import { createPayPalEmulator, type PayPalEmulator, type PayPalEmulatorOptions } from "./emulator/mod.ts";

export const APP = {
  clientId: "AeGenstoreSandboxClient01",
  clientSecret: "EGnHDxD-sandbox-secret-0001",
  webhookId: "8PT597110X687430LKGECATA",
};
export const OTHER_APP = {
  clientId: "AeSomeoneElsesClient0002",
  clientSecret: "EOther-sandbox-secret-0002",
  webhookId: "2WH84320RV017454JOTHERAPP",
};
export const SECRETS: readonly string[] = [APP.clientSecret, OTHER_APP.clientSecret];

/**
 * PayPal's documents hold a few `pattern`s that are not valid regular expressions in Unicode mode (an email
 * pattern and two with needless escapes), which the shared validator (test/support/openapi.ts) compiles with
 * the `u` flag. The validators read a copy where those patterns are dropped; DROPPED_PATTERNS names them, and
 * a test checks that nothing else is.
 */
export const DROPPED_PATTERNS: string[] = [];

/** The validator of a patched copy of the document; the copy is a temporary file, read once and removed. */
function patchedValidator(name: string): SpecValidator {
  const copy = patchedCopy(name);
  try {
    return createSpecValidator(copy);
  } finally {
    Deno.removeSync(copy);
  }
}

function patchedCopy(name: string): URL {
  const spec = JSON.parse(Deno.readTextFileSync(new URL(`../../test/peers/paypal/${name}`, import.meta.url)));
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) return node.forEach((item, index) => walk(item, `${path}/${index}`));
    if (node === null || typeof node !== "object") return;
    const object = node as Record<string, unknown>;
    if (typeof object.pattern === "string") {
      try {
        new RegExp(object.pattern, "u");
      } catch {
        DROPPED_PATTERNS.push(`${name}#${path}`);
        delete object.pattern;
      }
    }
    for (const [key, value] of Object.entries(object)) walk(value, `${path}/${key}`);
  };
  walk(spec, "");
  const copy = Deno.makeTempFileSync({ prefix: "paypal-spec-", suffix: ".json" });
  Deno.writeTextFileSync(copy, JSON.stringify(spec));
  return new URL(`file://${copy}`);
}

export const ORDERS_SPEC: SpecValidator = patchedValidator("checkout_orders_v2.json");
export const PAYMENTS_SPEC: SpecValidator = patchedValidator("payments_payment_v2.json");
export const WEBHOOKS_SPEC: SpecValidator = patchedValidator("notifications_webhooks_v1.json");

/** Which document and path template a request URL belongs to; undefined for the OAuth2 token endpoint. */
export function specOf(url: string): { spec: SpecValidator; template: string } | undefined {
  const path = new URL(url).pathname.replace(/^.*?(?=\/v[12]\/)/, "");
  const rules: [RegExp, SpecValidator, string][] = [
    [/^\/v2\/checkout\/orders$/, ORDERS_SPEC, "/v2/checkout/orders"],
    [/^\/v2\/checkout\/orders\/[^/]+$/, ORDERS_SPEC, "/v2/checkout/orders/{id}"],
    [/^\/v2\/checkout\/orders\/[^/]+\/(capture|authorize)$/, ORDERS_SPEC, "/v2/checkout/orders/{id}/$1"],
    [
      /^\/v2\/payments\/authorizations\/[^/]+$/,
      PAYMENTS_SPEC,
      "/v2/payments/authorizations/{authorization_id}",
    ],
    [
      /^\/v2\/payments\/authorizations\/[^/]+\/(capture|void)$/,
      PAYMENTS_SPEC,
      "/v2/payments/authorizations/{authorization_id}/$1",
    ],
    [/^\/v2\/payments\/captures\/[^/]+$/, PAYMENTS_SPEC, "/v2/payments/captures/{capture_id}"],
    [/^\/v2\/payments\/captures\/[^/]+\/refund$/, PAYMENTS_SPEC, "/v2/payments/captures/{capture_id}/refund"],
    [/^\/v2\/payments\/refunds\/[^/]+$/, PAYMENTS_SPEC, "/v2/payments/refunds/{refund_id}"],
    [
      /^\/v1\/notifications\/verify-webhook-signature$/,
      WEBHOOKS_SPEC,
      "/v1/notifications/verify-webhook-signature",
    ],
    [/^\/v1\/notifications\/webhooks\/[^/]+$/, WEBHOOKS_SPEC, "/v1/notifications/webhooks/{webhook_id}"],
  ];
  for (const [pattern, spec, template] of rules) {
    const match = path.match(pattern);
    if (match !== null) return { spec, template: template.replace("$1", match[1] ?? "") };
  }
  return undefined;
}

/** Throws with every issue listed when a body does not match PayPal's document. */
export function assertValid(issues: readonly SpecIssue[], what: string): void {
  if (issues.length > 0) {
    throw new Error(`${what} does not match PayPal's OpenAPI document:\n${formatIssues(issues)}`);
  }
}

/** Checks a request body and an answer body against the document of their path. */
export function checkExchange(
  method: string,
  url: string,
  requestBody: unknown,
  status: number,
  answerText: string,
): void {
  const found = specOf(url);
  if (found === undefined) return;
  const { spec, template } = found;
  if (requestBody !== undefined) {
    assertValid(spec.request(method, template, requestBody), `${method} ${template}`);
  }
  if (answerText !== "" && status !== 204) {
    assertValid(
      spec.response(method, template, status, JSON.parse(answerText)),
      `${method} ${template} ${status}`,
    );
  }
}

export interface Harness {
  readonly server: LoopbackServer<PayPalEmulator>;
  readonly emulator: PayPalEmulator;
  readonly url: string;
  readonly receiver: NotificationReceiver;
  close(): Promise<void>;
}

/** The emulator on loopback at PayPal's root paths, APP's webhooks going to a receiver, OTHER_APP's nowhere. */
export function startHarness(
  options: Partial<Omit<PayPalEmulatorOptions, "publicUrl" | "apps">> = {},
): Harness {
  const receiver = startNotificationReceiver();
  const server = serveOnLoopback((publicUrl) =>
    createPayPalEmulator({
      publicUrl,
      apps: [{ ...APP, webhookUrl: `${receiver.url}/v1/notifications/paypal` }, OTHER_APP],
      webhookDelayMs: 5,
      webhookRetryBaseMs: 20,
      ...options,
    })
  );
  return {
    server,
    emulator: server.app,
    url: server.url,
    receiver,
    async close() {
      await server.close();
      await receiver.close();
    },
  };
}

/** An access token of an app, straight from the emulator. */
export async function tokenOf(url: string, app: { clientId: string; clientSecret: string }): Promise<string> {
  const response = await fetch(`${url}/v1/oauth2/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${btoa(`${app.clientId}:${app.clientSecret}`)}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials",
  });
  ok(response.ok, `token request answered ${response.status}`);
  return (await response.json()).access_token;
}
