/**
 * The sandbox program (scripts/sandbox.ts, sandbox.json) with the Adyen emulator, run as a child process:
 * every emulator under its prefix or one alone at the real API's paths, notifications to the gateway's route,
 * file state that survives kill -9, and one clear line with exit code 2 when it cannot start.
 */
import { deepStrictEqual as assertEquals, match, ok, strictEqual as equal } from "node:assert/strict";
import { startNotificationReceiver } from "../../kit/emulator/mod.ts";
import { hmacSha256, toBase64 } from "../../kit/mod.ts";
import { DEMO_ACCOUNT, failingSandbox, startSandboxProcess } from "./sandbox_test_support.ts";
import { signingString, type UnsignedItem } from "./notifications.ts";

const FUTURE_YEAR = String(new Date().getUTCFullYear() + 3);

function payment(number: string, overrides: Record<string, unknown> = {}) {
  return {
    merchantAccount: DEMO_ACCOUNT.merchantAccount,
    reference: `order-${crypto.randomUUID()}`,
    amount: { value: 1250, currency: "EUR" },
    returnUrl: "https://gateway.example/v1/return/pay_1",
    paymentMethod: { type: "scheme", number, expiryMonth: "03", expiryYear: FUTURE_YEAR, cvc: "737" },
    ...overrides,
  };
}

// deno-lint-ignore no-explicit-any
async function post(url: string, body: unknown, key?: string): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "X-API-Key": DEMO_ACCOUNT.apiKey,
  };
  if (key !== undefined) headers["Idempotency-Key"] = key;
  const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

Deno.test("the sandbox serves sandbox.json's emulators under their prefixes and notifies the gateway's route", async () => {
  const gateway = startNotificationReceiver({ acceptBody: "[accepted]" });
  const sandbox = await startSandboxProcess(["--port", "0", "--notify-url", `${gateway.url}/`]);
  try {
    match(
      sandbox.line,
      /^sandbox listening on http:\/\/127\.0\.0\.1:\d+ \(adyen at \/adyen(, [a-z]+ at \/[a-z]+)*; state in memory\)$/,
    );
    const health = await (await fetch(`${sandbox.url}/healthz`)).json();
    equal(health.status, "ok");
    ok(
      health.emulators.some((e: { id: string; prefix: string }) => e.id === "adyen" && e.prefix === "/adyen"),
    );
    // sandbox.json's card account: baseUrl "{sandbox}/adyen/v71".
    const paid = await post(
      `${sandbox.url}/adyen/v71/payments`,
      payment("4242424242424242"),
      crypto.randomUUID(),
    );
    equal(paid.status, 200);
    equal(paid.body.resultCode, "Authorised");
    const challenged = await post(`${sandbox.url}/adyen/v71/payments`, payment("4000000000003220"));
    ok(challenged.body.action.url.startsWith(`${sandbox.url}/adyen/threeds/`), "pages carry the prefix");
    equal(
      (await fetch(challenged.body.action.url).then((r) => r.text())).includes("3D Secure challenge"),
      true,
    );
    const notified = await gateway.waitFor((n) => n.body.includes(paid.body.pspReference), 5_000);
    equal(notified.path, "/v1/notifications/adyen");
    const item: UnsignedItem & { additionalData: Record<string, string> } =
      JSON.parse(notified.body).notificationItems[0].NotificationRequestItem;
    const expected = toBase64(
      await hmacSha256(
        Uint8Array.from(DEMO_ACCOUNT.hmacKeyHex.match(/../g)!, (h) => parseInt(h, 16)),
        signingString(item),
      ),
    );
    equal(item.additionalData.hmacSignature, expected, "signed with sandbox.json's HMAC key");
    const elsewhere = await fetch(`${sandbox.url}/nobody/v2/payments`);
    equal(elsewhere.status, 404);
    await elsewhere.body?.cancel();
  } finally {
    equal((await sandbox.stop()).code, 0, "SIGTERM stops it cleanly");
    await gateway.close();
  }
});

Deno.test("the sandbox serves one emulator alone at the real API's root paths", async () => {
  const sandbox = await startSandboxProcess(["adyen", "--port", "0"]);
  try {
    match(sandbox.line, /\(adyen at \/; state in memory\)$/);
    const paid = await post(`${sandbox.url}/v71/payments`, payment("4000000000000002"), crypto.randomUUID());
    equal(paid.body.resultCode, "Refused");
    const challenged = await post(`${sandbox.url}/v71/payments`, payment("4000000000003220"));
    ok(challenged.body.action.url.startsWith(`${sandbox.url}/threeds/`));
    assertEquals(await (await fetch(`${sandbox.url}/healthz`)).json(), {
      status: "ok",
      emulators: [{ id: "adyen", prefix: "/" }],
    });
  } finally {
    await sandbox.stop();
  }
});

