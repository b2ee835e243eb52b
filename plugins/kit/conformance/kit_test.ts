/**
 * The kit's own parts: which outcomes each call may return, the host rule (the gateway's), the target's shape
 * and the default buyer on a loopback page.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { hostMatches as guardMatches } from "../../../adapters/plugins/host_guard.ts";
import { hostMatches } from "../../../src/plugin_api.ts";
import { driveBuyerPage } from "./buyer.ts";
import { LEGAL_OUTCOMES, type OutcomeCall, outcomeProblem } from "./checks.ts";
import { targetProblems } from "./target.ts";
import { createLoopbackHttp } from "./transport.ts";
import { CONFORMANCE_TARGET as ADYEN } from "../../adyen/conformance.ts";

const OUTCOMES = {
  succeeded: { kind: "succeeded", pspReference: "P1" },
  failed: { kind: "failed", code: "card_declined", message: "Refused" },
  requires_action: {
    kind: "requires_action",
    redirect: { url: "https://psp.example/p", method: "GET" },
    resume: {},
  },
  pending: { kind: "pending", pspReference: "P1" },
  unknown: { kind: "unknown", detail: "timeout" },
  not_received: { kind: "not_received", detail: "no record" },
  return_refused: { kind: "return_refused", detail: "garbled" },
} as const;

Deno.test("outcomeProblem() accepts the port v2 outcomes only where the port allows them", async (t) => {
  const rows: [OutcomeCall, readonly (keyof typeof OUTCOMES)[]][] = [
    ["pay", ["succeeded", "failed", "requires_action", "pending", "unknown"]],
    ["continueAfterRedirect", [
      "succeeded",
      "failed",
      "requires_action",
      "pending",
      "unknown",
      "return_refused",
    ]],
    ["capture", ["succeeded", "failed", "pending", "unknown"]],
    ["void", ["succeeded", "failed", "pending", "unknown"]],
    ["refund", ["succeeded", "failed", "pending", "unknown"]],
    ["query", ["succeeded", "failed", "requires_action", "pending", "unknown", "not_received"]],
    [
      "query:continue",
      ["succeeded", "failed", "requires_action", "pending", "unknown", "not_received", "return_refused"],
    ],
    ["notification", ["succeeded", "failed", "requires_action", "pending", "unknown"]],
  ];
  deepStrictEqual(rows.map(([call]) => call).sort(), Object.keys(LEGAL_OUTCOMES).sort());
  for (const [call, legal] of rows) {
    await t.step(call, () => {
      for (const [kind, outcome] of Object.entries(OUTCOMES)) {
        const problem = outcomeProblem(outcome, call);
        strictEqual(problem === undefined, legal.includes(kind as keyof typeof OUTCOMES), `${call}: ${kind}`);
      }
    });
  }
  ok(outcomeProblem(OUTCOMES.not_received, "pay")?.includes("only query() may"));
  ok(outcomeProblem(OUTCOMES.return_refused, "query")?.includes("only continueAfterRedirect()"));
});

Deno.test("outcomeProblem() refuses outcomes without what their kind carries", () => {
  const broken = [
    null,
    "succeeded",
    { kind: "approved" },
    { kind: "succeeded" },
    { kind: "failed", code: "", message: "x" },
    { kind: "requires_action", redirect: { url: "https://x", method: "PUT" }, resume: {} },
    { kind: "requires_action", redirect: { url: "https://x", method: "GET" }, resume: { n: 1 } },
    { kind: "pending" },
    { kind: "unknown" },
  ];
  for (const value of broken) ok(outcomeProblem(value, "pay") !== undefined, JSON.stringify(value));
});

Deno.test("the kit matches host patterns exactly as the gateway's guard does", () => {
  const hosts = [
    "checkout-test.adyen.com",
    "checkout-test.adyen.com:443",
    "api.paypal.com",
    "a.b.paypal.com",
  ];
  hosts.push("x-checkout-live.adyenpayments.com", "127.0.0.1:8080", "localhost:5432", "API.PAYPAL.COM");
  const patterns = ["checkout-test.adyen.com", "*.paypal.com", "*-checkout-live.adyenpayments.com"];
  patterns.push("127.0.0.1:*", "127.0.0.1", "api.*.com", "*");
  for (const host of hosts) {
    for (const pattern of patterns) {
      strictEqual(hostMatches(host, pattern), guardMatches(host, pattern), `${host} ~ ${pattern}`);
    }
  }
});

Deno.test("targetProblems() asks a card plugin for cards and an offsite plugin for offsite", () => {
  deepStrictEqual(targetProblems(ADYEN, false), []);
  deepStrictEqual(targetProblems(ADYEN, true), [
    "the manifest declares redirect, so the target needs offsite",
  ]);
  const offsite = {
    ...ADYEN,
    cards: undefined,
    offsite: {
      fail: { code: "payment_failed" },
      cancel: { kind: "return_refused" },
      abandon: { kind: "waits" },
    },
  };
  deepStrictEqual(targetProblems(offsite, true), []);
  deepStrictEqual(targetProblems({ ...offsite, offsite: { fail: {}, cancel: { kind: "failed" } } }, true), [
    "offsite.fail needs the code of a failed payment",
    'offsite.cancel is {kind: "failed", code} or {kind: "return_refused"}',
    'offsite.abandon is {kind: "waits"} or {kind: "expires", code}',
  ]);
  ok(targetProblems({ ...ADYEN, offsite: offsite.offsite }, false).some((p) => p.includes("not both")));
});

/** A hosted page as contract section 7 describes it: a form that POSTs `action`, then 303 home. */
function servePage(returnUrl: string, withForm = true) {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    if (request.method === "GET") {
      const form = withForm
        ? '<form method="post"><button name="action" value="approve">Pay</button></form>'
        : "";
      return new Response(`<!doctype html><p>Pay?</p>${form}`, { headers: { "content-type": "text/html" } });
    }
    const action = (await request.formData()).get("action");
    return new Response(null, { status: 303, headers: { location: `${returnUrl}?result=${action}&id=7` } });
  });
}

Deno.test("driveBuyerPage() plays the buyer on a plain form page and returns the return URL's parameters", async () => {
  const returnUrl = "https://gateway.conformance.invalid/v1/return/shop.abc";
  const server = servePage(returnUrl);
  try {
    const url = `http://127.0.0.1:${server.addr.port}/pay/1`;
    deepStrictEqual(await driveBuyerPage({ url, method: "GET" }, "cancel", returnUrl), {
      result: "cancel",
      id: "7",
    });
  } finally {
    await server.shutdown();
  }
  const formless = servePage(returnUrl, false);
  try {
    const url = `http://127.0.0.1:${formless.addr.port}/pay/1`;
    const error = await driveBuyerPage({ url, method: "GET" }, "approve", returnUrl).catch((e) => e);
    ok(error instanceof Error && error.message.includes("has no form"), String(error));
  } finally {
    await formless.shutdown();
  }
});

Deno.test("the kit's transport reaches only loopback and reports a refused connection as not_sent", async () => {
  const lines: string[] = [];
  const http = createLoopbackHttp((line) => lines.push(line));
  const deadline = Date.now() + 2_000;
  const away = await http.send(
    { method: "GET", url: "https://checkout-test.adyen.com/", operation: "x" },
    deadline,
  );
  strictEqual(away.kind, "not_sent");
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const refused = await http.send(
    { method: "POST", url: `http://127.0.0.1:${port}/`, operation: "x" },
    deadline,
  );
  strictEqual(refused.kind, "not_sent");
  strictEqual(lines.length, 1);
});
