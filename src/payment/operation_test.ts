import { strictEqual as equal } from "node:assert/strict";
import fc from "fast-check";
import { pspIdempotencyKey, shopOfReference, stepOfKey } from "./operation.ts";

const SEED = 20_250_107;

Deno.test("pspIdempotencyKey() combines the reference's token, the step and the attempt", async (t) => {
  const rows:
    readonly (readonly [reference: string, attempt: number, step: string | undefined, key: string])[] = [
      ["shop.example.abc123", 1, undefined, "gw-abc123-p1"],
      ["shop.example.abc123", 2, "p", "gw-abc123-p2"],
      ["shop.example.abc123", 1, "c", "gw-abc123-c1"],
      ["shop.example.abc123", 12, "c", "gw-abc123-c12"],
      ["myshop.abc", 3, undefined, "gw-abc-p3"],
      ["tokenonly", 1, undefined, "gw-tokenonly-p1"],
    ];
  for (const [reference, attempt, step, key] of rows) {
    await t.step(`${reference} #${attempt} ${step ?? "(default)"} -> ${key}`, () => {
      equal(pspIdempotencyKey(reference, attempt, step), key);
    });
  }
});

Deno.test("stepOfKey() returns the step a key was made for", async (t) => {
  const rows: readonly (readonly [key: string, step: string])[] = [
    ["gw-abc123-p1", "p"],
    ["gw-abc123-p12", "p"],
    ["gw-abc123-c1", "c"],
    ["gw-abc123-c40", "c"],
    ["gw-a-b-c-p7", "p"], // a token with dashes
  ];
  for (const [key, step] of rows) {
    await t.step(`${key} -> ${step}`, () => equal(stepOfKey(key), step));
  }
});

Deno.test("stepOfKey() recovers the step of every key pspIdempotencyKey() makes", () => {
  fc.assert(
    fc.property(
      fc.stringMatching(/^[a-z0-9-]{1,20}(\.[a-z0-9-]{1,20}){0,3}$/),
      fc.integer({ min: 1, max: 1_000 }),
      fc.constantFrom("p", "c"),
      (reference, attempt, step) => {
        equal(stepOfKey(pspIdempotencyKey(reference, attempt, step)), step);
      },
    ),
    { numRuns: 1_000, seed: SEED },
  );
});

Deno.test("shopOfReference() returns everything before the last dot", async (t) => {
  const rows: readonly (readonly [reference: string, shop: string | undefined])[] = [
    ["shop.tok", "shop"],
    ["myshop.genstore.com.tok", "myshop.genstore.com"],
    ["shop-1.a-b-c", "shop-1"],
    ["tok", undefined],
    [".tok", undefined],
    ["", undefined],
    ["shop.", "shop"],
  ];
  for (const [reference, shop] of rows) {
    await t.step(`${JSON.stringify(reference)} -> ${shop}`, () => equal(shopOfReference(reference), shop));
  }
});

Deno.test("shopOfReference() recovers the shop of any {shop}.{token} reference", () => {
  fc.assert(
    fc.property(
      fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,40}$/),
      fc.stringMatching(/^[A-Za-z0-9_-]{1,30}$/),
      (shop, token) => {
        equal(shopOfReference(`${shop}.${token}`), shop);
        equal(pspIdempotencyKey(`${shop}.${token}`, 1), `gw-${token}-p1`);
      },
    ),
    { numRuns: 1_000, seed: SEED },
  );
});
