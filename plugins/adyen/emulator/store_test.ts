/**
 * The emulator's stores: what a SQL store adds to the in-memory one (state that survives a restart and is
 * shared by several emulators on one database) and the idempotency rules every store keeps (a key claimed by a
 * request that died is taken over, and the late request then stores nothing).
 */
import { deepStrictEqual as assertEquals, match, ok, strictEqual as equal } from "node:assert/strict";
import { openPglite } from "../../../adapters/store/pglite_driver.ts";
import { connectPostgres } from "../../../adapters/store/postgres_driver.ts";
import type { SqlClient } from "../../../adapters/store/sql_client.ts";
import { openTestDatabase } from "../../../test/support/databases.ts";
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
import { idempotencyScope } from "./idempotency.ts";
import { memoryEmulatorStore } from "./memory_store.ts";
import { EMULATOR_TABLES, sqlEmulatorStore } from "./sql_store.ts";
import type { AdyenEmulatorStore } from "./store.ts";
import { nameFor, openStore, SQL_STORE_KINDS, STORE_KINDS, type StoreKind } from "./store_test_support.ts";

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

/** Two database clients on one database, as two processes would have: the pglite kind shares one client. */
interface SharedDatabase {
  readonly first: SqlClient;
  readonly second: SqlClient;
  close(): Promise<void>;
}

async function sharedDatabase(kind: Exclude<StoreKind, "memory">): Promise<SharedDatabase> {
  if (kind === "pglite") {
    const fixture = await openStore("pglite");
    return { first: fixture.client!, second: fixture.client!, close: () => fixture.close() };
  }
  const database = await openTestDatabase({ migrated: false });
  const first = connectPostgres(database.url!, { max: 5 });
  const second = connectPostgres(database.url!, { max: 5 });
  return {
    first,
    second,
    async close() {
      await first.close();
      await second.close();
      await database.close();
    },
  };
}

