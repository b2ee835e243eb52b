import {
  deepStrictEqual as assertEquals,
  ok,
  rejects,
  strictEqual as equal,
  throws,
} from "node:assert/strict";
import { answerOnce } from "./answer_once.ts";
import {
  ClaimLostError,
  createIdempotencyStore,
  idempotencyScope,
  type KeyClaim,
  type OwnedKey,
  requestFingerprint,
} from "./idempotency.ts";
import { memoryState } from "./state.ts";

function owned(claim: KeyClaim): OwnedKey {
  if (claim.kind !== "new") throw new Error(`expected a new claim, got ${claim.kind}`);
  return claim.owned;
}

const ANSWER = { status: 201, body: { id: "p1", nested: [1, "x"] }, headers: { "request-id": "r1" } };

Deno.test("claim() answers new, then in_progress, then replay once the answer is stored", async () => {
  const state = memoryState();
  const keys = createIdempotencyStore(state);
  const first = owned(keys.claim({ scope: "s", key: "k" }));
  equal(keys.claim({ scope: "s", key: "k" }).kind, "in_progress");
  equal(keys.claim({ scope: "other", key: "k" }).kind, "new", "keys are per scope");
  await state.transaction((tx) => keys.complete(tx, first, ANSWER));
  assertEquals(keys.claim({ scope: "s", key: "k" }), { kind: "replay", answer: ANSWER });
});

Deno.test("release() gives a key back: the next request with it is processed afresh", () => {
  const keys = createIdempotencyStore(memoryState());
  const first = owned(keys.claim({ scope: "s", key: "k" }));
  keys.release(first);
  const second = owned(keys.claim({ scope: "s", key: "k" }));
  keys.release(first);
  equal(keys.claim({ scope: "s", key: "k" }).kind, "in_progress", "a stale owner cannot release it");
  keys.release(second);
});

Deno.test("claim() lets another request take a key over after the lease; the first owner then loses it", async () => {
  let now = 1_000;
  const state = memoryState();
  const keys = createIdempotencyStore(state, { leaseMs: 100, now: () => now });
  const first = owned(keys.claim({ scope: "s", key: "k" }));
  now += 99;
  equal(keys.claim({ scope: "s", key: "k" }).kind, "in_progress");
  now += 1;
  const second = owned(keys.claim({ scope: "s", key: "k" }));
  await rejects(state.transaction((tx) => keys.complete(tx, first, ANSWER)), ClaimLostError);
  await state.transaction((tx) => keys.complete(tx, second, { status: 200, body: "second" }));
  assertEquals(keys.claim({ scope: "s", key: "k" }), {
    kind: "replay",
    answer: { status: 200, body: "second" },
  });
});

Deno.test("claim() detects a reused key with another request only when asked to", async () => {
  const replaying = createIdempotencyStore(memoryState());
  const a = owned(replaying.claim({ scope: "s", key: "k", fingerprint: "a" }));
  equal(replaying.claim({ scope: "s", key: "k", fingerprint: "b" }).kind, "in_progress");
  replaying.release(a);

  const state = memoryState();
  const strict = createIdempotencyStore(state, { detectConflicts: true });
  const first = owned(strict.claim({ scope: "s", key: "k", fingerprint: "a" }));
  equal(strict.claim({ scope: "s", key: "k", fingerprint: "b" }).kind, "conflict", "while in progress");
  equal(strict.claim({ scope: "s", key: "k", fingerprint: "a" }).kind, "in_progress");
  await state.transaction((tx) => strict.complete(tx, first, ANSWER));
  equal(strict.claim({ scope: "s", key: "k", fingerprint: "b" }).kind, "conflict", "once answered");
  equal(strict.claim({ scope: "s", key: "k", fingerprint: "a" }).kind, "replay");
  throws(() => strict.claim({ scope: "s", key: "other" }), TypeError);
});

Deno.test("answerOnce() commits the answer with the writes, or rolls a rejection back and frees the key", async () => {
  const state = memoryState();
  const keys = createIdempotencyStore(state);
  const rejected = await answerOnce(state, keys, owned(keys.claim({ scope: "s", key: "k" })), (tx) => {
    tx.put("payments", "p1", { status: "half-done" });
    return { kind: "reject", answer: { status: 422, body: { errorCode: "101" } } };
  });
  equal(rejected.kind, "rejected");
  equal(state.read((view) => view.size("payments")), 0, "a rejection writes nothing");
  const answered = await answerOnce(state, keys, owned(keys.claim({ scope: "s", key: "k" })), (tx) => {
    tx.put("payments", "p1", { status: "authorised" });
    return { kind: "answer", answer: ANSWER, extra: "hold" };
  });
  assertEquals(answered, { kind: "answered", answer: ANSWER, extra: "hold" });
  assertEquals(state.read((view) => view.get("payments", "p1")), { status: "authorised" });
  assertEquals(keys.claim({ scope: "s", key: "k" }), { kind: "replay", answer: ANSWER });
});

Deno.test("answerOnce() frees the key when the work throws, and stores nothing", async () => {
  const state = memoryState();
  const keys = createIdempotencyStore(state);
  await rejects(
    answerOnce(state, keys, owned(keys.claim({ scope: "s", key: "k" })), (tx) => {
      tx.put("payments", "p1", {});
      throw new Error("broken");
    }),
    /broken/,
  );
  equal(state.read((view) => view.size("payments")), 0);
  equal(keys.claim({ scope: "s", key: "k" }).kind, "new");
});

Deno.test("answerOnce() of a request whose key was taken over stores nothing and answers the new owner's answer", async () => {
  let now = 0;
  const state = memoryState();
  const keys = createIdempotencyStore(state, { leaseMs: 10, now: () => now });
  const slow = owned(keys.claim({ scope: "s", key: "k" }));
  now = 20;
  const fast = owned(keys.claim({ scope: "s", key: "k" }));
  const stillWorking = await answerOnce(state, keys, slow, (tx) => {
    tx.put("payments", "slow", {});
    return { kind: "answer", answer: { status: 200, body: "slow" } };
  });
  equal(stillWorking.kind, "in_progress");
  await answerOnce(state, keys, fast, () => ({ kind: "answer", answer: { status: 200, body: "fast" } }));
  now = 40;
  const late = await answerOnce(state, keys, slow, (tx) => {
    tx.put("payments", "slow", {});
    return { kind: "answer", answer: { status: 200, body: "slow" } };
  });
  assertEquals(late, { kind: "replay", answer: { status: 200, body: "fast" } });
  equal(state.read((view) => view.size("payments")), 0, "the late request wrote nothing");
});

Deno.test("idempotencyScope() and requestFingerprint() are stable hashes that reveal nothing", async () => {
  const scope = await idempotencyScope("AQE-secret-key");
  equal(scope, await idempotencyScope("AQE-secret-key"));
  ok(/^[0-9a-f]{64}$/.test(scope) && !scope.includes("secret"));
  ok(await requestFingerprint(["POST", "/a", "{}"]) !== await requestFingerprint(["POST", "/a", "{ }"]));
  ok(
    await requestFingerprint(["ab", "c"]) !== await requestFingerprint(["a", "bc"]),
    "parts cannot run together",
  );
});
