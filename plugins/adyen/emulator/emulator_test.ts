import { deepStrictEqual as assertEquals, match, ok, strictEqual as equal } from "node:assert/strict";
import { createHmac } from "node:crypto";
import {
  API_KEY,
  assertValid,
  CHECKOUT_SPEC,
  delay,
  FUTURE_YEAR,
  type Harness,
  HMAC_KEY_HEX,
  MERCHANT_ACCOUNT,
  OTHER_API_KEY,
  OTHER_MERCHANT_ACCOUNT,
  paymentBody,
  type ReceivedWebhook,
  startHarness,
  WEBHOOKS_SPEC,
} from "../test_support.ts";
import { type AdyenEmulator, createAdyenEmulator } from "./mod.ts";

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  // deno-lint-ignore no-explicit-any
  readonly body: any;
}

function template(path: string): string {
  return path.replace(
    /^\/payments\/(?!details$)[^/]+\/(captures|cancels|refunds)$/,
    "/payments/{paymentPspReference}/$1",
  );
}

/** POSTs to the emulator's Checkout API and checks the request and the answer against Adyen's spec. */
async function post(
  harness: Harness,
  path: string,
  body: unknown,
  options: { key?: string; apiKey?: string | null; raw?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const apiKey = options.apiKey === undefined ? API_KEY : options.apiKey;
  if (apiKey !== null) headers["X-API-Key"] = apiKey;
  if (options.key !== undefined) headers["Idempotency-Key"] = options.key;
  const response = await fetch(`${harness.checkoutUrl}${path}`, {
    method: "POST",
    headers,
    body: options.raw ?? JSON.stringify(body),
  });
  const answer = { status: response.status, headers: response.headers, body: await response.json() };
  checkAnswer(path, answer);
  return answer;
}

function checkAnswer(path: string, answer: Answer): void {
  if (answer.status === 409) {
    // 409 is not in the spec's response list; Adyen answers it with a ServiceError all the same.
    assertValid(CHECKOUT_SPEC.schema("ServiceError", answer.body), "409 answer");
    return;
  }
  assertValid(
    CHECKOUT_SPEC.response("POST", template(path), answer.status, answer.body),
    `${answer.status} answer`,
  );
}

function itemOf(webhook: ReceivedWebhook): Record<string, unknown> {
  return webhook.json.notificationItems[0].NotificationRequestItem;
}

/** Checks a notification against the spec of its event and verifies its HMAC independently (node:crypto). */
function checkWebhook(webhook: ReceivedWebhook): Record<string, unknown> {
  const item = itemOf(webhook);
  assertValid(
    WEBHOOKS_SPEC.request("POST", `/${item.eventCode}`, withoutSignatureWhereUndocumented(webhook.json)),
    `${item.eventCode} notification`,
  );
  const amount = item.amount as { value: number; currency: string };
  const signed = [
    item.pspReference,
    item.originalReference ?? "",
    item.merchantAccountCode,
    item.merchantReference,
    amount.value,
    amount.currency,
    item.eventCode,
    item.success,
  ].join(":");
  const expected = createHmac("sha256", Buffer.from(HMAC_KEY_HEX, "hex")).update(signed).digest("base64");
  equal((item.additionalData as Record<string, string>).hmacSignature, expected);
  return item;
}

/**
 * Adyen signs every item, but the schema of RECURRING_CONTRACT's additionalData leaves hmacSignature out (the
 * spec's own RECURRING_CONTRACT example carries one all the same): it is checked by HMAC, not by the schema.
 */
function withoutSignatureWhereUndocumented(json: ReceivedWebhook["json"]): unknown {
  return {
    ...json,
    notificationItems: json.notificationItems.map(({ NotificationRequestItem: item }) => {
      if (item.eventCode !== "RECURRING_CONTRACT") return { NotificationRequestItem: item };
      const { hmacSignature: _, ...additionalData } = item.additionalData as Record<string, string>;
      return { NotificationRequestItem: { ...item, additionalData } };
    }),
  };
}

/** The emulator's state kinds: in memory (tests, the default) and journaled to a file (the sandbox's dev mode). */
const STATE_KINDS = ["memory", "file"] as const;

/**
 * Registers a test once per state kind. On file state the test ends by opening the state file again in a new
 * emulator: it must hold exactly what the first one showed.
 */
function emulatorTest(name: string, fn: (harness: Harness) => Promise<void>, options = {}): void {
  for (const kind of STATE_KINDS) {
    Deno.test(kind === "memory" ? name : `${name} [file state]`, async () => {
      const directory = kind === "file" ? await Deno.makeTempDir({ prefix: "adyen-emulator-" }) : undefined;
      const statePath = directory === undefined ? undefined : `${directory}/adyen.jsonl`;
      const harness = startHarness({ ...options, statePath });
      let seen: Views | undefined;
      try {
        await fn(harness);
        seen = views(harness.emulator);
      } finally {
        await harness.close();
      }
      try {
        if (statePath !== undefined && seen !== undefined) {
          const reopened = createAdyenEmulator({ publicUrl: harness.publicUrl, accounts: [], statePath });
          const again = views(reopened);
          reopened.close();
          assertEquals(again, seen, "the state file holds what the emulator showed");
        }
      } finally {
        if (directory !== undefined) await Deno.remove(directory, { recursive: true });
      }
    });
  }
}

type Views = ReturnType<typeof views>;

function views(emulator: AdyenEmulator) {
  const payments = emulator.payments();
  return {
    payments,
    tokens: emulator.storedPaymentMethods(),
    charges: payments.map((payment) => emulator.chargeCount(payment.merchantReference)),
  };
}

emulatorTest("emulator authorises and captures the approved test card, then notifies", async (harness) => {
  const body = paymentBody("4242424242424242");
  assertValid(CHECKOUT_SPEC.request("POST", "/payments", body), "PaymentRequest");
  const answer = await post(harness, "/payments", body, { key: crypto.randomUUID() });
  equal(answer.status, 200);
  equal(answer.body.resultCode, "Authorised");
  match(answer.body.pspReference, /^[A-Z0-9]{16}$/);
  equal(answer.body.merchantReference, body.reference);
  const [payment] = harness.emulator.payments();
  equal(payment.captureMode, "sale");
  equal(payment.capturedValue, 1000);
  const webhook = await harness.waitForWebhook((item) => item.pspReference === answer.body.pspReference);
  const item = checkWebhook(webhook);
  equal(item.eventCode, "AUTHORISATION");
  equal(item.success, "true");
  equal(item.merchantReference, body.reference);
  equal(item.merchantAccountCode, MERCHANT_ACCOUNT);
  equal(webhook.json.live, "false");
});

emulatorTest(
  "emulator refuses the decline and insufficient-funds cards with Adyen's reasons",
  async (harness) => {
    const rows = [
      ["4000000000000002", "Refused", "2"],
      ["4000000000009995", "Not enough balance", "12"],
    ] as const;
    for (const [number, reason, code] of rows) {
      const answer = await post(harness, "/payments", paymentBody(number), { key: crypto.randomUUID() });
      equal(answer.status, 200);
      equal(answer.body.resultCode, "Refused");
      equal(answer.body.refusalReason, reason);
      equal(answer.body.refusalReasonCode, code);
      const item = checkWebhook(
        await harness.waitForWebhook((i) => i.pspReference === answer.body.pspReference),
      );
      equal(item.success, "false");
      equal(item.reason, reason);
    }
  },
);

/** Drives the challenge page like a script: GET it, POST the action, and read the 303 by hand. */
async function answerChallenge(url: string, action: string): Promise<URL> {
  const page = await fetch(url);
  equal(page.status, 200);
  const html = await page.text();
  match(html, /<form method="post">/);
  for (const value of ["approve", "fail", "cancel"]) {
    match(html, new RegExp(`name="action" value="${value}"`));
  }
  const submitted = await fetch(url, {
    method: "POST",
    body: new URLSearchParams({ action }),
    redirect: "manual",
  });
  equal(submitted.status, 303);
  await submitted.body?.cancel();
  return new URL(submitted.headers.get("location") ?? "");
}

emulatorTest("emulator runs the 3DS redirect flow to Authorised when the buyer approves", async (harness) => {
  const body = paymentBody("4000000000003220");
  const first = await post(harness, "/payments", body, { key: crypto.randomUUID() });
  equal(first.body.resultCode, "RedirectShopper");
  equal(first.body.action.type, "redirect");
  equal(first.body.action.method, "GET");
  ok(first.body.action.url.startsWith(`${harness.publicUrl}/threeds/`));
  equal(harness.webhooks.length, 0, "no AUTHORISATION before the buyer acts");
  const back = await answerChallenge(first.body.action.url, "approve");
  equal(`${back.origin}${back.pathname}`, "https://shop.example/return");
  equal(back.searchParams.get("order"), "42", "the returnUrl keeps its own query parameters");
  const redirectResult = back.searchParams.get("redirectResult") ?? "";
  ok(redirectResult.length > 20);
  const detailsBody = { details: { redirectResult } };
  assertValid(CHECKOUT_SPEC.request("POST", "/payments/details", detailsBody), "PaymentDetailsRequest");
  const details = await post(harness, "/payments/details", detailsBody, { key: crypto.randomUUID() });
  equal(details.status, 200);
  equal(details.body.resultCode, "Authorised");
  equal(details.body.pspReference, first.body.pspReference);
  const item = checkWebhook(await harness.waitForWebhook((i) => i.pspReference === first.body.pspReference));
  equal(item.success, "true");
  // Submitting the same redirectResult again (a reload) gets the same result, and no second notification.
  const again = await post(harness, "/payments/details", detailsBody, { key: crypto.randomUUID() });
  assertEquals(again.body, details.body);
  await delay(50);
  equal(harness.emulator.notifications().length, 1);
});

emulatorTest(
  "emulator refuses with 3D Not Authenticated or cancels when the buyer fails or cancels",
  async (h) => {
    const rows = [
      ["fail", "Refused", "3D Not Authenticated", "11"],
      ["cancel", "Cancelled", "Shopper Cancelled", "16"],
    ] as const;
    for (const [action, resultCode, reason, code] of rows) {
      const first = await post(h, "/payments", paymentBody("4000000000003220"), { key: crypto.randomUUID() });
      const back = await answerChallenge(first.body.action.url, action);
      const redirectResult = back.searchParams.get("redirectResult") ?? "";
      const details = await post(h, "/payments/details", { details: { redirectResult } }, {
        key: crypto.randomUUID(),
      });
      equal(details.body.resultCode, resultCode);
      equal(details.body.refusalReason, reason);
      equal(details.body.refusalReasonCode, code);
      const item = checkWebhook(await h.waitForWebhook((i) => i.pspReference === first.body.pspReference));
      equal(item.success, "false");
    }
  },
);

emulatorTest(
  "emulator keeps the first answer of a challenge page and rejects an unknown action",
  async (h) => {
    const first = await post(h, "/payments", paymentBody("4000000000003220"), { key: crypto.randomUUID() });
    const approved = await answerChallenge(first.body.action.url, "approve");
    const failed = await answerChallenge(first.body.action.url, "fail");
    equal(failed.toString(), approved.toString());
    const bad = await fetch(first.body.action.url, {
      method: "POST",
      body: new URLSearchParams({ action: "maybe" }),
    });
    equal(bad.status, 400);
    await bad.body?.cancel();
    const unknown = await fetch(`${h.publicUrl}/threeds/nope`);
    equal(unknown.status, 404);
    await unknown.body?.cancel();
    const details = await post(h, "/payments/details", { details: { redirectResult: "forged" } }, {
      key: crypto.randomUUID(),
    });
    equal(details.status, 422);
  },
);

emulatorTest(
  "emulator answers the 500 card with a ServiceError and replays the stored Error result",
  async (h) => {
    const key = crypto.randomUUID();
    const body = paymentBody("4000000000000119");
    const first = await post(h, "/payments", body, { key });
    equal(first.status, 500);
    equal(first.body.errorType, "internal");
    const replay = await post(h, "/payments", body, { key });
    equal(replay.status, 200);
    equal(replay.body.resultCode, "Error");
    equal(replay.body.refusalReason, "Acquirer Error");
    equal(replay.headers.get("idempotency-key"), key);
    equal(h.emulator.chargeCount(body.reference as string), 1);
    // Its notification is lost as well: only asking settles it (contract section 7).
    equal(h.emulator.notifications().some((n) => n.pspReference === replay.body.pspReference), false);
  },
);

emulatorTest(
  "emulator authorises the timeout card but never answers; the same key replays Authorised",
  async (h) => {
    const key = crypto.randomUUID();
    const body = paymentBody("4000000000006975");
    const started = Date.now();
    await fetch(`${h.checkoutUrl}/payments`, {
      method: "POST",
      headers: { "content-type": "application/json", "X-API-Key": API_KEY, "Idempotency-Key": key },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(300),
    }).then(
      () => Promise.reject(new Error("the timeout card must not be answered")),
      (error: Error) => equal(error.name, "TimeoutError"),
    );
    ok(Date.now() - started < 1_500);
    const [payment] = h.emulator.payments();
    equal(payment.status, "authorised");
    const replay = await post(h, "/payments", body, { key });
    equal(replay.status, 200);
    equal(replay.body.resultCode, "Authorised");
    equal(replay.body.pspReference, payment.pspReference);
    equal(h.emulator.chargeCount(body.reference as string), 1);
    // Its notification is lost as well: only asking settles it (contract section 7).
    equal(h.emulator.notifications().some((n) => n.pspReference === payment.pspReference), false);
  },
);

emulatorTest("emulator drops a held connection after holdMs", async (h) => {
  const response = await fetch(`${h.checkoutUrl}/payments`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "X-API-Key": API_KEY,
      "Idempotency-Key": crypto.randomUUID(),
    },
    body: JSON.stringify(paymentBody("4000000000006975")),
  }).then((r) => r.text()).then(() => "answered", () => "dropped");
  equal(response, "dropped");
}, { holdMs: 100 });

