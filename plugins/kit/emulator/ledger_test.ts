import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  authorization,
  capturable,
  capture,
  type Ledger,
  type LedgerResult,
  type LedgerRules,
  refund,
  refundable,
  reverseRefund,
  sale,
  voidRemaining,
} from "./ledger.ts";

const ADYEN: LedgerRules = { multipleCaptures: true, voidAfterPartialCapture: false };
const SINGLE: LedgerRules = { multipleCaptures: false, voidAfterPartialCapture: false };
const PAYPAL: LedgerRules = { multipleCaptures: true, voidAfterPartialCapture: true };

const eur = (amountMinor: number) => ({ amountMinor, currency: "EUR" });
const auth = authorization(eur(1000));

type Step =
  | readonly ["capture", number, ("final" | undefined)?]
  | readonly ["refund", number]
  | readonly ["reverse", number]
  | readonly ["void"];

function run(start: Ledger, rules: LedgerRules, steps: readonly Step[]): (LedgerResult & { at?: number })[] {
  let ledger = start;
  return steps.map((step) => {
    const result = step[0] === "capture"
      ? capture(ledger, eur(step[1]), rules, { final: step[2] === "final" })
      : step[0] === "refund"
      ? refund(ledger, eur(step[1]))
      : step[0] === "reverse"
      ? reverseRefund(ledger, eur(step[1]))
      : voidRemaining(ledger, rules);
    if (result.ok) ledger = result.ledger;
    return result;
  });
}

/** Each row: a start, rules, steps, and what each step answers (ok, or the refusal), then the end balance. */
const ROWS: {
  name: string;
  start: Ledger;
  rules: LedgerRules;
  steps: Step[];
  answers: (true | string)[];
  end: Pick<Ledger, "captured" | "refunded" | "voided" | "captureClosed">;
}[] = [
  {
    name: "partial captures up to the authorised amount, never above",
    start: auth,
    rules: ADYEN,
    steps: [["capture", 300], ["capture", 700], ["capture", 1]],
    answers: [true, true, "capture_closed"],
    end: { captured: 1000, refunded: 0, voided: false, captureClosed: true },
  },
  {
    name: "a capture above what remains is refused and changes nothing",
    start: auth,
    rules: ADYEN,
    steps: [["capture", 600], ["capture", 500], ["capture", 400]],
    answers: [true, "exceeds_authorized", true],
    end: { captured: 1000, refunded: 0, voided: false, captureClosed: true },
  },
  {
    name: "without multiple captures the first capture closes the authorisation",
    start: auth,
    rules: SINGLE,
    steps: [["capture", 300], ["capture", 100]],
    answers: [true, "capture_closed"],
    end: { captured: 300, refunded: 0, voided: false, captureClosed: true },
  },
  {
    name: "a final capture closes the authorisation",
    start: auth,
    rules: PAYPAL,
    steps: [["capture", 300, "final"], ["capture", 100]],
    answers: [true, "capture_closed"],
    end: { captured: 300, refunded: 0, voided: false, captureClosed: true },
  },
  {
    name: "refunds never add up to more than the captures",
    start: auth,
    rules: ADYEN,
    steps: [["refund", 100], ["capture", 600], ["refund", 400], ["refund", 300], ["refund", 200], [
      "refund",
      1,
    ]],
    answers: ["not_captured", true, true, "exceeds_captured", true, "exceeds_captured"],
    end: { captured: 600, refunded: 600, voided: false, captureClosed: false },
  },
  {
    name: "a void releases an uncaptured authorisation, after which nothing can be captured",
    start: auth,
    rules: ADYEN,
    steps: [["void"], ["capture", 100], ["void"]],
    answers: [true, "voided", "already_voided"],
    end: { captured: 0, refunded: 0, voided: true, captureClosed: true },
  },
  {
    name: "Adyen: no void once anything is captured",
    start: auth,
    rules: ADYEN,
    steps: [["capture", 100], ["void"]],
    answers: [true, "already_captured"],
    end: { captured: 100, refunded: 0, voided: false, captureClosed: false },
  },
  {
    name: "PayPal: a void after a partial capture releases the rest",
    start: auth,
    rules: PAYPAL,
    steps: [["capture", 100], ["void"], ["capture", 100], ["refund", 100]],
    answers: [true, true, "voided", true],
    end: { captured: 100, refunded: 100, voided: true, captureClosed: true },
  },
  {
    name: "a sale is captured at once: refundable, not capturable, not voidable",
    start: sale(eur(1000)),
    rules: PAYPAL,
    steps: [["capture", 100], ["void"], ["refund", 1000]],
    answers: ["capture_closed", "already_captured", true],
    end: { captured: 1000, refunded: 1000, voided: false, captureClosed: true },
  },
  {
    name: "a refund that failed later is given back, never more than was refunded",
    start: sale(eur(1000)),
    rules: ADYEN,
    steps: [["refund", 400], ["reverse", 500], ["reverse", 400], ["refund", 1000]],
    answers: [true, "exceeds_captured", true, true],
    end: { captured: 1000, refunded: 1000, voided: false, captureClosed: true },
  },
  {
    name: "zero, negative and fractional amounts are refused",
    start: auth,
    rules: ADYEN,
    steps: [["capture", 0], ["capture", -5], ["capture", 1.5], ["refund", 0]],
    answers: ["invalid_amount", "invalid_amount", "invalid_amount", "invalid_amount"],
    end: { captured: 0, refunded: 0, voided: false, captureClosed: false },
  },
];

Deno.test("the ledger follows each PSP's accounting rules", async (t) => {
  for (const row of ROWS) {
    await t.step(row.name, () => {
      const results = run(row.start, row.rules, row.steps);
      assertEquals(results.map((result) => result.ok ? true : result.refusal), row.answers);
      let last = row.start;
      for (const result of results) if (result.ok) last = result.ledger;
      const { captured, refunded, voided, captureClosed } = last;
      assertEquals({ captured, refunded, voided, captureClosed }, row.end);
    });
  }
});

Deno.test("capture() and refund() refuse another currency", () => {
  assertEquals(capture(auth, { amountMinor: 100, currency: "USD" }, ADYEN), {
    ok: false,
    refusal: "currency_mismatch",
  });
  assertEquals(refund(sale(eur(100)), { amountMinor: 100, currency: "JPY" }), {
    ok: false,
    refusal: "currency_mismatch",
  });
});

Deno.test("capturable() and refundable() give what remains", () => {
  const partly = capture(auth, eur(300), ADYEN);
  if (!partly.ok) throw new Error("capture refused");
  assertEquals([capturable(partly.ledger), refundable(partly.ledger)], [700, 300]);
  assertEquals([capturable(sale(eur(500))), refundable(sale(eur(500)))], [0, 500]);
});
