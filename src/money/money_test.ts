import {
  deepStrictEqual as assertEquals,
  ok as assert,
  strictEqual as equal,
  throws as assertThrows,
} from "node:assert/strict";
import fc from "fast-check";
import { ACTIVE_CURRENCIES, currencyExponent } from "./currency.ts";
import { type AmountError, formatAmount, type Money, parseAmount } from "./money.ts";

/** Fixed seeds keep every run identical; change one to explore further locally. */
const SEED = 20_250_101;

type Expected = number | AmountError["kind"];

Deno.test("parseAmount() maps decimal strings to minor units or a typed error", async (t) => {
  const rows: readonly (readonly [text: string, currency: string, expected: Expected])[] = [
    // Accepted, counted in minor units of the currency.
    ["10", "USD", 1000],
    ["10.5", "USD", 1050],
    ["10.50", "USD", 1050],
    ["0.01", "USD", 1],
    ["00.50", "USD", 50],
    ["1000", "JPY", 1000],
    ["1", "JPY", 1],
    ["1.5", "KWD", 1500],
    ["1.500", "KWD", 1500],
    ["0.001", "KWD", 1],
    ["1", "CLF", 10000],
    ["1.2345", "CLF", 12345],
    ["0.0001", "CLF", 1],
    // Surrounding white space is trimmed, the rest must be a plain decimal.
    [" 10", "USD", 1000],
    ["10 ", "USD", 1000],
    // Boundaries of safe integers.
    ["9007199254740991", "JPY", Number.MAX_SAFE_INTEGER],
    ["90071992547409.91", "USD", Number.MAX_SAFE_INTEGER],
    ["900719925474.0991", "CLF", Number.MAX_SAFE_INTEGER],
    // More digits than the currency has, counted as written even when they are zeros.
    ["10.001", "USD", "too_many_digits"],
    ["10.000", "USD", "too_many_digits"],
    ["1.0", "JPY", "too_many_digits"],
    ["1.00", "JPY", "too_many_digits"],
    ["1.5000", "KWD", "too_many_digits"],
    ["1.23456", "CLF", "too_many_digits"],
    // Sign, zero.
    ["-1", "USD", "negative"],
    ["-0.01", "USD", "negative"],
    ["-0", "USD", "negative"],
    ["0", "USD", "zero"],
    ["0.00", "USD", "zero"],
    ["000", "JPY", "zero"],
    ["0.0000", "CLF", "zero"],
    // Not a plain decimal string.
    ["abc", "USD", "not_a_number"],
    ["1e5", "USD", "not_a_number"],
    ["", "USD", "not_a_number"],
    ["   ", "USD", "not_a_number"],
    ["10.", "USD", "not_a_number"],
    [".5", "USD", "not_a_number"],
    ["+10", "USD", "not_a_number"],
    ["1,000", "USD", "not_a_number"],
    ["1 000", "USD", "not_a_number"],
    ["0x10", "USD", "not_a_number"],
    ["10.5.0", "USD", "not_a_number"],
    ["NaN", "USD", "not_a_number"],
    ["Infinity", "USD", "not_a_number"],
    ["\u0661\u0660", "USD", "not_a_number"], // Arabic-Indic digits are not ASCII digits
    ["\uff11\uff10", "USD", "not_a_number"], // full-width digits
    // Too large for an exact integer.
    ["9007199254740992", "JPY", "too_large"],
    ["90071992547409.92", "USD", "too_large"],
    ["99999999999999999999", "USD", "too_large"],
    [`1${"0".repeat(400)}`, "USD", "too_large"],
    // Currency.
    ["10", "XYZ", "unknown_currency"],
    ["10", "usd", "unknown_currency"],
    ["10", "", "unknown_currency"],
    ["10", "XXX", "unknown_currency"],
    ["10", "HRK", "unknown_currency"],
    ["abc", "XYZ", "unknown_currency"], // the currency is checked first
  ];
  for (const [text, currency, expected] of rows) {
    await t.step(
      `${JSON.stringify(text.length > 40 ? `${text.slice(0, 20)}…` : text)} ${currency} -> ${expected}`,
      () => {
        const parsed = parseAmount(text, currency);
        if (typeof expected === "number") {
          assertEquals(parsed, { ok: true, value: { amountMinor: expected, currency } });
        } else {
          assert(!parsed.ok, `expected ${expected}`);
          equal(parsed.error.kind, expected);
          assert(parsed.error.message.length > 0);
        }
      },
    );
  }
});

Deno.test("parseAmount() names the currency and its digits in a too_many_digits message", () => {
  const parsed = parseAmount("1.0", "JPY");
  assert(!parsed.ok);
  assert(parsed.error.message.includes("JPY"), parsed.error.message);
  assert(parsed.error.message.includes("0"), parsed.error.message);
});

