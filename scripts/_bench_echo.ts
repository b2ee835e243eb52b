/**
 * The benchmark's reference: a bare Hono JSON echo in its own process, the least an HTTP JSON service on this
 * machine can cost. It reads the body and answers a small JSON object, like the gateway's answer.
 * @module
 */
import { Hono } from "hono";

const app = new Hono();
app.get("/healthz", (c) => c.json({ status: "ok" }));
app.post("/echo", async (c) => {
  const body = await c.req.arrayBuffer();
  return c.json({ channelPaymentId: "ECHO000000000000", bytes: body.byteLength });
});
Deno.serve({ hostname: "127.0.0.1", port: Number(Deno.env.get("PORT") ?? 0), onListen() {} }, app.fetch);
