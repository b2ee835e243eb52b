import { deepStrictEqual as assertEquals, ok, strictEqual as equal } from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { createMollieProgram } from "./mod.ts";
import { loopbackCertificate } from "./tls_test_support.ts";

const API_KEY = "test_OfficialClientKey0000000000001";
const SCRIPT = fromFileUrl(new URL("./official_client_test_support.ts", import.meta.url));
const CONFIG = fromFileUrl(new URL("../../../deno.json", import.meta.url));

/** Runs the official client in its own process against `endpoint`; its one line of JSON. */
async function officialClient(args: readonly string[]): Promise<Record<string, unknown>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      `--config=${CONFIG}`,
      "--allow-net=127.0.0.1",
      "--allow-env",
      "--allow-read",
      SCRIPT,
      ...args,
    ],
    env: { MOLLIE_API_KEY: API_KEY, NODE_TLS_REJECT_UNAUTHORIZED: "0" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout).trim();
  const stderr = new TextDecoder().decode(output.stderr);
  equal(output.code, 0, `the official client failed: ${stderr.slice(0, 2000)}`);
  return JSON.parse(stdout.split("\n").at(-1) ?? "");
}

Deno.test("Mollie's official Node client creates, reads and refunds a payment at the standalone emulator", async () => {
  const { cert, key } = await loopbackCertificate();
  // The sandbox's factory, served alone at the real API's root paths (deno task sandbox mollie), over TLS.
  const mounted: { fetch?: (request: Request) => Promise<Response> } = {};
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert, key, onListen() {} },
    (request) => mounted.fetch?.(request) ?? new Response("starting", { status: 503 }),
  );
  const base = `https://127.0.0.1:${server.addr.port}`;
  const program = createMollieProgram({
    publicUrl: base,
    accounts: [{ extension: "bank", credentials: { apiKey: API_KEY, baseUrl: `${base}/v2` } }],
  });
  mounted.fetch = (request) => program.fetch(request);
  const browser = Deno.createHttpClient({ caCerts: [cert] });
  try {
    const created = await officialClient(["create", `${base}/v2/`]);
    ok(String(created.id).startsWith("tr_"));
    equal(created.status, "open");
    equal(created.fetchedId, created.id);
    assertEquals(created.fetchedAmount, { currency: "EUR", value: "10.00" });
    assertEquals(created.metadata, { reference: "official-client-1" });
    const checkoutUrl = String(created.checkoutUrl);
    ok(checkoutUrl.startsWith(`${base}/checkout/`));

    const approved = await fetch(checkoutUrl, {
      method: "POST",
      body: new URLSearchParams({ action: "approve" }),
      redirect: "manual",
      client: browser,
    });
    await approved.body?.cancel();
    equal(approved.status, 303);
    equal(approved.headers.get("location"), "https://shop.example/return/official");

    const refunded = await officialClient(["refund", `${base}/v2/`, String(created.id)]);
    ok(String(refunded.refundId).startsWith("re_"));
    equal(refunded.refundStatus, "queued");
    equal(refunded.againId, refunded.refundId);
    equal(refunded.paymentStatus, "paid");
    assertEquals(refunded.amountRemaining, { currency: "EUR", value: "7.50" });
    assertEquals(refunded.listed, [refunded.refundId]);

    const invalid = await officialClient(["invalid", `${base}/v2/`]);
    assertEquals(invalid, {
      thrown: true,
      statusCode: 422,
      field: "description",
      title: "Unprocessable Entity",
    });
  } finally {
    browser.close();
    await program.close();
    await server.shutdown();
  }
});
