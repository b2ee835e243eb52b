/**
 * End to end over HTTP: runs every card flow of the contract on one gateway, keeps every answer the test
 * receives (status, headers, body), every callback body the fake Genstore receives and every emulator page
 * fetched, then scans the whole database, every log line, every answer and every callback for card data
 * (contract section 5), keys and secrets. A leak fails the test with the exact place it was found.
 *
 * The scan checks itself: it must find markers planted in a throwaway table (text, bytea and jsonb columns)
 * and in copies of a log line, an answer and a callback, and values known to be present (the shop handle,
 * a PSP reference), so it cannot pass by scanning nothing.
 */
import { deepStrictEqual as deepEqual, match, ok, strictEqual as equal } from "node:assert/strict";
import { decodeBase64, encodeBase64, encodeBase64Url } from "../../adapters/crypto/base64.ts";
import { encryptPlaintext, type GenstoreCardPlaintext } from "../../adapters/dev/ecies_encryptor.ts";
import type { SentRequest } from "../../adapters/dev/genstore_client.ts";
import { signBody, signQuery } from "../../adapters/genstore/signature.ts";
import { DEMO } from "../../adapters/server/seed.ts";
import type { SqlClient } from "../../adapters/store/sql_client.ts";
import {
  CLIENT_SECRET,
  eventually,
  type Harness,
  newId,
  SANDBOX_CARD,
  startHarness,
} from "../support/harness.ts";

/** The test cards of contract section 7. */
const TEST_PANS = [
  "4242424242424242",
  "4000000000000002",
  "4000000000009995",
  "4000000000003220",
  "4000000000000119",
  "4000000000006975",
] as const;
/** A Luhn-invalid number sent inside a valid package: the PSP refuses it, and must not see it echoed. */
const BAD_LUHN_PAN = "4242424242424241";
const CVV = "9173";
const HOLDER = "Zelda Quixote-Leak";
const RETURN_URL = "https://demo.genmystore.com/checkout/return?order=leak";

function card(number: string): GenstoreCardPlaintext {
  return { number, expiryMonth: "11", expiryYear: "2031", cvv: CVV, holderName: HOLDER };
}

/** One text the scan reads, and where it came from. */
interface Source {
  readonly kind: "db" | "log" | "answer" | "callback";
  readonly where: string;
  readonly text: string;
}

/**
 * A value that must not appear. `digits` also matches with spaces or dashes between the digits; `bounded`
 * matches only where no letter or digit touches it (a 4-digit CVV occurs by chance inside hex and ids);
 * `caseless` ignores case.
 */
interface Needle {
  readonly label: string;
  readonly value: string;
  readonly match: "exact" | "digits" | "bounded" | "caseless";
}

interface Hit {
  readonly needle: string;
  readonly source: Source;
  readonly excerpt: string;
}