emulatorTest("emulator replays the first answer for a repeated key, whatever the new body", async (h) => {
  const key = crypto.randomUUID();
  const body = paymentBody("4242424242424242");
  const first = await post(h, "/payments", body, { key });
  const second = await post(h, "/payments", paymentBody("4000000000000002", { reference: "other" }), { key });
  equal(second.status, first.status);
  assertEquals(second.body, first.body);
  equal(second.headers.get("idempotency-key"), key);
  equal(h.emulator.chargeCount(body.reference as string), 1);
  equal(h.emulator.chargeCount("other"), 0);
  // Keys are scoped per API credential: another credential's identical key is a new request.
  const other = await post(
    h,
    "/payments",
    paymentBody("4242424242424242", { merchantAccount: OTHER_MERCHANT_ACCOUNT }),
    { key, apiKey: OTHER_API_KEY },
  );
  equal(other.status, 200);
  ok(other.body.pspReference !== first.body.pspReference);
});

emulatorTest("emulator answers 409 with Transient-Error while the same key is in progress", async (h) => {
  const key = crypto.randomUUID();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  const text = JSON.stringify(paymentBody("4242424242424242"));
  const slow = fetch(`${h.checkoutUrl}/payments`, {
    method: "POST",
    headers: { "content-type": "application/json", "X-API-Key": API_KEY, "Idempotency-Key": key },
    body: stream,
    duplex: "half",
  } as RequestInit);
  controller.enqueue(new TextEncoder().encode(text.slice(0, 10)));
  await delay(100);
  const concurrent = await post(h, "/payments", paymentBody("4242424242424242"), { key });
  equal(concurrent.status, 409);
  equal(concurrent.body.errorCode, "704");
  equal(concurrent.headers.get("transient-error"), "true");
  controller.enqueue(new TextEncoder().encode(text.slice(10)));
  controller.close();
  const finished = await slow;
  equal(finished.status, 200);
  const first = await finished.json();
  const replay = await post(h, "/payments", {}, { key });
  assertEquals(replay.body, first);
});

