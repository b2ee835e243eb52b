import { deepStrictEqual as assertEquals, strictEqual as equal } from "node:assert/strict";
import { jsonAnswer, readJsonObject, underPrefix } from "./http.ts";

function post(body: BodyInit): Request {
  return new Request("http://127.0.0.1/v1/payments", { method: "POST", body });
}

Deno.test("readJsonObject() reads a JSON object and names what is wrong with anything else", async () => {
  assertEquals(await readJsonObject(post('{"a":1}')), { ok: true, value: { a: 1 } });
  assertEquals(await readJsonObject(post("{not json")), { ok: false, problem: "not_json" });
  assertEquals(await readJsonObject(post("[1]")), { ok: false, problem: "not_object" });
  assertEquals(await readJsonObject(post("null")), { ok: false, problem: "not_object" });
  assertEquals(await readJsonObject(post(`{"a":"${"x".repeat(100)}"}`), { maxBytes: 50 }), {
    ok: false,
    problem: "too_large",
  });
  // A streamed body without a length is cut off at the limit as well.
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(new Uint8Array(1024).fill(0x20));
    },
  });
  assertEquals(await readJsonObject(post(endless), { maxBytes: 10_000 }), {
    ok: false,
    problem: "too_large",
  });
});

Deno.test("jsonAnswer() sends JSON with the PSP's headers", async () => {
  const answer = jsonAnswer(409, { errorCode: "704" }, { "Transient-Error": "true" });
  equal(answer.status, 409);
  equal(answer.headers.get("content-type"), "application/json");
  equal(answer.headers.get("transient-error"), "true");
  assertEquals(await answer.json(), { errorCode: "704" });
});

Deno.test("underPrefix() strips its prefix and refuses paths outside it", async () => {
  const served = underPrefix(
    "/adyen/",
    (request) => new Response(new URL(request.url).pathname + new URL(request.url).search),
  );
  equal(
    await (await served(new Request("http://127.0.0.1/adyen/v71/payments?x=1"))).text(),
    "/v71/payments?x=1",
  );
  equal(await (await served(new Request("http://127.0.0.1/adyen"))).text(), "/");
  const outside = await served(new Request("http://127.0.0.1/adyenx/v71"));
  equal(outside.status, 404);
  await outside.body?.cancel();
});