Deno.test({
  name: "card data, keys and secrets never leak",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const h = await startHarness();
    const { client, genstore } = h;
    const db = h.gateway.db;
    const answers: Source[] = [];
    /** Ids that must end with a delivered callback, as kind/id. */
    const expectedCallbacks: string[] = [];
    let knownPspReference = "";
    let dbSources: Source[] = [];
    let tables: string[] = [];
    let rowCount = 0;
    const probeTable = `leak_scan_probe_${crypto.randomUUID().slice(0, 8)}`;

    function keep(label: string, answer: SentRequest): SentRequest {
      answers.push({
        kind: "answer",
        where: label,
        text: renderAnswer(answer.status, answer.headers, answer.text),
      });
      return answer;
    }
    /** A fetch whose answer is kept; redirects are never followed automatically. */
    async function fetchKept(label: string, url: string, init: RequestInit = {}): Promise<SentRequest> {
      const response = await fetch(url, { redirect: "manual", ...init });
      const text = await response.text();
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text);
      } catch {
        body = {};
      }
      return keep(`${label}: ${init.method ?? "GET"} ${url}`, {
        status: response.status,
        headers: response.headers,
        text,
        body,
      });
    }
    const pay = async (label: string, body: Record<string, unknown>) =>
      keep(`${label}: POST payments ${body.paymentId}`, await client.send("payments", body));
    const post = async (route: string, body: Record<string, unknown>) =>
      keep(`POST ${route} ${JSON.stringify(body)}`, await client.send(route, body));
    const query = async (route: string, id: string) =>
      keep(`GET ${route}/${id}`, await client.query(route, id));
    const paymentBody = (
      paymentId: string,
      number: string,
      extra: Partial<Record<string, unknown>> = {},
    ) => ({
      ...client.paymentBody({ paymentId, amount: "10.00", card: card(number), returnUrl: RETURN_URL }),
      ...extra,
    });

    /**
     * Drives a 3DS page like a buyer, keeping every answer: the gateway's redirect, the emulator's page,
     * the POST of the action and each 303 until Genstore's returnUrl.
     */
    async function actOnChallenge(label: string, redirectUrl: string, action: string): Promise<string> {
      let url = redirectUrl;
      let page = await fetchKept(`${label} page`, url);
      for (let hop = 0; hop < 5 && page.status >= 300 && page.status < 400; hop++) {
        url = new URL(page.headers.get("location")!, url).toString();
        page = await fetchKept(`${label} page`, url);
      }
      equal(page.status, 200, `${label}: the challenge page answers`);
      let answer = await fetchKept(`${label} ${action}`, url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ action }),
      });
      for (let hop = 0; hop < 8 && answer.status >= 300 && answer.status < 400; hop++) {
        url = new URL(answer.headers.get("location")!, url).toString();
        if (url.startsWith(RETURN_URL)) return url;
        answer = await fetchKept(`${label} return`, url);
      }
      return url;
    }

    try {
      await t.step("sales with every test card", async () => {
        // The two slow cards first: they settle in the background while the rest runs.
        const unknown500 = newId("PI");
        const a500 = await pay("500 card", paymentBody(unknown500, "4000000000000119"));
        equal(a500.status, 200);
        equal(a500.body.error, undefined);
        const timeout = newId("PI");
        const aTimeout = await pay("timeout card", paymentBody(timeout, "4000000000006975"));
        equal(aTimeout.status, 200);
        deepEqual(aTimeout.body, {});
        expectedCallbacks.push(`payment/${unknown500}`, `payment/${timeout}`);

        const approved = newId("PI");
        const answer = await pay("approved card", paymentBody(approved, "4242424242424242"));
        equal(answer.status, 200);
        match(String(answer.body.channelPaymentId), /^[A-Z0-9]{16}$/);
        knownPspReference = String(answer.body.channelPaymentId);
        expectedCallbacks.push(`payment/${approved}`);

        for (
          const [number, code] of [["4000000000000002", "card_declined"], [
            "4000000000009995",
            "insufficient_funds",
          ]]
        ) {
          const id = newId("PI");
          const declined = await pay(`${code} card`, paymentBody(id, number));
          equal(declined.status, 200);
          match(String(declined.body.error), new RegExp(`^${code}: `));
          expectedCallbacks.push(`payment/${id}`);
        }

        // Card-on-file asked for: a successful callback may carry a token, brand, last4 and expiry, never the PAN.
        const stored = newId("PI");
        const body = paymentBody(stored, "4242424242424242");
        const method = body.paymentMethod as { data: Record<string, unknown> };
        method.data.storeCard = true;
        equal((await pay("card on file", body)).status, 200);
        expectedCallbacks.push(`payment/${stored}`);

        // A Luhn-invalid number inside a valid package: the PSP refuses it.
        const badLuhn = newId("PI");
        const refused = await pay("Luhn-invalid card", paymentBody(badLuhn, BAD_LUHN_PAN));
        equal(refused.status, 200);
        ok(typeof refused.body.error === "string");
        expectedCallbacks.push(`payment/${badLuhn}`);

        equal((await genstore.waitForCallback("payment", unknown500, 15_000)).body.status, false);
        equal((await genstore.waitForCallback("payment", timeout, 15_000)).body.status, true);
      });

      await t.step("3DS approved, failed and cancelled through the emulator's page", async () => {
        for (const [action, status] of [["approve", true], ["fail", false], ["cancel", false]] as const) {
          const id = newId("PI");
          const answer = await pay(`3DS ${action}`, paymentBody(id, "4000000000003220"));
          equal(answer.status, 200);
          ok(typeof answer.body.redirectUrl === "string", "a 3DS card answers redirectUrl");
          const landed = await actOnChallenge(`3DS ${action}`, String(answer.body.redirectUrl), action);
          ok(landed.startsWith(RETURN_URL), `${action}: the buyer lands on returnUrl`);
          equal((await genstore.waitForCallback("payment", id)).body.status, status);
          expectedCallbacks.push(`payment/${id}`);
          // The buyer comes back again (a reload): the pages say nothing new, and leak nothing either.
          await fetchKept(`3DS ${action} again`, String(answer.body.redirectUrl));
        }
      });

      await t.step("manual capture, partial capture, refunds, over-refund and void", async () => {
        const id = newId("PI");
        const auth = await pay(
          "authorize",
          paymentBody(id, "4242424242424242", { amount: "100.00", manualCapture: true }),
        );
        equal(auth.status, 200);
        equal(auth.body.error, undefined);
        await genstore.waitForCallback("pre_authorize", id);
        expectedCallbacks.push(`pre_authorize/${id}`);

        const captureId = newId("CA");
        const capture = await post("captures", { captureId, paymentId: id, amount: "60.00", test: true });
        equal(capture.body.error, undefined);
        expectedCallbacks.push(`capture/${captureId}`);
        await genstore.waitForCallback("capture", captureId);
        for (const amount of ["20.00", "15.50"]) {
          const refundId = newId("RF");
          const refund = await post("refunds", { refundId, paymentId: id, amount, test: true });
          equal(refund.body.error, undefined);
          expectedCallbacks.push(`refund/${refundId}`);
          await genstore.waitForCallback("refund", refundId);
        }
        const over = newId("RF");
        const refused = await post("refunds", { refundId: over, paymentId: id, amount: "24.51", test: true });
        match(String(refused.body.error), /^amount_exceeds_captured: /);
        expectedCallbacks.push(`refund/${over}`);

        const voidable = newId("PI");
        await pay("authorize to void", { ...paymentBody(voidable, "4242424242424242"), manualCapture: true });
        await genstore.waitForCallback("pre_authorize", voidable);
        expectedCallbacks.push(`pre_authorize/${voidable}`);
        const voidId = newId("VO");
        const voided = await post("voids", { voidId, paymentId: voidable, test: true });
        equal(voided.body.error, undefined);
        expectedCallbacks.push(`void/${voidId}`);
        await genstore.waitForCallback("void", voidId);
        const late = newId("CA");
        const lateCapture = await post("captures", {
          captureId: late,
          paymentId: voidable,
          amount: "1.00",
          test: true,
        });
        match(String(lateCapture.body.error), /^payment_not_capturable: /);
        expectedCallbacks.push(`capture/${late}`);
        const afterCapture = newId("VO");
        const refusedVoid = await post("voids", { voidId: afterCapture, paymentId: id, test: true });
        match(String(refusedVoid.body.error), /^void_after_capture: /);
        expectedCallbacks.push(`void/${afterCapture}`);

        for (const [route, ids] of [["payments", [id, voidable]], ["captures", [captureId, late]]] as const) {
          for (const one of ids) equal((await query(route, one)).status, 200);
        }
        equal((await query("refunds", over)).body.status, "FAILURE");
        equal((await query("voids", voidId)).body.status, "SUCCESS");
      });

      await t.step("unreadable cards: a tampered ciphertext and plaintexts that are not a card", async () => {
        const tampered = newId("PI");
        const body = paymentBody(tampered, "4242424242424242");
        const data = (body.paymentMethod as { data: Record<string, string> }).data;
        const bytes = Uint8Array.from(atob(data.cipherText), (c) => c.charCodeAt(0));
        bytes[bytes.length - 20] ^= 1;
        data.cipherText = btoa(String.fromCharCode(...bytes));
        match(String((await pay("tampered ciphertext", body)).body.error), /^card_unreadable: /);
        expectedCallbacks.push(`payment/${tampered}`);

        const plaintexts = [
          ["spaced number", JSON.stringify({ ...card("4242 4242 4242 4242"), expiryMonth: "11" })],
          ["month 13", JSON.stringify({ ...card("4242424242424242"), expiryMonth: "13" })],
          ["cvv too long", JSON.stringify({ ...card("4242424242424242"), cvv: `${CVV}${CVV}` })],
          ["truncated JSON", `{"number":"4242424242424242","cvv":"${CVV}","holderName":"${HOLDER}"`],
        ];
        for (const [label, plaintext] of plaintexts) {
          const id = newId("PI");
          const pkg = encryptPlaintext(h.gateway.publicKey, new TextEncoder().encode(plaintext));
          const unreadable = paymentBody(id, "4242424242424242");
          (unreadable.paymentMethod as { data: Record<string, unknown> }).data = {
            ...pkg,
            returnUrl: RETURN_URL,
          };
          const answer = await pay(`plaintext ${label}`, unreadable);
          match(String(answer.body.error), /^card_unreadable: /, label);
          expectedCallbacks.push(`payment/${id}`);
        }
      });

      await t.step("a replay and a conflict", async () => {
        const id = newId("PI");
        const body = paymentBody(id, "4242424242424242");
        const first = await pay("replay first", body);
        const second = await pay("replay second", body);
        equal(second.text, first.text);
        equal(second.headers.get("idempotent-replayed"), "true");
        expectedCallbacks.push(`payment/${id}`);
        await genstore.waitForCallback("payment", id);
        const conflict = await pay("conflict", paymentBody(id, "4242424242424242", { amount: "11.00" }));
        equal(conflict.status, 409);
        deepEqual(conflict.body, { error: "idempotency_conflict" });

        const refundId = newId("RF");
        const refund = { refundId, paymentId: id, amount: "1.00", test: true };
        const r1 = await post("refunds", refund);
        const r2 = await post("refunds", refund);
        equal(r2.text, r1.text);
        equal(r2.headers.get("idempotent-replayed"), "true");
        equal((await post("refunds", { ...refund, amount: "2.00" })).status, 409);
        expectedCallbacks.push(`refund/${refundId}`);
      });

      await t.step("malformed bodies carrying a PAN and a CVV in unexpected fields", async () => {
        const clear = { number: "4242424242424242", cvv: CVV, holderName: HOLDER, expiryMonth: "11" };
        // No package at all: the card in clear where the package belongs.
        const noPackage = paymentBody(newId("PI"), "4242424242424242");
        (noPackage.paymentMethod as { data: Record<string, unknown> }).data = {
          ...clear,
          returnUrl: RETURN_URL,
        };
        equal((await pay("card in clear instead of a package", noPackage)).status, 400);
        // The card where the amount belongs.
        equal(
          (await pay("card as the amount", paymentBody(newId("PI"), "4242424242424242", { amount: clear })))
            .status,
          400,
        );
        // A paymentId of the wrong type holding the PAN, and a CVV as the currency.
        equal(
          (await pay(
            "PAN as a numeric paymentId",
            paymentBody("x", "4242424242424242", { paymentId: 4242424242424242, currency: CVV }),
          )).status,
          400,
        );
        // Not JSON at all, with the card in it.
        const truncated = `{"paymentId":"${newId("PI")}","card":{"number":"4242424242424242","cvv":"${CVV}"`;
        equal(keep("truncated JSON with a card", await client.send("payments", truncated)).status, 400);
        // A capture without an amount but with a card.
        equal(
          (await post("captures", {
            captureId: newId("CA"),
            paymentId: "PIx",
            cardNumber: clear.number,
            cvc: CVV,
          }))
            .status,
          400,
        );
        // Well formed, with a real package, and the card in clear in fields nobody asked for: accepted, and
        // the clear copy must be neither stored nor echoed.
        const extra = newId("PI");
        const loose = paymentBody(extra, "4242424242424242", {
          card: clear,
          customer: {
            email: "buyer@example.com",
            billingAddress: { note: `card ${clear.number} cvv ${CVV}` },
          },
        });
        Object.assign((loose.paymentMethod as { data: Record<string, unknown> }).data, clear);
        const accepted = await pay("valid package plus the card in clear", loose);
        equal(accepted.status, 200);
        expectedCallbacks.push(`payment/${extra}`);
      });

      await t.step("bad signatures", async () => {
        const base = `${h.gateway.url}/v1/ext/card`;
        const body = JSON.stringify({
          ...paymentBody(newId("PI"), "4242424242424242"),
          card: card("4242424242424242"),
        });
        const badSignature = await signBody("not-the-secret", new TextEncoder().encode(body));
        const headers = {
          "content-type": "application/json",
          "x-genstore-shop-domain": "demo.genmystore.com",
        };
        equal(
          (await fetchKept("wrong signature", `${base}/payments`, {
            method: "POST",
            headers: { ...headers, "x-genstore-hmac-sha256": badSignature },
            body,
          })).status,
          401,
        );
        equal(
          (await fetchKept("no signature", `${base}/payments`, { method: "POST", headers, body })).status,
          401,
        );
        const wrongQuery = await signQuery("not-the-secret", {
          shop: "demo.genmystore.com",
          timestamp: String(Math.floor(Date.now() / 1000)),
        });
        equal((await fetchKept("wrong query signature", `${base}/payments/PIx?${wrongQuery}`)).status, 401);
      });

      await t.step("status queries and health", async () => {
        for (const entry of expectedCallbacks) {
          const [kind, id] = entry.split("/");
          const route =
            { payment: "payments", pre_authorize: "payments", capture: "captures", void: "voids" }[
              kind as "payment"
            ] ?? "refunds";
          const answer = await query(route, id);
          equal(answer.status, 200, entry);
        }
        for (const route of ["payments", "captures", "voids", "refunds"]) {
          equal((await query(route, "nope")).status, 404);
        }
        for (const path of ["/healthz", "/readyz", "/openapi.json", "/v1/ext/nope/payments/x"]) {
          await fetchKept("health", `${h.gateway.url}${path}`);
        }
      });

      await t.step("everything settles: every operation final, every callback delivered", async () => {
        await eventually(async () => {
          const [open] = await db.query<{ n: unknown }>(
            "SELECT count(*) AS n FROM operations WHERE status NOT IN ('succeeded', 'failed')",
          );
          const [pending] = await db.query<{ n: unknown }>(
            "SELECT count(*) AS n FROM outbox WHERE status <> 'delivered'",
          );
          const webhooksDone = h.adyen.notifications().every((n) => n.delivered);
          return (Number(open.n) === 0 && Number(pending.n) === 0 && webhooksDone) || undefined;
        }, 30_000);
        for (const entry of expectedCallbacks) {
          const [kind, id] = entry.split("/");
          await genstore.waitForCallback(kind, id, 5_000);
        }
      });

      // A throwaway table with markers in a text, a bytea and a jsonb column: the database scan must find
      // all three, through the same enumeration and casts as every other table.
      await db.exec(
        `CREATE TABLE ${probeTable} (note text, blob bytea, doc jsonb);
         INSERT INTO ${probeTable} VALUES ('planted 4242424242424242',
           convert_to('{"cvv":"${CVV}"}', 'UTF8'), '{"holder":"${HOLDER}"}'::jsonb);`,
      );
      ({ sources: dbSources, tables, rows: rowCount } = await snapshotDatabase(db));
      await db.exec(`DROP TABLE ${probeTable}`);
    } finally {
      await h.stop();
    }

    // Logs are read after the stop, so that shutdown lines are scanned too.
    const logSources: Source[] = h.logs.map((line, index) => ({
      kind: "log",
      where: `log line ${index + 1} (${eventOf(line)})`,
      text: line,
    }));
    const callbackSources: Source[] = genstore.attempts.map((attempt, index) => ({
      kind: "callback",
      where: `callback ${index + 1}: PUT ${attempt.path} (answered ${attempt.status})`,
      text: attempt.text,
    }));
    const needles = await secretNeedles(h);

    // Planted copies: one per kind of source that is not the database.
    const planted: Source[] = [
      {
        kind: "log",
        where: "PLANTED log line",
        text: JSON.stringify({ event: "x", key: h.gateway.config.masterKey }),
      },
      { kind: "answer", where: "PLANTED answer", text: `HTTP 200\n\n{"token":"${DEMO.accessToken}"}` },
      { kind: "callback", where: "PLANTED callback", text: `{"pan":"4000 0000 0000 3220"}` },
    ];
    const corpus = [...dbSources, ...logSources, ...answers, ...callbackSources];
    const hits = scan([...corpus, ...planted], needles);
    const isPlanted = (hit: Hit) =>
      hit.source.where.startsWith("PLANTED") || hit.source.where.includes(probeTable);

    const counts = {
      tables: tables.length,
      rows: rowCount,
      cells: dbSources.length,
      logLines: logSources.length,
      answers: answers.length,
      emulatorPages: answers.filter((a) => a.where.includes("/adyen/threeds")).length,
      callbacks: callbackSources.length,
      needles: needles.length,
    };
    console.log(`leak scan: ${JSON.stringify(counts)}`);
    // LEAK_SCAN_DUMP=file writes everything scanned, one JSON source a line, to look at by hand.
    const dump = Deno.env.get("LEAK_SCAN_DUMP");
    if (dump) {
      await Deno.writeTextFile(
        dump,
        corpus.map((source) => JSON.stringify(source)).join("\n") + "\n",
      );
    }

    await t.step("the scan finds what it must find (self-check)", () => {
      // Every marker is found where it was planted (a key may also match under a second encoding there).
      const plantedHits = new Set(
        hits.filter(isPlanted).map((hit) => `${hit.needle} @ ${hit.source.where.replace(/ \(.*$/s, "")}`),
      );
      const probe = (column: string) => `table public.${probeTable}.${column} row 1`;
      const expected = [
        `CVV ${CVV} @ ${probe("blob")}`,
        `GENSTORE access token (dev-token) @ PLANTED answer`,
        `MASTER_KEY (base64) @ PLANTED log line`,
        `PAN 4000000000003220 @ PLANTED callback`,
        `PAN 4242424242424242 @ ${probe("note")}`,
        `PAN prefix 400000000000 (first 12 digits) @ PLANTED callback`,
        `PAN prefix 424242424242 (first 12 digits) @ ${probe("note")}`,
        `holder name @ ${probe("doc")}`,
        `holder surname @ ${probe("doc")}`,
      ];
      for (const one of expected) ok(plantedHits.has(one), `the scan finds the planted ${one}`);
      deepEqual(
        [...new Set([...plantedHits].map((hit) => hit.split(" @ ")[1]))].sort(),
        [...new Set(expected.map((hit) => hit.split(" @ ")[1]))].sort(),
      );
      ok(tables.length >= 8, `tables scanned: ${tables.join(", ")}`);
      for (const table of ["shops", "shop_extensions", "payments", "operations", "outbox", "audit_log"]) {
        ok(tables.some((name) => name.endsWith(`.${table}`)), `table ${table} is scanned`);
      }
      ok(counts.logLines > 50 && counts.answers > 50 && counts.callbacks > 20 && counts.emulatorPages >= 6);
      // Values known to be present are found where they must be.
      const controls = scan(corpus, [
        { label: "shop handle", value: DEMO.shop, match: "exact" },
        { label: "PSP reference", value: knownPspReference, match: "exact" },
        { label: "challenge page", value: "3D Secure challenge", match: "exact" },
      ]);
      const found = (label: string, kind: Source["kind"], where = "") =>
        ok(
          controls.some((hit) =>
            hit.needle === label && hit.source.kind === kind && hit.source.where.includes(where)
          ),
          `${label} found in ${kind} ${where}`,
        );
      found("shop handle", "db", "public.shops.shop");
      found("shop handle", "log");
      found("PSP reference", "db", "public.payments.");
      found("PSP reference", "answer");
      found("PSP reference", "callback");
      found("challenge page", "answer", "/adyen/threeds");
    });

    await t.step("no card data, key or secret in the database, logs, answers or callbacks", () => {
      const leaks = hits.filter((hit) => !isPlanted(hit));
      if (leaks.length > 0) {
        throw new Error(
          `${leaks.length} leak(s):\n` +
            leaks.map((hit) => `- ${hit.needle} in ${hit.source.kind} ${hit.source.where}: ${hit.excerpt}`)
              .join(
                "\n",
              ),
        );
      }
    });
  },
});