emulatorTest(
  "emulator rejects invalid payments with 422 and does not store them under the key",
  async (h) => {
    const key = crypto.randomUUID();
    const rows: [Record<string, unknown>, string][] = [
      [
        paymentBody("4242424242424242", {
          paymentMethod: { type: "scheme", expiryMonth: "03", expiryYear: FUTURE_YEAR },
        }),
        "101",
      ],
      [paymentBody("4242424242424241"), "101"],
      [paymentBody("4242424242424242", { returnUrl: undefined }), "14_030"],
      [paymentBody("4242424242424242", { amount: undefined }), "100"],
      [paymentBody("4242424242424242", { reference: undefined }), "130"],
      [paymentBody("4242424242424242", { amount: { value: 10.5, currency: "EUR" } }), "137"],
      [paymentBody("4242424242424242", { amount: { value: 1000, currency: "XYZ" } }), "138"],
      [
        paymentBody("4242424242424242", {
          paymentMethod: { ...paymentBody("4242424242424242").paymentMethod as object, expiryYear: "2001" },
        }),
        "129",
      ],
      [
        paymentBody("4242424242424242", {
          paymentMethod: { ...paymentBody("4242424242424242").paymentMethod as object, cvc: "12" },
        }),
        "103",
      ],
    ];
    for (const [body, code] of rows) {
      const answer = await post(h, "/payments", body, { key });
      equal(answer.status, 422, `expected 422 ${code}`);
      equal(answer.body.errorCode, code);
      equal(answer.body.errorType, "validation");
      ok(!JSON.stringify(answer.body).includes("4242424242424242"), "no card number echoed");
    }
    const malformed = await post(h, "/payments", undefined, { key, raw: "{not json" });
    equal(malformed.status, 400);
    equal(malformed.body.errorCode, "702");
    const valid = await post(h, "/payments", paymentBody("4242424242424242"), { key });
    equal(valid.status, 200);
    equal(h.emulator.payments().length, 1);
  },
);

