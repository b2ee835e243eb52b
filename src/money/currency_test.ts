import { deepStrictEqual as assertEquals, ok as assert, strictEqual as equal } from "node:assert/strict";
import { ACTIVE_CURRENCIES, currencyExponent } from "./currency.ts";

Deno.test("currencyExponent() returns the ISO 4217 minor digits of active codes", async (t) => {
  const rows: readonly (readonly [code: string, exponent: number])[] = [
    ["USD", 2],
    ["EUR", 2],
    ["GBP", 2],
    ["JPY", 0],
    ["KRW", 0],
    ["CLP", 0],
    ["ISK", 0],
    ["VND", 0],
    ["UYI", 0],
    ["KWD", 3],
    ["BHD", 3],
    ["JOD", 3],
    ["OMR", 3],
    ["TND", 3],
    ["CLF", 4],
    ["UYW", 4],
    // Replacements of withdrawn codes.
    ["XCG", 2],
    ["SLE", 2],
    ["ZWG", 2],
    ["VED", 2],
    ["MRU", 2],
    ["STN", 2],
  ];
  for (const [code, exponent] of rows) {
    await t.step(`${code} -> ${exponent}`, () => {
      equal(currencyExponent(code), exponent);
    });
  }
});

Deno.test("currencyExponent() returns undefined for withdrawn, non-currency and malformed codes", async (t) => {
  const rows = [
    "ANG", // withdrawn in 2025, replaced by XCG
    "HRK", // withdrawn in 2023, replaced by EUR
    "SLL",
    "ZWL",
    "XAU", // precious metals have no minor unit
    "XAG",
    "XDR",
    "XTS", // testing code
    "XXX", // no currency
    "usd", // codes are upper case
    "Usd",
    "US",
    "USDD",
    "",
    " USD",
    "toString", // inherited object keys are not currencies
    "__proto__",
    "constructor",
    "hasOwnProperty",
  ];
  for (const code of rows) {
    await t.step(JSON.stringify(code), () => {
      equal(currencyExponent(code), undefined);
    });
  }
});

Deno.test("ACTIVE_CURRENCIES is sorted, unique, frozen and consistent with currencyExponent()", () => {
  const sorted = [...ACTIVE_CURRENCIES].sort();
  assertEquals(ACTIVE_CURRENCIES, sorted);
  equal(new Set(ACTIVE_CURRENCIES).size, ACTIVE_CURRENCIES.length);
  assert(Object.isFrozen(ACTIVE_CURRENCIES));
  assert(ACTIVE_CURRENCIES.length > 150, `only ${ACTIVE_CURRENCIES.length} currencies`);
  for (const code of ACTIVE_CURRENCIES) {
    assert(/^[A-Z]{3}$/.test(code), code);
    const exponent = currencyExponent(code);
    assert(exponent === 0 || exponent === 2 || exponent === 3 || exponent === 4, `${code}: ${exponent}`);
  }
  for (const withdrawn of ["ANG", "HRK", "XAU", "XXX"]) {
    assert(!ACTIVE_CURRENCIES.includes(withdrawn), withdrawn);
  }
});