/** Every value that must never leave the gateway in clear, with the encodings it could take. */
async function secretNeedles(h: Harness): Promise<Needle[]> {
  const config = h.gateway.config;
  const needles: Needle[] = [];
  const add = (label: string, value: string | undefined, match: Needle["match"] = "exact") => {
    if (value === undefined || value === "") return;
    if (!needles.some((n) => n.value === value && n.match === match)) needles.push({ label, value, match });
  };
  for (const pan of [...TEST_PANS, BAD_LUHN_PAN]) {
    add(`PAN ${pan}`, pan, "digits");
  }
  for (const pan of [...TEST_PANS, BAD_LUHN_PAN]) {
    add(`PAN prefix ${pan.slice(0, 12)} (first 12 digits)`, pan.slice(0, 12), "digits");
  }
  add(`CVV ${CVV}`, CVV, "bounded");
  add("holder name", HOLDER, "caseless");
  add("holder surname", HOLDER.split(" ")[1], "caseless");

  const keyEncodings = (label: string, base64: string) => {
    const bytes = decodeBase64(base64)!;
    add(`${label} (base64)`, base64);
    add(
      `${label} (base64, URL-encoded)`,
      encodeURIComponent(base64) === base64 ? undefined : encodeURIComponent(base64),
    );
    add(`${label} (base64url)`, encodeBase64Url(bytes).replace(/=+$/, ""));
    add(`${label} (hex)`, hex(bytes), "caseless");
    add(`${label} (raw bytes)`, latin1(bytes));
  };
  for (const [index, key] of config.eciesPrivateKeys.entries()) {
    keyEncodings(`ECIES private key ${index + 1}`, key);
    const imported = await crypto.subtle.importKey(
      "pkcs8",
      decodeBase64(key)!,
      { name: "ECDH", namedCurve: "P-256" },
      true,
      ["deriveBits"],
    );
    const d = (await crypto.subtle.exportKey("jwk", imported)).d!;
    const scalar = Uint8Array.from(atob(d.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));
    add(`ECIES private scalar ${index + 1} (base64url)`, d);
    add(`ECIES private scalar ${index + 1} (base64)`, encodeBase64(scalar).replace(/=+$/, ""));
    add(`ECIES private scalar ${index + 1} (hex)`, hex(scalar), "caseless");
  }
  keyEncodings("MASTER_KEY", config.masterKey);
  add("GENSTORE_CLIENT_SECRET", config.clientSecret);
  add("GENSTORE_CLIENT_SECRET (harness)", CLIENT_SECRET);
  add("GENSTORE access token (dev-token)", DEMO.accessToken);
  add("PSP API key", SANDBOX_CARD.apiKey);
  add("PSP HMAC key (hex)", SANDBOX_CARD.hmacKeyHex, "caseless");
  const hmacBytes = Uint8Array.from(SANDBOX_CARD.hmacKeyHex.match(/../g)!, (pair) => parseInt(pair, 16));
  add("PSP HMAC key (base64)", encodeBase64(hmacBytes).replace(/=+$/, ""));
  add("PSP HMAC key (raw bytes)", latin1(hmacBytes));
  add("OPERATOR_TOKEN", config.operatorToken);
  return needles;
}

