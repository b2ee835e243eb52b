import { deepStrictEqual as same, rejects, strictEqual as equal } from "node:assert/strict";
import type { Clock } from "../ports/clock.ts";
import type { Operation } from "../payment/operation.ts";
import type { LoadedPlugin, RawNotification } from "../ports/psp_plugin.ts";
import type { GatewayDeps } from "./deps.ts";
import { handleNotification } from "./handle_notification.ts";
import { createSettlingCalls } from "./settling_calls.ts";

/** A clock whose sleeps end only when `elapse()` is called or their signal aborts. */
function manualClock(): Clock & { elapse(): void; readonly sleeping: number } {
  const sleepers = new Set<() => void>();
  return {
    now: () => 0,
    sleep(_ms, signal) {
      return new Promise((resolve) => {
        const wake = () => {
          sleepers.delete(wake);
          resolve();
        };
        if (signal?.aborted) return resolve();
        sleepers.add(wake);
        signal?.addEventListener("abort", wake, { once: true });
      });
    },
    elapse() {
      for (const wake of [...sleepers]) wake();
    },
    get sleeping() {
      return sleepers.size;
    },
  };
}

/** A promise and its resolver. */
function gate<T = void>() {
  let open!: (value: T) => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

/** Whether `promise` has settled once pending callbacks have run. */
async function isDone(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => done = true, () => done = true);
  await new Promise((resolve) => setTimeout(resolve, 0));
  return done;
}

Deno.test("settled() resolves at once for references no call of this process is settling", async () => {
  const clock = manualClock();
  const settling = createSettlingCalls(clock);
  equal(await isDone(settling.settled(["shop.aaaaaaaaaaaaaaaa"])), true);
  equal(clock.sleeping, 0, "no timer was started");
});

Deno.test("settled() waits for the tracked call to end, whether it succeeds or fails", async () => {
  const clock = manualClock();
  const settling = createSettlingCalls(clock);
  const first = gate<string>();
  const second = gate<string>();
  const tracked = settling.track("shop.aaaaaaaaaaaaaaaa", first.promise);
  const failing = settling.track("shop.bbbbbbbbbbbbbbbb", second.promise);
  const waiting = settling.settled([
    "shop.aaaaaaaaaaaaaaaa",
    "shop.bbbbbbbbbbbbbbbb",
    "shop.cccccccccccccccc",
  ]);
  equal(await isDone(waiting), false);
  first.open("recorded");
  equal(await isDone(waiting), false, "one of the two is still settling");
  second.fail(new Error("the PSP call failed"));
  equal(await isDone(waiting), true);
  equal(await tracked, "recorded", "track() hands the work back as it was");
  await rejects(failing, /the PSP call failed/);
  equal(clock.sleeping, 0, "the bound's timer was cancelled");
  equal(await isDone(settling.settled(["shop.aaaaaaaaaaaaaaaa"])), true, "an ended call is forgotten");
});

Deno.test("settled() gives up after its bound when the call is still waiting for the PSP", async () => {
  const clock = manualClock();
  const settling = createSettlingCalls(clock);
  settling.track("shop.aaaaaaaaaaaaaaaa", gate().promise);
  const waiting = settling.settled(["shop.aaaaaaaaaaaaaaaa"]);
  equal(await isDone(waiting), false);
  clock.elapse();
  equal(await isDone(waiting), true);
});

const REFERENCE = "shop-a.aaaaaaaaaaaaaaaa";

function operation(status: Operation["status"]): Operation {
  return {
    shop: "shop-a",
    kind: "payment",
    operationId: "pay-1",
    paymentId: "pay-1",
    extension: "card",
    test: true,
    reference: REFERENCE,
    fingerprint: "f",
    status,
    attempt: 1,
    pspIdempotencyKey: "k",
    createdAt: 0,
    updatedAt: 0,
    checks: 0,
  } as Operation;
}

Deno.test("a notification of this process's own call in flight reads the operation once its outcome is recorded", async () => {
  const clock = manualClock();
  const settling = createSettlingCalls(clock);
  const events: string[] = [];
  let stored = operation("processing");
  const plugin = {
    manifest: { id: "psp" },
    notificationReferences: () => Promise.resolve([REFERENCE]),
    parseNotification: () =>
      Promise.resolve({
        kind: "events",
        acknowledgement: "[accepted]",
        events: [{
          operation: "pay",
          reference: REFERENCE,
          outcome: { kind: "succeeded", pspReference: "P1" },
        }],
      }),
  } as unknown as LoadedPlugin;
  const deps = {
    plugins: new Map([["psp", plugin]]),
    shops: {
      bindingsOf: () => Promise.resolve([{ shop: "shop-a", extension: "card", plugin: "psp", test: {} }]),
    },
    pspHttp: () => ({}),
    clock,
    settings: { pspTimeoutMs: 1_000 },
    logger: { info() {}, warn() {}, error() {} },
    settling,
    store: {
      findOperationByReference: () => {
        events.push(`read ${stored.status}`);
        return Promise.resolve(stored);
      },
      transaction: () => Promise.reject(new Error("the notification needed a transaction")),
    },
  } as unknown as GatewayDeps;

  const call = gate();
  settling.track(REFERENCE, call.promise);
  const handled = handleNotification(deps, "psp", { body: "{}", headers: {} } as unknown as RawNotification);
  equal(await isDone(handled), false, "the notification waits for the call");
  equal(events.length, 0, "nothing read yet");
  stored = operation("succeeded");
  events.push("recorded");
  call.open();
  const result = await handled;
  same(events, ["recorded", "read succeeded"]);
  same(result, { kind: "accepted", acknowledgement: "[accepted]", applied: 1 });
});