emulatorTest(
  "emulator answers 401 without a valid API key and 403 for another credential's account",
  async (h) => {
    const missing = await post(h, "/payments", paymentBody("4242424242424242"), { apiKey: null });
    equal(missing.status, 401);
    equal(missing.body.errorType, "security");
    const wrong = await post(h, "/payments", paymentBody("4242424242424242"), { apiKey: "nope" });
    equal(wrong.status, 401);
    const forbidden = await post(
      h,
      "/payments",
      paymentBody("4242424242424242", {
        merchantAccount: OTHER_MERCHANT_ACCOUNT,
      }),
    );
    equal(forbidden.status, 403);
    equal(forbidden.body.errorCode, "901");
    const capture = await post(h, "/payments/ABCDEFGHIJKLMNOP/captures", {
      merchantAccount: OTHER_MERCHANT_ACCOUNT,
      amount: { value: 1, currency: "EUR" },
    });
    equal(capture.status, 403);
    equal(h.emulator.payments().length, 0);
  },
);

async function authorizeOnly(h: Harness, value = 1000): Promise<string> {
  const answer = await post(
    h,
    "/payments",
    paymentBody("4242424242424242", {
      amount: { value, currency: "EUR" },
      additionalData: { manualCapture: "true" },
    }),
    { key: crypto.randomUUID() },
  );
  equal(answer.body.resultCode, "Authorised");
  return answer.body.pspReference;
}

async function modification(
  h: Harness,
  psp: string,
  kind: string,
  value: number | undefined,
  reference: string,
) {
  const body: Record<string, unknown> = { merchantAccount: MERCHANT_ACCOUNT, reference };
  if (value !== undefined) body.amount = { value, currency: "EUR" };
  assertValid(
    CHECKOUT_SPEC.request("POST", `/payments/{paymentPspReference}/${kind}`, body),
    `${kind} request`,
  );
  const answer = await post(h, `/payments/${psp}/${kind}`, body, { key: crypto.randomUUID() });
  equal(answer.status, 201);
  equal(answer.body.status, "received");
  equal(answer.body.paymentPspReference, psp);
  equal(answer.body.reference, reference);
  const item = checkWebhook(await h.waitForWebhook((i) => i.pspReference === answer.body.pspReference));
  equal(item.originalReference, psp);
  equal(item.merchantReference, reference);
  return item;
}

