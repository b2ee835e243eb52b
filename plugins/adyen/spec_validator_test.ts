// Tests of test/support/openapi.ts, kept here because that folder is shared and this task may only add the
// helper itself there.
import { match, ok, strictEqual as equal } from "node:assert/strict";
import { createSpecValidator } from "../../test/support/openapi.ts";
import { CHECKOUT_SPEC, WEBHOOKS_SPEC } from "./test_support.ts";

const SPEC = JSON.parse(
  Deno.readTextFileSync(new URL("../../test/peers/adyen/CheckoutService-v71.json", import.meta.url)),
);

Deno.test("createSpecValidator() accepts the spec's own examples", () => {
  const examples = SPEC.components.examples;
  equal(CHECKOUT_SPEC.request("POST", "/payments", examples["post-payments-card-direct"].value).length, 0);
  equal(
    CHECKOUT_SPEC.response("POST", "/payments", 200, examples["post-payments-card-direct-200"].value).length,
    0,
  );
  const capture = examples["post-payments-paymentPspReference-captures-capture-201"].value;
  equal(CHECKOUT_SPEC.response("POST", "/payments/{paymentPspReference}/captures", 201, capture).length, 0);
  equal(CHECKOUT_SPEC.response("POST", "/payments", 422, examples["generic-422"].value).length, 0);
});

Deno.test("createSpecValidator() reports unknown fields, wrong types and missing required fields", () => {
  const body = { ...SPEC.components.examples["post-payments-card-direct"].value };
  const extra = CHECKOUT_SPEC.request("POST", "/payments", { ...body, surprise: true });
  ok(extra.some((issue) => issue.message.includes("surprise")));
  const wrongType = CHECKOUT_SPEC.request("POST", "/payments", {
    ...body,
    amount: { value: "10", currency: "EUR" },
  });
  ok(wrongType.some((issue) => issue.path === "/amount/value"));
  const { returnUrl: _, ...missing } = body;
  ok(
    CHECKOUT_SPEC.request("POST", "/payments", missing).some((issue) => issue.message.includes("returnUrl")),
  );
  ok(CHECKOUT_SPEC.schema("ServiceError", { status: "500" }).length > 0);
});

Deno.test("createSpecValidator() validates webhooks and says what it cannot find", () => {
  const webhooks = JSON.parse(
    Deno.readTextFileSync(new URL("../../test/peers/adyen/Webhooks-v1.json", import.meta.url)),
  );
  equal(
    WEBHOOKS_SPEC.request("POST", "/CAPTURE", webhooks.components.examples["post-CAPTURE-capture"].value)
      .length,
    0,
  );
  match(CHECKOUT_SPEC.request("POST", "/nope", {})[0].message, /no operation/);
  match(CHECKOUT_SPEC.response("POST", "/payments", 418, {})[0].message, /no response documented/);
  match(CHECKOUT_SPEC.schema("Nope", {})[0].message, /no component schema/);
});

Deno.test("createSpecValidator() caches one validator per file", () => {
  const url = new URL("../../test/peers/adyen/CheckoutService-v71.json", import.meta.url);
  equal(createSpecValidator(url), CHECKOUT_SPEC);
});