/**
 * Every cell of every base table of the non-system schemas, each cast to text (bytea also decoded to its
 * bytes), one source per non-null cell, named `table schema.table.column row n (first columns)`.
 */
async function snapshotDatabase(
  db: SqlClient,
): Promise<{ sources: Source[]; tables: string[]; rows: number }> {
  const columns = await db.query<{ schema: string; name: string; column: string; type: string }>(
    `SELECT c.table_schema AS schema, c.table_name AS name, c.column_name AS column, c.data_type AS type
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE t.table_type = 'BASE TABLE'
        AND t.table_schema NOT IN ('pg_catalog', 'information_schema')
        AND t.table_schema NOT LIKE 'pg\\_toast%' AND t.table_schema NOT LIKE 'pg\\_temp%'
      ORDER BY c.table_schema, c.table_name, c.ordinal_position`,
  );
  const byTable = new Map<
    string,
    { schema: string; name: string; columns: { column: string; type: string }[] }
  >();
  for (const row of columns) {
    const key = `${row.schema}.${row.name}`;
    const entry = byTable.get(key) ?? { schema: row.schema, name: row.name, columns: [] };
    entry.columns.push({ column: row.column, type: row.type });
    byTable.set(key, entry);
  }
  const sources: Source[] = [];
  let count = 0;
  for (const [key, table] of byTable) {
    const select = table.columns.map((c, i) => `${ident(c.column)}::text AS c${i}`).join(", ");
    const rows = await db.query(`SELECT ${select} FROM ${ident(table.schema)}.${ident(table.name)}`);
    count += rows.length;
    rows.forEach((row, index) => {
      const label = table.columns.slice(0, 3).map((_, i) => String(row[`c${i}`] ?? "null").slice(0, 40)).join(
        ", ",
      );
      table.columns.forEach((column, i) => {
        const value = row[`c${i}`];
        if (value === null || value === undefined) return;
        let text = String(value);
        if (column.type === "bytea" && text.startsWith("\\x")) {
          const bytes = Uint8Array.from(text.slice(2).match(/../g) ?? [], (pair) => parseInt(pair, 16));
          text += `\n${latin1(bytes)}`;
        }
        sources.push({
          kind: "db",
          where: `table ${key}.${column.column} row ${index + 1} (${label})`,
          text,
        });
      });
    });
  }
  return { sources, tables: [...byTable.keys()], rows: count };
}