emulatorTest("emulator captures an authorisation in parts, never above what remains", async (h) => {
  const psp = await authorizeOnly(h);
  const [authorised] = h.emulator.payments();
  equal(authorised.captureMode, "manual");
  equal(authorised.capturedValue, 0);
  equal((await modification(h, psp, "captures", 300, "cap-1")).success, "true");
  equal((await modification(h, psp, "captures", 700, "cap-2")).success, "true");
  const over = await modification(h, psp, "captures", 1, "cap-3");
  equal(over.success, "false");
  equal(over.eventCode, "CAPTURE");
  equal(h.emulator.payments()[0].capturedValue, 1000);
});

emulatorTest("emulator refunds up to the captured amount and refuses a cancel after capture", async (h) => {
  const psp = await authorizeOnly(h);
  equal(
    (await modification(h, psp, "refunds", 100, "ref-0")).reason,
    "Transaction hasn't been captured, refund not possible",
  );
  equal((await modification(h, psp, "captures", 600, "cap-1")).success, "true");
  equal((await modification(h, psp, "refunds", 400, "ref-1")).success, "true");
  equal((await modification(h, psp, "refunds", 300, "ref-2")).success, "false");
  equal((await modification(h, psp, "refunds", 200, "ref-3")).success, "true");
  const cancel = await modification(h, psp, "cancels", undefined, "void-1");
  equal(cancel.eventCode, "CANCELLATION");
  equal(cancel.success, "false");
  const [payment] = h.emulator.payments();
  equal(payment.refundedValue, 600);
  equal(payment.voided, false);
});

emulatorTest(
  "emulator cancels an uncaptured authorisation, after which nothing can be captured",
  async (h) => {
    const psp = await authorizeOnly(h);
    const cancel = await modification(h, psp, "cancels", undefined, "void-1");
    equal(cancel.success, "true");
    equal((cancel.amount as { value: number }).value, 1000);
    equal((await modification(h, psp, "captures", 100, "cap-1")).success, "false");
    equal(h.emulator.payments()[0].voided, true);
  },
);

emulatorTest("emulator refunds a sale but cannot capture it again", async (h) => {
  const sale = await post(h, "/payments", paymentBody("4242424242424242"), { key: crypto.randomUUID() });
  equal((await modification(h, sale.body.pspReference, "captures", 100, "cap-1")).success, "false");
  equal((await modification(h, sale.body.pspReference, "refunds", 1000, "ref-1")).success, "true");
});

emulatorTest("emulator validates modification requests", async (h) => {
  const psp = await authorizeOnly(h);
  const noAmount = await post(h, `/payments/${psp}/captures`, { merchantAccount: MERCHANT_ACCOUNT });
  equal(noAmount.status, 422);
  equal(noAmount.body.errorCode, "100");
  const badReference = await post(h, "/payments/not-a-psp-ref/refunds", {
    merchantAccount: MERCHANT_ACCOUNT,
    amount: { value: 1, currency: "EUR" },
  });
  equal(badReference.status, 422);
  const unknown = await modification(h, "ABCDEFGHIJKLMNOP", "refunds", 100, "ref-x");
  equal(unknown.success, "false");
});

emulatorTest("emulator retries a notification until the receiver accepts it", async (h) => {
  h.failNextWebhooks(2);
  const answer = await post(h, "/payments", paymentBody("4242424242424242"), { key: crypto.randomUUID() });
  await h.waitForWebhook((i) => i.pspReference === answer.body.pspReference);
  await untilMarkedDelivered(h);
  const [delivery] = h.emulator.notifications();
  equal(delivery.attempts, 3);
  equal(delivery.delivered, true);
  equal(delivery.acknowledged, true);
});

emulatorTest("emulator keeps retrying a notification past a receiver's restart, as Adyen does", async (h) => {
  // Eight failed attempts: about a second and a quarter at a 5 ms base, like a gateway restarting.
  h.failNextWebhooks(8);
  const answer = await post(h, "/payments", paymentBody("4242424242424242"), { key: crypto.randomUUID() });
  await h.waitForWebhook((i) => i.pspReference === answer.body.pspReference);
  await untilMarkedDelivered(h);
  const [delivery] = h.emulator.notifications();
  equal(delivery.delivered, true);
  equal(delivery.attempts, 9);
}, { webhookRetryBaseMs: 5 });

/** The receiver has the notification; the sender marks it delivered once it has read the answer, a moment later. */
async function untilMarkedDelivered(h: Harness): Promise<void> {
  for (let i = 0; i < 100 && !h.emulator.notifications()[0].delivered; i++) await delay(20);
}

emulatorTest("emulator gives up on a notification after a bounded number of attempts", async (h) => {
  h.failNextWebhooks(100);
  await post(h, "/payments", paymentBody("4242424242424242"), { key: crypto.randomUUID() });
  await delay(300);
  const [delivery] = h.emulator.notifications();
  equal(delivery.attempts, 3);
  equal(delivery.delivered, false);
}, { webhookMaxAttempts: 3 });

emulatorTest("emulator answers an unknown route with a ServiceError 404", async (h) => {
  const response = await fetch(`${h.checkoutUrl}/paymentLinks`, {
    method: "POST",
    headers: { "X-API-Key": API_KEY },
  });
  equal(response.status, 404);
  equal((await response.json()).status, 404);
});

