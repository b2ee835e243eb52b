import { strictEqual as equal } from "node:assert/strict";
import fc from "fast-check";
import { continueKey, pspIdempotencyKey, shopOfReference } from "./operation.ts";

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

Deno.test("continueKey() gives every buyer return its own key, apart from the request's", () => {
  const reference = "shop.abc123";
  equal(continueKey(reference, 1), "gw-abc123-c1");
  equal(continueKey(reference, 2), "gw-abc123-c2");
  equal(
    new Set([pspIdempotencyKey(reference, 1), continueKey(reference, 1), continueKey(reference, 2)]).size,
    3,
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