for (const kind of SQL_STORE_KINDS) {
  Deno.test(`a SQL store keeps the emulator's state across a restart [${kind} store]`, async () => {
    // PGlite: a database directory, closed and opened again; PostgreSQL: one client, then another.
    const directory = kind === "pglite" ? await Deno.makeTempDir({ prefix: "emulator-restart-" }) : undefined;
    const database = kind === "postgres" ? await openTestDatabase({ migrated: false }) : undefined;
    const connect = async () =>
      directory !== undefined ? await openPglite(directory) : connectPostgres(database!.url!, { max: 5 });
    try {
      // Emulator A: an authorisation, the timeout card's held answer, the 500 card, a stored card, a pending
      // 3DS challenge and a partial capture.
      const clientA = await connect();
      const a = startHarness({ store: sqlEmulatorStore(clientA) });
      const keys = {
        authorise: crypto.randomUUID(),
        hold: crypto.randomUUID(),
        error: crypto.randomUUID(),
        store: crypto.randomUUID(),
        challenge: crypto.randomUUID(),
        capture: crypto.randomUUID(),
      };
      const authorisation = manualBody();
      let authorised: Answer, capture: Answer, stored: Answer, challenge: Answer;
      try {
        authorised = await call(a, "/payments", authorisation, keys.authorise);
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
        stored = await call(
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
        challenge = await call(a, "/payments", paymentBody("4000000000003220"), keys.challenge);
        equal(challenge.body.resultCode, "RedirectShopper");
        capture = await call(a, `/payments/${authorised.body.pspReference}/captures`, {
          merchantAccount: MERCHANT_ACCOUNT,
          amount: { value: 300, currency: "EUR" },
          reference: "cap-a",
        }, keys.capture);
        equal(capture.status, 201);
      } finally {
        await a.close();
        await clientA.close();
      }

      // Emulator B, on the same database: nothing of A's is in its memory.
      const clientB = await connect();
      const b = startHarness({ store: sqlEmulatorStore(clientB) });
      try {
        equal(b.emulator.payments().length, 0, "B's own view starts empty");
        const replayed = await call(b, "/payments", {}, keys.authorise);
        equal(replayed.status, 200);
        assertEquals(replayed.body, authorised.body);
        equal(replayed.headers.get("idempotency-key"), keys.authorise);
        const held = await call(b, "/payments", {}, keys.hold);
        equal(held.status, 200);
        equal(held.body.resultCode, "Authorised");
        const error = await call(b, "/payments", {}, keys.error);
        equal(error.status, 200);
        equal(error.body.resultCode, "Error");
        assertEquals((await call(b, "/payments", {}, keys.capture)).body, capture.body);
        equal(await b.emulator.loadChargeCount(authorisation.reference as string), 1);
        const all = await b.emulator.loadPayments();
        equal(all.length, 5);
        equal(all.find((p) => p.pspReference === held.body.pspReference)?.status, "authorised");

        // The ledger: A captured 300 of 1000, so B can capture 700 and not one more.
        const psp = authorised.body.pspReference;
        const rest = await call(b, `/payments/${psp}/captures`, {
          merchantAccount: MERCHANT_ACCOUNT,
          amount: { value: 700, currency: "EUR" },
          reference: "cap-b",
        }, crypto.randomUUID());
        const over = await call(b, `/payments/${psp}/captures`, {
          merchantAccount: MERCHANT_ACCOUNT,
          amount: { value: 1, currency: "EUR" },
          reference: "cap-over",
        }, crypto.randomUUID());
        equal(
          (await b.waitForWebhook((i) => i.pspReference === rest.body.pspReference)).json.notificationItems[0]
            .NotificationRequestItem.success,
          "true",
        );
        equal(
          (await b.waitForWebhook((i) => i.pspReference === over.body.pspReference)).json.notificationItems[0]
            .NotificationRequestItem.success,
          "false",
        );
        equal((await b.emulator.loadPayments()).find((p) => p.pspReference === psp)?.capturedValue, 1000);

        // The vault: A's token pays on B.
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
        equal(byToken.body.additionalData.cardSummary, "4242");

        // The challenge A created is answered on B's page, and its details on B.
        const challengeId = new URL(challenge.body.action.url).pathname.split("/").pop();
        const page = await fetch(`${b.publicUrl}/threeds/${challengeId}`);
        equal(page.status, 200);
        await page.body?.cancel();
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
        await clientB.close();
      }
    } finally {
      await database?.close();
      if (directory !== undefined) await Deno.remove(directory, { recursive: true });
    }
  });

  Deno.test(`two emulators on one database charge a raced idempotency key once [${kind} store]`, async () => {
    const shared = await sharedDatabase(kind);
    const a = startHarness({ store: sqlEmulatorStore(shared.first) });
    const b = startHarness({ store: sqlEmulatorStore(shared.second) });
    try {
      for (let round = 0; round < 8; round++) {
        const key = crypto.randomUUID();
        const body = paymentBody("4242424242424242");
        const answers = await Promise.all(
          Array.from({ length: 8 }, (_, index) => call(index % 2 === 0 ? a : b, "/payments", body, key)),
        );
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
        equal(await a.emulator.loadChargeCount(body.reference as string), 1, "exactly one charge");
        for (const emulator of [a, b]) {
          const replay = await call(emulator, "/payments", {}, key);
          equal(replay.status, 200);
          assertEquals(replay.body, answered[0].body);
        }
      }
    } finally {
      await a.close();
      await b.close();
      await shared.close();
    }
  });

  Deno.test(`two emulators on one database keep Adyen's accounting rules [${kind} store]`, async () => {
    const shared = await sharedDatabase(kind);
    const a = startHarness({ store: sqlEmulatorStore(shared.first) });
    const b = startHarness({ store: sqlEmulatorStore(shared.second) });
    const modify = (h: Harness, psp: string, kind: string, value?: number) =>
      call(h, `/payments/${psp}/${kind}`, {
        merchantAccount: MERCHANT_ACCOUNT,
        reference: `${kind}-${crypto.randomUUID()}`,
        ...(value === undefined ? {} : { amount: { value, currency: "EUR" } }),
      }, crypto.randomUUID());
    const successes = (psp: string, eventCode: string) =>
      [...a.emulator.notifications(), ...b.emulator.notifications()].filter((n) =>
        n.originalReference === psp && n.eventCode === eventCode && n.success === "true"
      ).length;
    try {
      const psp = (await call(a, "/payments", manualBody(1000), crypto.randomUUID())).body.pspReference;
      // Ten captures of 300 at once: three fit in 1000.
      const captures = await Promise.all(
        Array.from({ length: 10 }, (_, index) => modify(index % 2 === 0 ? a : b, psp, "captures", 300)),
      );
      for (const answer of captures) equal(answer.status, 201);
      equal(successes(psp, "CAPTURE"), 3);
      // Ten refunds of 200 at once: four fit in the 900 captured.
      const refunds = await Promise.all(
        Array.from({ length: 10 }, (_, index) => modify(index % 2 === 0 ? b : a, psp, "refunds", 200)),
      );
      for (const answer of refunds) equal(answer.status, 201);
      equal(successes(psp, "REFUND"), 4);
      const [payment] = (await a.emulator.loadPayments()).filter((p) => p.pspReference === psp);
      equal(payment.capturedValue, 900);
      equal(payment.refundedValue, 800);

      // A capture racing a cancel: exactly one of them succeeds.
      for (let round = 0; round < 5; round++) {
        const raced = (await call(b, "/payments", manualBody(500), crypto.randomUUID())).body.pspReference;
        await Promise.all([modify(a, raced, "captures", 500), modify(b, raced, "cancels")]);
        equal(successes(raced, "CAPTURE") + successes(raced, "CANCELLATION"), 1, `round ${round}`);
      }
    } finally {
      await a.close();
      await b.close();
      await shared.close();
    }
  });

  Deno.test(`a SQL store holds no card number, API key or HMAC key [${kind} store]`, async () => {
    const fixture = await openStore(kind);
    const h = startHarness({ store: fixture.store });
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
      const stored = await fetch(`${h.checkoutUrl}/storedPaymentMethods`, {
        method: "POST",
        headers: { "content-type": "application/json", "X-API-Key": API_KEY },
        body: JSON.stringify({
          merchantAccount: MERCHANT_ACCOUNT,
          shopperReference: SHOPPER,
          paymentMethod: cardMethod("4000000000009995"),
          recurringProcessingModel: "UnscheduledCardOnFile",
        }),
      });
      equal(stored.status, 201);
      await stored.body?.cancel();
      equal((await h.emulator.loadStoredPaymentMethods()).length, 3, "the challenged card is not stored yet");
      let text = "";
      for (const table of EMULATOR_TABLES) {
        const rows = await fixture.client!.query<{ row: string }>(`SELECT t::text AS row FROM ${table} t`);
        text += rows.map((row) => row.row).join("\n");
      }
      match(text, /GenstoreGatewayECOM/, "the scan reads the tables");
      const digits = text.replace(/(\d)[ -]+(?=\d)/g, "$1");
      for (const number of ["4242424242424242", "4000000000003220", "5555555555554444", "4000000000009995"]) {
        ok(!digits.includes(number.slice(0, 12)), `no card number ${number}`);
      }
      ok(!text.includes(API_KEY), "no API key");
      ok(!text.toLowerCase().includes(HMAC_KEY_HEX.toLowerCase()), "no HMAC key");
      ok(!text.includes("Ada Lovelace"), "no holder name");
    } finally {
      await h.close();
      await fixture.close();
    }
  });
}

