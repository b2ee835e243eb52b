/**
 * The emulator's own state: a state file keeps everything across a restart and belongs to one emulator at a
 * time; concurrent requests keep the idempotency and accounting rules; the file holds no card data or secret;
 * a request that outlives its key's lease stores nothing.
 */
import { deepStrictEqual as assertEquals, match, ok, strictEqual as equal, throws } from "node:assert/strict";
import { StateFileError } from "../../kit/emulator/mod.ts";
import {
  API_KEY,
  cardMethod,
  delay,
  type Harness,
  HMAC_KEY_HEX,
  MERCHANT_ACCOUNT,
  paymentBody,
  startHarness,
} from "../test_support.ts";

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  // deno-lint-ignore no-explicit-any
  readonly body: any;
}

async function call(h: Harness, path: string, body: unknown, key?: string): Promise<Answer> {
  const headers: Record<string, string> = { "content-type": "application/json", "X-API-Key": API_KEY };
  if (key !== undefined) headers["Idempotency-Key"] = key;
  const response = await fetch(`${h.checkoutUrl}${path}`, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

function manualBody(value = 1000): Record<string, unknown> {
  return paymentBody("4242424242424242", {
    amount: { value, currency: "EUR" },
    additionalData: { manualCapture: "true" },
  });
}

const SHOPPER = "shop-demo.shopper-restart";

async function withStateFile(fn: (statePath: string) => Promise<void>): Promise<void> {
  const directory = await Deno.makeTempDir({ prefix: "adyen-state-" });
  try {
    await fn(`${directory}/adyen.jsonl`);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
}

/** What emulator A leaves behind: an authorisation, a held answer, a 500, a stored card, a challenge, a capture. */
async function bookEverything(a: Harness) {
  const keys = {
    authorise: crypto.randomUUID(),
    hold: crypto.randomUUID(),
    error: crypto.randomUUID(),
    store: crypto.randomUUID(),
    challenge: crypto.randomUUID(),
    capture: crypto.randomUUID(),
  };
  const authorisation = manualBody();
  const authorised = await call(a, "/payments", authorisation, keys.authorise);
  equal(authorised.body.resultCode, "Authorised");
  await fetch(`${a.checkoutUrl}/payments`, {
    method: "POST",
    headers: { "content-type": "application/json", "X-API-Key": API_KEY, "Idempotency-Key": keys.hold },
    body: JSON.stringify(paymentBody("4000000000006975")),
    signal: AbortSignal.timeout(300),
  }).then(
    () => Promise.reject(new Error("the timeout card must not be answered")),
    (error: Error) => equal(error.name, "TimeoutError"),
  );
  equal((await call(a, "/payments", paymentBody("4000000000000119"), keys.error)).status, 500);
  const stored = await call(
    a,
    "/payments",
    paymentBody("4242424242424242", {
      storePaymentMethod: true,
      shopperReference: SHOPPER,
      shopperInteraction: "Ecommerce",
      recurringProcessingModel: "CardOnFile",
    }),
    keys.store,
  );
  const challenge = await call(a, "/payments", paymentBody("4000000000003220"), keys.challenge);
  equal(challenge.body.resultCode, "RedirectShopper");
  const capture = await call(a, `/payments/${authorised.body.pspReference}/captures`, {
    merchantAccount: MERCHANT_ACCOUNT,
    amount: { value: 300, currency: "EUR" },
    reference: "cap-a",
  }, keys.capture);
  equal(capture.status, 201);
  return { keys, authorisation, authorised, stored, challenge, capture };
}

Deno.test("a state file keeps the emulator's state across a restart", async () => {
  await withStateFile(async (statePath) => {
    const a = startHarness({ statePath });
    let booked: Awaited<ReturnType<typeof bookEverything>>;
    try {
      booked = await bookEverything(a);
    } finally {
      await a.close();
    }
    const { keys, authorisation, authorised, stored, challenge, capture } = booked;
    const b = startHarness({ statePath });
    try {
      const replayed = await call(b, "/payments", {}, keys.authorise);
      equal(replayed.status, 200);
      assertEquals(replayed.body, authorised.body);
      equal(replayed.headers.get("idempotency-key"), keys.authorise);
      const held = await call(b, "/payments", {}, keys.hold);
      equal(held.body.resultCode, "Authorised");
      equal((await call(b, "/payments", {}, keys.error)).body.resultCode, "Error");
      assertEquals((await call(b, "/payments", {}, keys.capture)).body, capture.body);
      equal(b.emulator.chargeCount(authorisation.reference as string), 1);
      equal(b.emulator.payments().length, 5);
      equal(
        b.emulator.payments().find((p) => p.pspReference === held.body.pspReference)?.status,
        "authorised",
      );

      // The ledger: A captured 300 of 1000, so B can capture 700 and not one more.
      const psp = authorised.body.pspReference;
      const capturing = (value: number, reference: string) =>
        call(b, `/payments/${psp}/captures`, {
          merchantAccount: MERCHANT_ACCOUNT,
          amount: { value, currency: "EUR" },
          reference,
        }, crypto.randomUUID());
      const rest = await capturing(700, "cap-b");
      const over = await capturing(1, "cap-over");
      const success = async (answer: Answer) =>
        (await b.waitForWebhook((i) => i.pspReference === answer.body.pspReference)).json.notificationItems[0]
          .NotificationRequestItem.success;
      equal(await success(rest), "true");
      equal(await success(over), "false");
      equal(b.emulator.payments().find((p) => p.pspReference === psp)?.capturedValue, 1000);

      // The vault: A's token pays on B, with the same card recognised.
      const token = stored.body.additionalData["tokenization.storedPaymentMethodId"];
      const byToken = await call(b, "/payments", {
        merchantAccount: MERCHANT_ACCOUNT,
        reference: `order-${crypto.randomUUID()}`,
        amount: { value: 500, currency: "EUR" },
        returnUrl: "https://shop.example/return",
        paymentMethod: { type: "scheme", storedPaymentMethodId: token },
        shopperReference: SHOPPER,
        shopperInteraction: "ContAuth",
        recurringProcessingModel: "UnscheduledCardOnFile",
      }, crypto.randomUUID());
      equal(byToken.body.resultCode, "Authorised");
      const again = await call(
        b,
        "/payments",
        paymentBody("4242424242424242", {
          storePaymentMethod: true,
          shopperReference: SHOPPER,
          recurringProcessingModel: "CardOnFile",
        }),
        crypto.randomUUID(),
      );
      equal(again.body.additionalData["tokenization.store.operationType"], "alreadyExisting");

      // The challenge A created is answered on B's page, and its details on B.
      const challengeId = new URL(challenge.body.action.url).pathname.split("/").pop();
      const submitted = await fetch(`${b.publicUrl}/threeds/${challengeId}`, {
        method: "POST",
        body: new URLSearchParams({ action: "approve" }),
        redirect: "manual",
      });
      equal(submitted.status, 303);
      await submitted.body?.cancel();
      const redirectResult = new URL(submitted.headers.get("location")!).searchParams.get("redirectResult");
      const details = await call(
        b,
        "/payments/details",
        { details: { redirectResult } },
        crypto.randomUUID(),
      );
      equal(details.body.resultCode, "Authorised");
      equal(details.body.pspReference, challenge.body.pspReference);
    } finally {
      await b.close();
    }
  });
});

Deno.test("a state file belongs to one emulator at a time", async () => {
  await withStateFile(async (statePath) => {
    const a = startHarness({ statePath });
    try {
      throws(
        () => startHarness({ statePath }),
        (error) => error instanceof StateFileError && error.reason === "locked",
      );
    } finally {
      await a.close();
    }
    const b = startHarness({ statePath });
    await b.close();
  });
});

for (const kind of ["memory", "file"] as const) {
  const named = (name: string) => kind === "memory" ? name : `${name} [file state]`;
  const open = async (fn: (h: Harness) => Promise<void>, options = {}) => {
    await withStateFile(async (statePath) => {
      const h = startHarness({ ...options, statePath: kind === "file" ? statePath : undefined });
      try {
        await fn(h);
      } finally {
        await h.close();
      }
    });
  };

  Deno.test(named("concurrent requests with one idempotency key charge once"), async () => {
    await open(async (h) => {
      for (let round = 0; round < 8; round++) {
        const key = crypto.randomUUID();
        const body = paymentBody("4242424242424242");
        const answers = await Promise.all(Array.from({ length: 8 }, () => call(h, "/payments", body, key)));
        const answered = answers.filter((answer) => answer.status === 200);
        ok(answered.length >= 1, "the first request is answered");
        for (const answer of answers) {
          if (answer.status === 200) {
            assertEquals(answer.body, answered[0].body);
          } else {
            equal(answer.status, 409);
            equal(answer.body.errorCode, "704");
            equal(answer.headers.get("transient-error"), "true");
          }
        }
        equal(h.emulator.chargeCount(body.reference as string), 1, "exactly one charge");
        assertEquals((await call(h, "/payments", {}, key)).body, answered[0].body);
      }
    });
  });

  Deno.test(named("concurrent modifications keep Adyen's accounting rules"), async () => {
    await open(async (h) => {
      const modify = (psp: string, path: string, value?: number) =>
        call(h, `/payments/${psp}/${path}`, {
          merchantAccount: MERCHANT_ACCOUNT,
          reference: `${path}-${crypto.randomUUID()}`,
          ...(value === undefined ? {} : { amount: { value, currency: "EUR" } }),
        }, crypto.randomUUID());
      const successes = (psp: string, eventCode: string) =>
        h.emulator.notifications().filter((n) =>
          n.originalReference === psp && n.eventCode === eventCode && n.success === "true"
        ).length;
      const psp = (await call(h, "/payments", manualBody(1000), crypto.randomUUID())).body.pspReference;
      // Ten captures of 300 at once: three fit in 1000.
      const captures = await Promise.all(Array.from({ length: 10 }, () => modify(psp, "captures", 300)));
      for (const answer of captures) equal(answer.status, 201);
      equal(successes(psp, "CAPTURE"), 3);
      // Ten refunds of 200 at once: four fit in the 900 captured.
      const refunds = await Promise.all(Array.from({ length: 10 }, () => modify(psp, "refunds", 200)));
      for (const answer of refunds) equal(answer.status, 201);
      equal(successes(psp, "REFUND"), 4);
      const payment = h.emulator.payments().find((p) => p.pspReference === psp);
      equal(payment?.capturedValue, 900);
      equal(payment?.refundedValue, 800);
      // A capture racing a cancel: exactly one of them succeeds.
      for (let round = 0; round < 5; round++) {
        const raced = (await call(h, "/payments", manualBody(500), crypto.randomUUID())).body.pspReference;
        await Promise.all([modify(raced, "captures", 500), modify(raced, "cancels")]);
        equal(successes(raced, "CAPTURE") + successes(raced, "CANCELLATION"), 1, `round ${round}`);
      }
    });
  });

  Deno.test(
    named("a request that outlives its key's lease stores nothing: the key's new owner answers"),
    async () => {
      await open(async (h) => {
        // A slow request: its body arrives after the lease, when another request has taken the key over.
        const key = crypto.randomUUID();
        const body = paymentBody("4242424242424242");
        let controller!: ReadableStreamDefaultController<Uint8Array>;
        const stream = new ReadableStream<Uint8Array>({
          start(c) {
            controller = c;
          },
        });
        const text = JSON.stringify(body);
        const slow = fetch(`${h.checkoutUrl}/payments`, {
          method: "POST",
          headers: { "content-type": "application/json", "X-API-Key": API_KEY, "Idempotency-Key": key },
          body: stream,
          duplex: "half",
        } as RequestInit);
        controller.enqueue(new TextEncoder().encode(text.slice(0, 10)));
        await delay(100);
        equal((await call(h, "/payments", body, key)).status, 409, "in progress within the lease");
        await delay(200);
        const owner = await call(h, "/payments", body, key);
        equal(owner.status, 200);
        controller.enqueue(new TextEncoder().encode(text.slice(10)));
        controller.close();
        const late = await slow;
        equal(late.status, 200);
        assertEquals(await late.json(), owner.body, "the late request answers the stored answer");
        equal(h.emulator.chargeCount(body.reference as string), 1, "charged once");
      }, { idempotencyLeaseMs: 200 });
    },
  );
}

Deno.test("a state file holds no card number, API key, HMAC key or holder name", async () => {
  await withStateFile(async (statePath) => {
    const h = startHarness({ statePath });
    try {
      const storing = {
        storePaymentMethod: true,
        shopperReference: SHOPPER,
        shopperInteraction: "Ecommerce",
        recurringProcessingModel: "CardOnFile",
      };
      for (const number of ["4242424242424242", "4000000000003220", "5555555555554444"]) {
        await call(h, "/payments", paymentBody(number, storing), crypto.randomUUID());
      }
      const stored = await call(h, "/storedPaymentMethods", {
        merchantAccount: MERCHANT_ACCOUNT,
        shopperReference: SHOPPER,
        paymentMethod: cardMethod("4000000000009995"),
        recurringProcessingModel: "UnscheduledCardOnFile",
      });
      equal(stored.status, 201);
      equal(h.emulator.storedPaymentMethods().length, 3, "the challenged card is not stored yet");
    } finally {
      await h.close();
    }
    const text = await Deno.readTextFile(statePath);
    match(text, /GenstoreGatewayECOM/, "the scan reads the state");
    const digits = text.replace(/(\d)[ -]+(?=\d)/g, "$1");
    for (const number of ["4242424242424242", "4000000000003220", "5555555555554444", "4000000000009995"]) {
      ok(!digits.includes(number.slice(0, 12)), `no card number ${number}`);
    }
    ok(!text.includes(API_KEY), "no API key");
    ok(!text.toLowerCase().includes(HMAC_KEY_HEX.toLowerCase()), "no HMAC key");
    ok(!text.includes("Ada Lovelace"), "no holder name");
  });
});