Deno.test("formatAmount() writes exactly the currency's minor digits", async (t) => {
  const rows: readonly (readonly [amountMinor: number, currency: string, expected: string])[] = [
    [1000, "USD", "10.00"],
    [1050, "USD", "10.50"],
    [5, "USD", "0.05"],
    [1, "USD", "0.01"],
    [0, "USD", "0.00"],
    [99, "EUR", "0.99"],
    [1000, "JPY", "1000"],
    [0, "JPY", "0"],
    [7, "JPY", "7"],
    [1500, "KWD", "1.500"],
    [1, "KWD", "0.001"],
    [12345, "CLF", "1.2345"],
    [5, "CLF", "0.0005"],
    [Number.MAX_SAFE_INTEGER, "USD", "90071992547409.91"],
  ];
  for (const [amountMinor, currency, expected] of rows) {
    await t.step(`${amountMinor} ${currency} -> ${expected}`, () => {
      equal(formatAmount({ amountMinor, currency }), expected);
    });
  }
});

Deno.test("formatAmount() throws for an unknown currency or an amount that is not a safe non-negative integer", async (t) => {
  const rows: readonly Money[] = [
    { amountMinor: 100, currency: "XYZ" },
    { amountMinor: 100, currency: "usd" },
    { amountMinor: -1, currency: "USD" },
    { amountMinor: 1.5, currency: "USD" },
    { amountMinor: Number.NaN, currency: "USD" },
    { amountMinor: Number.POSITIVE_INFINITY, currency: "USD" },
    { amountMinor: Number.MAX_SAFE_INTEGER + 1, currency: "USD" },
  ];
  for (const money of rows) {
    await t.step(`${money.amountMinor} ${money.currency}`, () => {
      assertThrows(() => formatAmount(money), RangeError);
    });
  }
});

Deno.test("formatAmount() and parseAmount() round-trip every positive safe integer in every active currency", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...ACTIVE_CURRENCIES),
      fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.maxSafeInteger().filter((n) => n >= 1)),
      (currency, amountMinor) => {
        const text = formatAmount({ amountMinor, currency });
        const parsed = parseAmount(text, currency);
        assertEquals(parsed, { ok: true, value: { amountMinor, currency } });
        equal(formatAmount(parsed.value), text);
      },
    ),
    { numRuns: 2_000, seed: SEED },
  );
});

Deno.test("parseAmount() agrees with an exact decimal model on generated plain decimals", () => {
  const decimal = fc.record({
    currency: fc.constantFrom(...ACTIVE_CURRENCIES),
    whole: fc.stringMatching(/^\d{1,20}$/),
    fraction: fc.option(fc.stringMatching(/^\d{1,6}$/), { nil: undefined }),
  });
  fc.assert(
    fc.property(decimal, ({ currency, whole, fraction }) => {
      const text = fraction === undefined ? whole : `${whole}.${fraction}`;
      const exponent = currencyExponent(currency)!;
      const parsed = parseAmount(text, currency);
      const minor = BigInt(whole) * 10n ** BigInt(exponent) +
        (fraction === undefined || fraction.length > exponent
          ? 0n
          : BigInt(fraction) * 10n ** BigInt(exponent - fraction.length));
      const expected: Expected = fraction !== undefined && fraction.length > exponent
        ? "too_many_digits"
        : minor > BigInt(Number.MAX_SAFE_INTEGER)
        ? "too_large"
        : minor === 0n
        ? "zero"
        : Number(minor);
      if (typeof expected === "number") {
        assertEquals(parsed, { ok: true, value: { amountMinor: expected, currency } });
      } else {
        equal(parsed.ok ? "ok" : parsed.error.kind, expected, text);
      }
    }),
    { numRuns: 2_000, seed: SEED },
  );
});

Deno.test("parseAmount() never throws and only returns positive safe integers, whatever the input", () => {
  const text = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.string({ unit: "binary", maxLength: 60 }),
    fc.stringMatching(/^[\s+\-.0-9eE,]{0,30}$/),
  );
  const currency = fc.oneof(fc.constantFrom(...ACTIVE_CURRENCIES), fc.string({ maxLength: 5 }));
  fc.assert(
    fc.property(text, currency, (text, currency) => {
      const parsed = parseAmount(text, currency);
      if (parsed.ok) {
        assert(Number.isSafeInteger(parsed.value.amountMinor) && parsed.value.amountMinor > 0);
        equal(parsed.value.currency, currency);
        assert(currencyExponent(currency) !== undefined);
      } else {
        assert(parsed.error.message.length > 0);
      }
    }),
    { numRuns: 5_000, seed: SEED },
  );
});