Deno.test("emulator refuses an account whose HMAC key is not hex", async () => {
  const { createAdyenEmulator } = await import("./mod.ts");
  let message = "";
  try {
    createAdyenEmulator({
      publicUrl: "http://127.0.0.1:1",
      accounts: [{ apiKey: "k", merchantAccount: "m", hmacKeyHex: "not-hex" }],
    });
  } catch (error) {
    message = (error as Error).message;
  }
  match(message, /non-hex HMAC key/);
});

// Tokenization (card-on-file): docs.adyen.com/online-payments/tokenization.

const SHOPPER = "shop-demo.shopper-0001";

/** A payment that stores the card, flagged as Adyen documents the first card-on-file payment. */
function storingBody(number: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return paymentBody(number, {
    storePaymentMethod: true,
    shopperReference: SHOPPER,
    shopperInteraction: "Ecommerce",
    recurringProcessingModel: "CardOnFile",
    ...overrides,
  });
}

/** A payment with a token: no card data, the shopper reference and the card-on-file flags. */
function tokenBody(
  storedPaymentMethodId: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    merchantAccount: MERCHANT_ACCOUNT,
    reference: `order-${crypto.randomUUID()}`,
    amount: { value: 1000, currency: "EUR" },
    returnUrl: "https://shop.example/return?order=42",
    paymentMethod: { type: "scheme", storedPaymentMethodId },
    shopperReference: SHOPPER,
    shopperInteraction: "ContAuth",
    recurringProcessingModel: "UnscheduledCardOnFile",
    ...overrides,
  };
}

/** POST /storedPaymentMethods: a token without a payment, the way a declining card can be on file. */
async function storeCard(
  h: Harness,
  number: string,
  options: { shopperReference?: string; merchantAccount?: string; apiKey?: string } = {},
): Promise<string> {
  const body = {
    merchantAccount: options.merchantAccount ?? MERCHANT_ACCOUNT,
    shopperReference: options.shopperReference ?? SHOPPER,
    paymentMethod: {
      type: "scheme",
      number,
      expiryMonth: "03",
      expiryYear: FUTURE_YEAR,
      cvc: "737",
      holderName: "Ada Lovelace",
    },
    recurringProcessingModel: "UnscheduledCardOnFile",
  };
  assertValid(CHECKOUT_SPEC.request("POST", "/storedPaymentMethods", body), "StoredPaymentMethodRequest");
  const answer = await post(h, "/storedPaymentMethods", body, {
    key: crypto.randomUUID(),
    apiKey: options.apiKey,
  });
  equal(answer.status, 201);
  equal(answer.body.lastFour, number.slice(-4));
  equal(answer.body.expiryMonth, "03");
  equal(answer.body.expiryYear, FUTURE_YEAR);
  equal(answer.body.shopperReference, body.shopperReference);
  ok(!JSON.stringify(answer.body).includes(number), "the answer carries no card number");
  return answer.body.id;
}

function tokenizationOf(answer: Answer): Record<string, string> {
  const data = answer.body.additionalData as Record<string, string>;
  return Object.fromEntries(Object.entries(data).filter(([key]) => key.startsWith("tokenization.")));
}

emulatorTest("emulator stores the card of an authorised payment and answers the token", async (h) => {
  const body = storingBody("4242424242424242");
  assertValid(CHECKOUT_SPEC.request("POST", "/payments", body), "PaymentRequest");
  const answer = await post(h, "/payments", body, { key: crypto.randomUUID() });
  equal(answer.body.resultCode, "Authorised");
  const token = answer.body.additionalData["tokenization.storedPaymentMethodId"];
  match(token, /^[A-Z0-9]{16}$/);
  assertEquals(tokenizationOf(answer), {
    "tokenization.storedPaymentMethodId": token,
    "tokenization.shopperReference": SHOPPER,
    "tokenization.store.operationType": "created",
  });
  assertEquals(answer.body.paymentMethod, { brand: "visa", type: "scheme" });
  equal(answer.body.additionalData.cardSummary, "4242");
  ok(!token.includes("4242424242424242"), "the token carries no card data");
  equal(h.emulator.payments()[0].tokenizedAs, token);
  assertEquals(h.emulator.storedPaymentMethods(), [{
    id: token,
    merchantAccount: MERCHANT_ACCOUNT,
    shopperReference: SHOPPER,
    brand: "visa",
    lastFour: "4242",
    expiryMonth: "03",
    expiryYear: FUTURE_YEAR,
  }]);
  // The AUTHORISATION notification carries the token too, and a RECURRING_CONTRACT announces it.
  const authorisation = checkWebhook(
    await h.waitForWebhook((i) => i.pspReference === answer.body.pspReference),
  );
  equal(
    (authorisation.additionalData as Record<string, string>)["tokenization.storedPaymentMethodId"],
    token,
  );
  const contract = checkWebhook(await h.waitForWebhook((i) => i.eventCode === "RECURRING_CONTRACT"));
  equal(contract.pspReference, token);
  equal(contract.originalReference, answer.body.pspReference);
  equal(contract.merchantReference, body.reference);
  equal(contract.originalPsp, answer.body.pspReference);
  equal((contract.additionalData as Record<string, string>).shopperReference, SHOPPER);
  equal((contract.additionalData as Record<string, string>)["recurring.recurringDetailReference"], token);
});