function scan(sources: readonly Source[], needles: readonly Needle[]): Hit[] {
  const bounded = new Map(
    needles.filter((n) => n.match === "bounded").map((n) => [
      n.value,
      new RegExp(`(?<![A-Za-z0-9])${n.value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![A-Za-z0-9])`),
    ]),
  );
  const hits: Hit[] = [];
  for (const source of sources) {
    const lower = source.text.toLowerCase();
    // Digits separated by spaces, dashes or no-break spaces count as one run ("4242 4242 4242 4242").
    const joined = source.text.replace(/(\d)[ \u00a0-]+(?=\d)/g, "$1");
    for (const needle of needles) {
      let text = source.text;
      let at = -1;
      switch (needle.match) {
        case "exact":
          at = text.indexOf(needle.value);
          break;
        case "caseless":
          text = lower;
          at = lower.indexOf(needle.value.toLowerCase());
          break;
        case "digits":
          at = text.indexOf(needle.value);
          if (at < 0) {
            text = joined;
            at = joined.indexOf(needle.value);
          }
          break;
        case "bounded":
          at = bounded.get(needle.value)!.exec(text)?.index ?? -1;
          break;
      }
      if (at >= 0) {
        hits.push({ needle: needle.label, source, excerpt: excerpt(text, at, needle.value.length) });
      }
    }
  }
  return hits;
}

function excerpt(text: string, at: number, length: number): string {
  const start = Math.max(0, at - 60);
  const end = Math.min(text.length, at + length + 60);
  return JSON.stringify(`${start > 0 ? "…" : ""}${text.slice(start, end)}${end < text.length ? "…" : ""}`);
}

function renderAnswer(status: number, headers: Headers, body: string): string {
  return `HTTP ${status}\n${[...headers].map(([name, value]) => `${name}: ${value}`).join("\n")}\n\n${body}`;
}

function eventOf(line: string): string {
  try {
    return String(JSON.parse(line).event);
  } catch {
    return "not JSON";
  }
}

function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function latin1(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}