for (const kind of STORE_KINDS) {
  Deno.test(
    nameFor("a key whose claim was taken over cannot be answered by its first owner", kind),
    async () => {
      const fixture = await openStore(kind);
      const store: AdyenEmulatorStore = fixture.store ?? memoryEmulatorStore();
      try {
        const first = await store.claimKey("scope", "key", 60_000);
        equal(first.kind, "new");
        equal((await store.claimKey("scope", "key", 60_000)).kind, "in_progress");
        await delay(5);
        const second = await store.claimKey("scope", "key", 1);
        equal(second.kind, "new", "taken over once the lease has passed");
        const answer = { status: 200, body: { b: 1, a: [2, "x"] } };
        const complete = (token: string) =>
          store.transaction((tx) => tx.completeKey("scope", "key", token, answer));
        equal(await complete(first.kind === "new" ? first.token : ""), false);
        await store.releaseKey("scope", "key", first.kind === "new" ? first.token : "");
        equal(
          (await store.claimKey("scope", "key", 60_000)).kind,
          "in_progress",
          "the old owner cannot release",
        );
        equal(await complete(second.kind === "new" ? second.token : ""), true);
        const replay = await store.claimKey("scope", "key", 1);
        assertEquals(replay, { kind: "replay", answer });
        equal(
          JSON.stringify(replay.kind === "replay" ? replay.answer.body : undefined),
          '{"b":1,"a":[2,"x"]}',
        );
        // A transaction that throws writes nothing.
        const failed = await store.claimKey("scope", "other", 60_000);
        await store.transaction(async (tx) => {
          await tx.completeKey("scope", "other", failed.kind === "new" ? failed.token : "", answer);
          throw new Error("rolled back");
        }).catch(() => {});
        equal((await store.claimKey("scope", "other", 60_000)).kind, "in_progress");
      } finally {
        await fixture.close();
      }
    },
  );

  Deno.test(
    nameFor("a request that outlives its key's lease stores nothing: the key's new owner answers", kind),
    async () => {
      const fixture = await openStore(kind);
      const store = fixture.store ?? memoryEmulatorStore();
      const h = startHarness({ store, idempotencyLeaseMs: 200 });
      try {
        const key = crypto.randomUUID();
        const body = paymentBody("4242424242424242");
        // A request that died after claiming its key: only the claim is left.
        equal((await store.claimKey(await idempotencyScope(API_KEY), key, 200)).kind, "new");
        equal((await call(h, "/payments", body, key)).status, 409);
        await delay(250);
        const taken = await call(h, "/payments", body, key);
        equal(taken.status, 200);
        equal(taken.body.resultCode, "Authorised");
        equal(await h.emulator.loadChargeCount(body.reference as string), 1);

        // A slow request: its body arrives after the lease, when another request has taken the key over.
        const slowKey = crypto.randomUUID();
        const slowBody = paymentBody("4242424242424242");
        let controller!: ReadableStreamDefaultController<Uint8Array>;
        const stream = new ReadableStream<Uint8Array>({
          start(c) {
            controller = c;
          },
        });
        const text = JSON.stringify(slowBody);
        const slow = fetch(`${h.checkoutUrl}/payments`, {
          method: "POST",
          headers: { "content-type": "application/json", "X-API-Key": API_KEY, "Idempotency-Key": slowKey },
          body: stream,
          duplex: "half",
        } as RequestInit);
        controller.enqueue(new TextEncoder().encode(text.slice(0, 10)));
        await delay(100);
        equal((await call(h, "/payments", slowBody, slowKey)).status, 409, "in progress within the lease");
        await delay(200);
        const owner = await call(h, "/payments", slowBody, slowKey);
        equal(owner.status, 200);
        controller.enqueue(new TextEncoder().encode(text.slice(10)));
        controller.close();
        const late = await slow;
        equal(late.status, 200);
        assertEquals(await late.json(), owner.body, "the late request answers the stored answer");
        equal(await h.emulator.loadChargeCount(slowBody.reference as string), 1, "charged once");
        equal(h.emulator.chargeCount(slowBody.reference as string), 1);
      } finally {
        await h.close();
        await fixture.close();
      }
    },
  );
}
