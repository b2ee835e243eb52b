import { deepStrictEqual as assertEquals, strictEqual as equal } from "node:assert/strict";
import { startNotificationReceiver } from "./loopback.ts";
import { createNotificationSender } from "./notification_sender.ts";

const FAST = { firstDelayMs: 1, retryBaseMs: 5, maxAttempts: 4 };

Deno.test("createNotificationSender() retries until the receiver answers 2xx, signing once", async () => {
  const receiver = startNotificationReceiver({ acceptBody: "[accepted]" });
  const sender = createNotificationSender<{ event: string }>(FAST);
  let signed = 0;
  try {
    receiver.failNext(2, 503);
    sender.send(`${receiver.url}/hooks?reference=r1`, { event: "AUTHORISATION" }, () => {
      signed++;
      return { body: '{"ok":true}', headers: { "x-signature": "sig" } };
    });
    await sender.idle();
    const [delivery] = sender.deliveries();
    assertEquals(delivery, {
      url: `${receiver.url}/hooks?reference=r1`,
      meta: { event: "AUTHORISATION" },
      attempts: 3,
      delivered: true,
      lastStatus: 200,
      answer: "[accepted]",
    });
    equal(signed, 1);
    const [received] = receiver.received;
    equal(received.body, '{"ok":true}');
    equal(received.headers["x-signature"], "sig");
    equal(received.headers["content-type"], "application/json");
    assertEquals(received.params, { reference: "r1" });
  } finally {
    sender.close();
    await receiver.close();
  }
});

Deno.test("createNotificationSender() gives up after a bounded number of attempts", async () => {
  const receiver = startNotificationReceiver();
  const sender = createNotificationSender<string>(FAST);
  try {
    receiver.failNext(100);
    sender.send(receiver.url, "refused", () => ({ body: "{}" }));
    // A port nobody listens on: refused connections count as failed attempts too.
    const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const deadPort = (closed.addr as Deno.NetAddr).port;
    closed.close();
    sender.send(`http://127.0.0.1:${deadPort}/`, "unreachable", () => ({ body: "{}" }));
    await sender.idle();
    assertEquals(sender.deliveries().map((d) => [d.meta, d.attempts, d.delivered]), [
      ["refused", 4, false],
      ["unreachable", 4, false],
    ]);
    equal(receiver.received.length, 0);
  } finally {
    sender.close();
    await receiver.close();
  }
});

Deno.test("createNotificationSender() sends nothing once closed", async () => {
  const receiver = startNotificationReceiver();
  const sender = createNotificationSender<string>({ ...FAST, firstDelayMs: 50 });
  try {
    sender.send(receiver.url, "queued", () => ({ body: "{}" }));
    sender.close();
    sender.send(receiver.url, "late", () => ({ body: "{}" }));
    await sender.idle();
    await new Promise((resolve) => setTimeout(resolve, 80));
    equal(receiver.received.length, 0);
    assertEquals(sender.deliveries().map((d) => [d.meta, d.attempts]), [["queued", 0]]);
  } finally {
    await receiver.close();
  }
});