Deno.test("the sandbox's file state survives kill -9: keys replay and the ledger holds", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "sandbox-data-" });
  try {
    const first = await startSandboxProcess(["adyen", "--port", "0", "--data-dir", dataDir]);
    const key = crypto.randomUUID();
    const body = payment("4242424242424242", { additionalData: { manualCapture: "true" } });
    const authorised = await post(`${first.url}/v71/payments`, body, key);
    equal(authorised.body.resultCode, "Authorised");
    const capture = (url: string, value: number) =>
      post(`${url}/v71/payments/${authorised.body.pspReference}/captures`, {
        merchantAccount: DEMO_ACCOUNT.merchantAccount,
        amount: { value, currency: "EUR" },
      }, crypto.randomUUID());
    equal((await capture(first.url, 1250)).status, 201);
    equal((await first.stop("SIGKILL")).signal, "SIGKILL");

    const gateway = startNotificationReceiver({ acceptBody: "[accepted]" });
    const second = await startSandboxProcess([
      "adyen",
      "--port",
      "0",
      "--data-dir",
      dataDir,
      "--notify-url",
      gateway.url,
    ]);
    try {
      const replay = await post(`${second.url}/v71/payments`, {}, key);
      assertEquals(replay, authorised, "the answer given before kill -9 is replayed");
      // Everything was captured before the crash: one more minor unit is refused.
      const over = await capture(second.url, 1);
      equal(over.status, 201);
      const notified = await gateway.waitFor((n) => n.body.includes(over.body.pspReference), 5_000);
      const item = JSON.parse(notified.body).notificationItems[0].NotificationRequestItem;
      equal(item.eventCode, "CAPTURE");
      equal(item.success, "false");
      equal(item.reason, "Payment has already been captured");
    } finally {
      await second.stop();
      await gateway.close();
    }
    const files = [...Deno.readDirSync(dataDir)].map((entry) => entry.name).sort();
    assertEquals(files, ["adyen.jsonl", "adyen.jsonl.lock"]);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("the sandbox refuses with one line and exit code 2 when it cannot start", async (t) => {
  const dataDir = await Deno.makeTempDir({ prefix: "sandbox-data-" });
  try {
    await t.step("a state file another sandbox holds", async () => {
      const owner = await startSandboxProcess(["--port", "0", "--data-dir", dataDir]);
      try {
        const refused = await failingSandbox(["--port", "0", "--data-dir", dataDir]);
        equal(refused.code, 2);
        match(
          refused.stderr.trim(),
          /^Cannot open the state file .*adyen\.jsonl: another process holds its lock$/,
        );
      } finally {
        await owner.stop();
      }
    });
    await t.step("a taken port", async () => {
      const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      try {
        const port = (taken.addr as Deno.NetAddr).port;
        const refused = await failingSandbox(["--port", String(port)]);
        equal(refused.code, 2);
        equal(refused.stderr.trim(), `Cannot listen on 127.0.0.1:${port}: the port is taken`);
      } finally {
        taken.close();
      }
    });
    await t.step("a data directory that is a file", async () => {
      const file = `${dataDir}/not-a-directory`;
      await Deno.writeTextFile(file, "");
      const refused = await failingSandbox(["--port", "0", "--data-dir", file]);
      equal(refused.code, 2);
      match(refused.stderr.trim(), /^Cannot use the data directory .*not-a-directory: /);
      equal(refused.stderr.trim().split("\n").length, 1);
    });
    await t.step("an emulator sandbox.json does not name", async () => {
      const refused = await failingSandbox(["stripe", "--port", "0"]);
      equal(refused.code, 2);
      match(refused.stderr.trim(), /^Cannot serve stripe: sandbox\.json names adyen(, [a-z]+)*$/);
    });
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("the sandbox started with --exit-with-parent exits when its standard input closes", async () => {
  const sandbox = await startSandboxProcess(["--port", "0", "--exit-with-parent"], { stdin: "piped" });
  const health = await fetch(`${sandbox.url}/healthz`);
  equal(health.status, 200);
  await health.body?.cancel();
  await sandbox.child.stdin.close();
  const status = await sandbox.child.status;
  equal(status.code, 0);
  await fetch(`${sandbox.url}/healthz`).then(
    () => Promise.reject(new Error("the sandbox still answers")),
    (error: Error) => ok(error instanceof TypeError),
  );
});
