import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { timingSafeEqual } from "./constant_time.ts";

Deno.test("timingSafeEqual is true only for equal bytes of equal length", () => {
  const a = Uint8Array.from([1, 2, 3, 4]);
  assertEquals(timingSafeEqual(a, Uint8Array.from([1, 2, 3, 4])), true);
  assertEquals(timingSafeEqual(a, Uint8Array.from([1, 2, 3, 5])), false);
  assertEquals(timingSafeEqual(a, Uint8Array.from([0, 2, 3, 4])), false);
  assertEquals(timingSafeEqual(a, Uint8Array.from([1, 2, 3])), false);
  assertEquals(timingSafeEqual(new Uint8Array(0), new Uint8Array(0)), true);
});