emulatorTest("emulator keeps one token per merchant account, shopper and card", async (h) => {
  const first = await post(h, "/payments", storingBody("4242424242424242"), { key: crypto.randomUUID() });
  const token = first.body.additionalData["tokenization.storedPaymentMethodId"];
  const rows: [string, Record<string, unknown>, "same" | "new", string][] = [
    ["the same card again", {}, "same", "alreadyExisting"],
    [
      "a new expiry date",
      { paymentMethod: { ...cardMethodOf("4242424242424242"), expiryYear: String(Number(FUTURE_YEAR) + 1) } },
      "same",
      "updated",
    ],
    ["another card", { paymentMethod: cardMethodOf("5555555555554444") }, "new", "created"],
    ["another shopper", { shopperReference: "shop-demo.shopper-0002" }, "new", "created"],
  ];
  for (const [label, overrides, expected, operation] of rows) {
    const answer = await post(h, "/payments", storingBody("4242424242424242", overrides), {
      key: crypto.randomUUID(),
    });
    const tokenization = tokenizationOf(answer);
    equal(tokenization["tokenization.store.operationType"], operation, label);
    equal(tokenization["tokenization.storedPaymentMethodId"] === token, expected === "same", label);
  }
  equal(h.emulator.storedPaymentMethods().length, 3);
  await delay(50);
  const contracts = h.emulator.notifications().filter((n) => n.eventCode === "RECURRING_CONTRACT");
  equal(contracts.length, 3, "a RECURRING_CONTRACT only for a created token");
});

function cardMethodOf(number: string): Record<string, string> {
  return paymentBody(number).paymentMethod as Record<string, string>;
}

emulatorTest("emulator stores nothing for a refused payment or without a shopperReference", async (h) => {
  const refused = await post(h, "/payments", storingBody("4000000000000002"), { key: crypto.randomUUID() });
  equal(refused.body.resultCode, "Refused");
  equal(refused.body.additionalData, undefined);
  const anonymous = await post(
    h,
    "/payments",
    storingBody("4242424242424242", { shopperReference: undefined }),
    {
      key: crypto.randomUUID(),
    },
  );
  equal(anonymous.body.resultCode, "Authorised");
  assertEquals(tokenizationOf(anonymous), {});
  assertEquals(h.emulator.storedPaymentMethods(), []);
});

emulatorTest(
  "emulator charges the card behind a token, with the contract's test-card outcomes",
  async (h) => {
    const rows = [
      ["4242424242424242", "Authorised", undefined, undefined],
      ["4000000000000002", "Refused", "Refused", "2"],
      ["4000000000009995", "Refused", "Not enough balance", "12"],
    ] as const;
    for (const [number, resultCode, reason, code] of rows) {
      const token = await storeCard(h, number);
      for (const model of ["CardOnFile", "UnscheduledCardOnFile"]) {
        const body = tokenBody(token, { recurringProcessingModel: model });
        assertValid(CHECKOUT_SPEC.request("POST", "/payments", body), "PaymentRequest with a token");
        const answer = await post(h, "/payments", body, { key: crypto.randomUUID() });
        equal(answer.status, 200);
        equal(answer.body.resultCode, resultCode, `${number} ${model}`);
        equal(answer.body.refusalReason, reason);
        equal(answer.body.refusalReasonCode, code);
        // Paying with a token stores nothing new.
        if (resultCode === "Authorised") assertEquals(tokenizationOf(answer), {});
        const payment = h.emulator.payments().find((p) => p.pspReference === answer.body.pspReference);
        equal(payment?.storedPaymentMethodId, token);
        equal(payment?.recurringProcessingModel, model);
        equal(payment?.shopperInteraction, "ContAuth");
      }
    }
  },
);

emulatorTest(
  "emulator challenges a shopper-initiated token payment, never a merchant-initiated one",
  async (h) => {
    const token = await storeCard(h, "4000000000003220");
    const customer = await post(
      h,
      "/payments",
      tokenBody(token, { recurringProcessingModel: "CardOnFile" }),
      {
        key: crypto.randomUUID(),
      },
    );
    equal(customer.body.resultCode, "RedirectShopper");
    const back = await answerChallenge(customer.body.action.url, "approve");
    const details = await post(h, "/payments/details", {
      details: { redirectResult: back.searchParams.get("redirectResult") },
    }, { key: crypto.randomUUID() });
    equal(details.body.resultCode, "Authorised");
    for (const model of ["UnscheduledCardOnFile", "Subscription"]) {
      const merchant = await post(h, "/payments", tokenBody(token, { recurringProcessingModel: model }), {
        key: crypto.randomUUID(),
      });
      equal(merchant.body.resultCode, "Authorised", model);
    }
  },
);

