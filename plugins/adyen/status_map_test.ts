import { deepStrictEqual as assertEquals, ok, strictEqual as equal } from "node:assert/strict";
import type { PspOutcome } from "../../src/plugin_api.ts";
import { mapPaymentResult } from "./payment_result.ts";
import {
  ADYEN_RESULT_CODES,
  DEFAULT_REFUSAL_CODE,
  REFUSAL_RULES,
  refusalCode,
  RESULT_RULES,
  resultRule,
} from "./status_map.ts";

const SPEC = JSON.parse(
  Deno.readTextFileSync(new URL("../../test/peers/adyen/CheckoutService-v71.json", import.meta.url)),
);
const EUR_10 = { amountMinor: 1000, currency: "EUR" };
const REDIRECT = {
  type: "redirect",
  method: "GET",
  url: "https://checkoutshopper-test.adyen.com/threeDS/redirect",
};

Deno.test("ADYEN_RESULT_CODES is exactly the resultCode enum of the spec's payment responses", () => {
  for (const schema of ["PaymentResponse", "PaymentDetailsResponse"]) {
    const fromSpec = SPEC.components.schemas[schema].properties.resultCode.enum as string[];
    assertEquals([...fromSpec].sort(), [...ADYEN_RESULT_CODES].sort());
  }
});

Deno.test("mapPaymentResult() maps every result code of the spec", async (t) => {
  const expected: Record<(typeof ADYEN_RESULT_CODES)[number], PspOutcome["kind"]> = {
    AuthenticationFinished: "unknown",
    AuthenticationNotRequired: "unknown",
    Authorised: "succeeded",
    Cancelled: "failed",
    ChallengeShopper: "requires_action",
    Error: "failed",
    IdentifyShopper: "requires_action",
    PartiallyAuthorised: "unknown",
    Pending: "pending",
    PresentToShopper: "pending",
    Received: "pending",
    RedirectShopper: "requires_action",
    Refused: "failed",
    Success: "unknown",
  };
  for (const resultCode of ADYEN_RESULT_CODES) {
    await t.step(`${resultCode} -> ${expected[resultCode]}`, () => {
      const body = { pspReference: "ABCDEFGHIJKLMNOP", resultCode, action: REDIRECT };
      const outcome = mapPaymentResult(body, { reference: "pay_1", amount: EUR_10 });
      equal(outcome.kind, expected[resultCode]);
      equal(RESULT_RULES[resultCode].kind, expected[resultCode]);
    });
  }
});

Deno.test("mapPaymentResult() gives Error, Cancelled and Refused their failure codes", async (t) => {
  const rows = [
    [{ resultCode: "Error", refusalReason: "Acquirer Error", refusalReasonCode: "4" }, "processing_error"],
    [{ resultCode: "Cancelled" }, "cancelled"],
    [{ resultCode: "Refused", refusalReason: "Refused", refusalReasonCode: "2" }, "card_declined"],
    [
      { resultCode: "Refused", refusalReason: "Not enough balance", refusalReasonCode: "12" },
      "insufficient_funds",
    ],
    [
      { resultCode: "Refused", refusalReason: "3D Not Authenticated", refusalReasonCode: "11" },
      "authentication_failed",
    ],
    [{ resultCode: "Refused", refusalReason: "Expired Card", refusalReasonCode: "6" }, "expired_card"],
    [{ resultCode: "Refused", refusalReason: "Invalid Card Number", refusalReasonCode: "8" }, "invalid_card"],
    [{ resultCode: "Refused", refusalReason: "FRAUD", refusalReasonCode: "20" }, "fraud"],
    [{ resultCode: "Refused", refusalReason: "CVC Declined", refusalReasonCode: "24" }, "incorrect_cvc"],
    [
      { resultCode: "Refused", refusalReason: "Something new", refusalReasonCode: "99" },
      DEFAULT_REFUSAL_CODE,
    ],
    [{ resultCode: "Refused" }, DEFAULT_REFUSAL_CODE],
  ] as const;
  for (const [body, code] of rows) {
    await t.step(`${JSON.stringify(body)} -> ${code}`, () => {
      const outcome = mapPaymentResult({ pspReference: "ABCDEFGHIJKLMNOP", ...body }, {
        reference: "pay_1",
        amount: EUR_10,
      });
      equal(outcome.kind, "failed");
      equal(outcome.kind === "failed" && outcome.code, code);
    });
  }
});

Deno.test("resultRule() reads any string outside the enum as unknown, never succeeded", () => {
  for (const value of ["authorised", "AUTHORISED", "Approved", "", undefined, null, 7, {}]) {
    equal(resultRule(value).kind, "unknown", String(value));
  }
  equal(resultRule("__proto__").kind, "unknown");
  equal(resultRule("toString").kind, "unknown");
});

Deno.test("refusalCode() reads the reason text when there is no refusalReasonCode (notifications)", () => {
  for (const [code, rule] of Object.entries(REFUSAL_RULES)) {
    equal(refusalCode(code, undefined), rule.code, code);
    ok(rule.code !== "", code);
  }
  equal(refusalCode(undefined, "Not enough balance"), "insufficient_funds");
  equal(refusalCode(undefined, "3d not authenticated"), "authentication_failed");
  equal(refusalCode(undefined, "Acquirer Error"), "processing_error");
  equal(refusalCode(undefined, "never heard of it"), DEFAULT_REFUSAL_CODE);
  equal(refusalCode("toString", undefined), DEFAULT_REFUSAL_CODE);
});