emulatorTest("emulator stores a challenged card only once the challenge authorises it", async (h) => {
  const first = await post(h, "/payments", storingBody("4000000000003220"), { key: crypto.randomUUID() });
  equal(first.body.resultCode, "RedirectShopper");
  assertEquals(h.emulator.storedPaymentMethods(), []);
  const back = await answerChallenge(first.body.action.url, "approve");
  const details = await post(h, "/payments/details", {
    details: { redirectResult: back.searchParams.get("redirectResult") },
  }, { key: crypto.randomUUID() });
  equal(details.body.resultCode, "Authorised");
  equal(tokenizationOf(details)["tokenization.store.operationType"], "created");
  equal(
    h.emulator.storedPaymentMethods()[0].id,
    details.body.additionalData["tokenization.storedPaymentMethodId"],
  );
  const failed = await post(
    h,
    "/payments",
    storingBody("4000000000003220", { shopperReference: "shop-demo.other" }),
    {
      key: crypto.randomUUID(),
    },
  );
  const failedBack = await answerChallenge(failed.body.action.url, "fail");
  const refused = await post(h, "/payments/details", {
    details: { redirectResult: failedBack.searchParams.get("redirectResult") },
  }, { key: crypto.randomUUID() });
  equal(refused.body.resultCode, "Refused");
  equal(refused.body.additionalData, undefined);
  equal(h.emulator.storedPaymentMethods().length, 1, "a failed challenge stores nothing");
});

emulatorTest("emulator refuses unknown and foreign tokens with 800 and 803, charging nothing", async (h) => {
  const mine = await storeCard(h, "4242424242424242");
  const otherShoppers = await storeCard(h, "4242424242424242", {
    shopperReference: "shop-demo.shopper-0002",
  });
  const otherAccounts = await storeCard(h, "4242424242424242", {
    merchantAccount: OTHER_MERCHANT_ACCOUNT,
    apiKey: OTHER_API_KEY,
  });
  const rows: [string, Record<string, unknown>, string, string][] = [
    ["an unknown token", tokenBody("ABCDEFGHIJKLMNOP"), "803", "PaymentDetail not found"],
    ["another shopper's token", tokenBody(otherShoppers), "803", "PaymentDetail not found"],
    ["another merchant account's token", tokenBody(otherAccounts), "803", "PaymentDetail not found"],
    [
      "a shopper without stored cards",
      tokenBody(mine, { shopperReference: "shop-demo.nobody" }),
      "800",
      "Contract not found",
    ],
    [
      "another account's shopper",
      tokenBody(otherAccounts, { shopperReference: "shop-demo.nobody" }),
      "800",
      "Contract not found",
    ],
    ["no shopperReference", tokenBody(mine, { shopperReference: undefined }), "800", "Contract not found"],
  ];
  const key = crypto.randomUUID();
  for (const [label, body, code, message] of rows) {
    const answer = await post(h, "/payments", body, { key });
    equal(answer.status, 422, label);
    equal(answer.body.errorCode, code, label);
    equal(answer.body.message, message, label);
    equal(answer.body.errorType, "validation");
  }
  equal(h.emulator.payments().length, 0);
  // A refusal is not stored under the key: the same key still pays with the right token.
  equal((await post(h, "/payments", tokenBody(mine), { key })).body.resultCode, "Authorised");
});

emulatorTest("emulator validates the tokenization fields", async (h) => {
  const token = await storeCard(h, "4242424242424242");
  const rows: [string, Record<string, unknown>, string][] = [
    [
      "a token without recurringProcessingModel",
      tokenBody(token, { recurringProcessingModel: undefined }),
      "000",
    ],
    [
      "a token with card data",
      tokenBody(token, {
        paymentMethod: { type: "scheme", storedPaymentMethodId: token, number: "4242424242424242" },
      }),
      "000",
    ],
    [
      "storing without recurringProcessingModel",
      storingBody("4242424242424242", { recurringProcessingModel: undefined }),
      "000",
    ],
    ["a short shopperReference", storingBody("4242424242424242", { shopperReference: "ab" }), "000"],
    ["an unknown recurringProcessingModel", tokenBody(token, { recurringProcessingModel: "Weekly" }), "000"],
  ];
  for (const [label, body, code] of rows) {
    const answer = await post(h, "/payments", body, { key: crypto.randomUUID() });
    equal(answer.status, 422, label);
    equal(answer.body.errorCode, code, label);
    ok(!JSON.stringify(answer.body).includes("4242424242424242"), "no card number echoed");
  }
  equal(h.emulator.payments().length, 0);
});

emulatorTest("emulator deletes a token, after which payments with it are refused", async (h) => {
  const token = await storeCard(h, "4242424242424242");
  const keep = await storeCard(h, "5555555555554444");
  const url = (id: string, shopperReference = SHOPPER) =>
    `${h.checkoutUrl}/storedPaymentMethods/${id}?shopperReference=${shopperReference}&merchantAccount=${MERCHANT_ACCOUNT}`;
  const foreign = await fetch(url(token, "shop-demo.nobody"), {
    method: "DELETE",
    headers: { "X-API-Key": API_KEY },
  });
  equal(foreign.status, 422);
  assertValid(CHECKOUT_SPEC.schema("ServiceError", await foreign.json()), "422 answer");
  const deleted = await fetch(url(token), { method: "DELETE", headers: { "X-API-Key": API_KEY } });
  equal(deleted.status, 204);
  await deleted.body?.cancel();
  const answer = await post(h, "/payments", tokenBody(token), { key: crypto.randomUUID() });
  equal(answer.status, 422);
  equal(answer.body.errorCode, "803");
  equal(
    (await post(h, "/payments", tokenBody(keep), { key: crypto.randomUUID() })).body.resultCode,
    "Authorised",
  );
});
