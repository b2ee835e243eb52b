/**
 * What an operator reads about payments, through the running gateway: `/admin/payments` (search, filters,
 * keyset pages, refusals of bad filters), `/admin/payments/{shop}/{id}` (amounts, operations, callbacks and a
 * timeline of every state change with its source, PSP exchange and callback attempt) and
 * `deno task ops payment` printing the same story in a terminal.
 */
import { deepStrictEqual as deepEqual, match, ok, strictEqual as equal } from "node:assert/strict";
import { testCard } from "../../adapters/dev/genstore_client.ts";
import type { PaymentPage, PaymentStory } from "../../adapters/operations/payment_story.ts";
import { formatPaymentStory } from "../../adapters/operations/payment_story_text.ts";
import { createRemoteOperations } from "../../adapters/operations/remote_operations.ts";
import { postgresOnly } from "../support/databases.ts";
import { eventually, newId, startHarness } from "../support/harness.ts";

const TOKEN = "operator-token-for-story-tests";

Deno.test({
  name: "payment story: search, pages, one payment's timeline, the ops CLI",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const h = await startHarness({ env: { OPERATOR_TOKEN: TOKEN } });
    const { client, genstore, gateway } = h;
    const admin = async <T>(path: string) => {
      const response = await fetch(`${gateway.url}/admin${path}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      return { status: response.status, body: await response.json() as T };
    };
    try {
      const authorized = newId("PI");
      const captureId = newId("CA");
      const refundId = newId("RF");
      const declined = newId("PI");

      await t.step(
        "authorize → partial capture → refund: the story has the totals and every step",
        async () => {
          equal(
            (await client.pay({ paymentId: authorized, amount: "100.00", manualCapture: true })).status,
            200,
          );
          await genstore.waitForCallback("pre_authorize", authorized);
          equal((await client.capture(captureId, authorized, "60.00")).status, 200);
          await genstore.waitForCallback("capture", captureId);
          equal((await client.refund(refundId, authorized, "25.00")).status, 200);
          await genstore.waitForCallback("refund", refundId);

          // The callbacks are delivered; their attempts and the PSP exchanges are in the audit trail.
          const story = await eventually(async () => {
            const { status, body } = await admin<PaymentStory>(`/payments/demo/${authorized}`);
            equal(status, 200);
            const delivered = body.callbacks.length === 3 &&
              body.callbacks.every((callback) => callback.status === "delivered");
            const exchanges = body.timeline.filter((entry) => entry.type === "psp").length;
            const attempts = body.timeline.filter((entry) => entry.type === "callback").length;
            return delivered && exchanges >= 3 && attempts === 3 ? body : undefined;
          });
          const p = story.payment;
          deepEqual(
            [p.state, p.amountMinor, p.authorizedMinor, p.capturedMinor, p.refundedMinor],
            ["partially_captured", 10000, 10000, 6000, 2500],
          );
          equal(p.remainingToCaptureMinor, 4000);
          equal(p.remainingToRefundMinor, 3500);
          equal(p.extension, "card");
          ok(p.pspReference, "the payment has the PSP's reference");
          deepEqual(
            story.operations.map((op) => [op.kind, op.operationId, op.status, op.amountMinor]),
            [
              ["payment", authorized, "succeeded", 10000],
              ["capture", captureId, "succeeded", 6000],
              ["refund", refundId, "succeeded", 2500],
            ],
          );

          // Time order, every kind of entry, and each state change with what moved it.
          const times = story.timeline.map((entry) => Date.parse(entry.at));
          deepEqual(times, [...times].sort((a, b) => a - b));
          const changes = story.timeline.filter((entry) => entry.kind === "operation.update");
          if (Deno.env.get("STORY_DUMP")) {
            console.log(story.timeline.map((e) => `${e.at} ${e.type} ${e.summary}`).join("\n"));
          }
          // The authorization is the PSP's answer; Adyen confirms captures and refunds by notification.
          for (
            const [subject, source] of [
              [`payment/${authorized}`, "psp_answer"],
              [`capture/${captureId}`, "notification"],
              [`refund/${refundId}`, "notification"],
            ]
          ) {
            const final = changes.find((entry) =>
              entry.subject === subject && entry.details.to === "succeeded"
            );
            ok(final, `${subject} reached succeeded in the timeline`);
            equal(final.details.source, source, subject);
            match(final.summary, new RegExp(`→ succeeded \\(${source}\\)`));
          }
          const exchange = story.timeline.find((entry) => entry.type === "psp")!;
          match(String(exchange.details.host), /^127\.0\.0\.1:\d+$/);
          equal(typeof exchange.details.durationMs, "number");
          equal(typeof exchange.details.status, "number");
          const attempts = story.timeline.filter((entry) => entry.type === "callback");
          equal(attempts.length, 3);
          ok(attempts.every((entry) => entry.details.httpStatus === 200), "each callback answered 200");
          // The PSP exchange of the capture comes before the capture's success it caused.
          const captureDone = story.timeline.findIndex((entry) =>
            entry.subject === `capture/${captureId}` && entry.details.to === "succeeded"
          );
          const captureExchange = story.timeline.findIndex((entry) =>
            entry.type === "psp" && String(entry.details.operation).endsWith("capture")
          );
          ok(captureExchange !== -1 && captureExchange < captureDone, "the exchange precedes its outcome");
          // Nothing of the card is in the story.
          const text = JSON.stringify(story);
          // The CVV as a value ("737"), not as digits anywhere: a duration or a timestamp's milliseconds can be 737.
          ok(!text.includes("4242424242424242") && !text.includes('"737"'), "no card data");
        },
      );

      await t.step("a failed payment carries its reason in the list and the story", async () => {
        equal(
          (await client.pay({ paymentId: declined, amount: "5.00", card: testCard("4000000000000002") }))
            .status,
          200,
        );
        await genstore.waitForCallback("payment", declined);
        const { body } = await admin<PaymentPage>(`/payments?shop=demo&paymentId=${declined}`);
        equal(body.payments.length, 1);
        equal(body.payments[0].state, "failed");
        equal(body.payments[0].errorCode, "card_declined");
        ok(body.payments[0].errorMessage, "with the PSP's message");
      });

      await t.step("filters: state, method, PSP reference, dates, unknown shop", async () => {
        const failed = await admin<PaymentPage>("/payments?shop=demo&state=failed");
        ok(failed.body.payments.some((p) => p.paymentId === declined));
        ok(failed.body.payments.every((p) => p.state === "failed"));
        const wallet = await admin<PaymentPage>("/payments?method=wallet");
        ok(wallet.body.payments.every((p) => p.extension === "wallet"));
        ok(!wallet.body.payments.some((p) => p.paymentId === authorized));
        const story = (await admin<PaymentStory>(`/payments/demo/${authorized}`)).body;
        const byPayment = await admin<PaymentPage>(
          `/payments?pspReference=${encodeURIComponent(story.payment.pspReference!)}`,
        );
        deepEqual(byPayment.body.payments.map((p) => p.paymentId), [authorized]);
        const capturePsp = story.operations.find((op) => op.kind === "capture")!.pspReference!;
        const byCapture = await admin<PaymentPage>(
          `/payments?pspReference=${encodeURIComponent(capturePsp)}`,
        );
        deepEqual(byCapture.body.payments.map((p) => p.paymentId), [authorized]);
        const future = await admin<PaymentPage>("/payments?from=2999-01-01");
        deepEqual(future.body.payments, []);
        const past = await admin<PaymentPage>(`/payments?to=2000-01-01&shop=demo`);
        deepEqual(past.body.payments, []);
        deepEqual((await admin<PaymentPage>("/payments?shop=nosuchshop")).body.payments, []);
        equal((await admin(`/payments/demo/nosuchpayment`)).status, 404);
      });

      await t.step("pages: newest first, the cursor continues where the last page stopped", async () => {
        const ids = [newId("PG"), newId("PG"), newId("PG")];
        for (const id of ids) {
          equal((await client.pay({ paymentId: id, amount: "1.00" })).status, 200);
        }
        const seen: string[] = [];
        let after: string | undefined;
        for (let page = 0; page < 20; page++) {
          const { body } = await admin<PaymentPage>(
            `/payments?shop=demo&limit=2${after === undefined ? "" : `&after=${after}`}`,
          );
          ok(body.payments.length <= 2);
          seen.push(...body.payments.map((p) => p.paymentId));
          if (body.next === undefined) break;
          after = body.next;
        }
        equal(new Set(seen).size, seen.length, "no payment on two pages");
        deepEqual(seen.slice(0, 3), [...ids].reverse(), "newest first");
        ok(seen.includes(authorized) && seen.includes(declined), "and every older one after them");
        // Across shops too (the global order), with the same cursor form.
        const global = await admin<PaymentPage>("/payments?limit=1");
        equal(global.body.payments.length, 1);
        ok(global.body.next);
      });

      await t.step("bad filters are refused with what was wrong, 400", async () => {
        for (
          const [query, path] of [
            ["state=paid", "state"],
            ["from=yesterday", "from"],
            ["limit=0", "limit"],
            ["limit=201", "limit"],
            ["after=garbage", "after"],
            ["shop=Not%20A%20Shop", "shop"],
          ]
        ) {
          const { status, body } = await admin<{ error: string; issues: { path: string }[] }>(
            `/payments?${query}`,
          );
          equal(status, 400, query);
          equal(body.error, "invalid_request");
          deepEqual(body.issues.map((issue) => issue.path), [path], query);
        }
        const anonymous = await fetch(`${gateway.url}/admin/payments`);
        equal(anonymous.status, 401);
        await anonymous.body?.cancel();
      });

      await t.step("through the gateway's admin routes (how the CLIs reach an embedded store)", async () => {
        const remote = createRemoteOperations({ url: gateway.url, operatorToken: TOKEN });
        const story = await remote.payment({ shop: "demo", paymentId: authorized });
        equal(story?.payment.capturedMinor, 6000);
        equal(await remote.payment({ shop: "demo", paymentId: "nosuchpayment" }), undefined);
        const page = await remote.payments({ shop: "demo", state: "failed" });
        ok(page.payments.some((p) => p.paymentId === declined));
        const text = formatPaymentStory(story!);
        match(text, new RegExp(`payment ${authorized} of demo: partially_captured`));
        match(text, /authorized 10000, captured 6000, refunded 2500; remaining to capture 4000/);
      });

      await t.step({
        ...postgresOnly("deno task ops payment prints the story in the terminal, from the database"),
        fn: async () => {
          const env = { DATABASE_URL: h.database!.url!, MASTER_KEY: gateway.config.masterKey, NO_COLOR: "1" };
          const run = async (...args: string[]) => {
            const output = await new Deno.Command(Deno.execPath(), {
              args: ["run", "-A", "scripts/ops.ts", ...args],
              env,
              stdout: "piped",
              stderr: "piped",
            }).output();
            return {
              code: output.code,
              out: new TextDecoder().decode(output.stdout),
              err: new TextDecoder().decode(output.stderr),
            };
          };
          const printed = await run("payment", "demo", authorized);
          equal(printed.code, 0, printed.err);
          match(printed.out, new RegExp(`payment ${authorized} of demo: partially_captured`));
          match(printed.out, /authorized 10000, captured 6000, refunded 2500; remaining to capture 4000/);
          match(printed.out, new RegExp(`capture/${captureId}\\s+succeeded\\s+6000 USD`));
          match(printed.out, /timeline:\n/);
          match(printed.out, /callback .* attempt 1: HTTP 200/);
          const json = await run("payment", "demo", authorized, "--json");
          equal(json.code, 0, json.err);
          equal((JSON.parse(json.out) as PaymentStory).payment.capturedMinor, 6000);
          const listed = await run("payments", "--shop", "demo", "--state", "failed");
          equal(listed.code, 0, listed.err);
          match(listed.out, new RegExp(`${declined} .*failed\\s+card_declined`));
          const missing = await run("payment", "demo", "nosuchpayment");
          equal(missing.code === 0, false);
          match(missing.err, /No payment nosuchpayment for shop demo/);
          const refused = await run("payments", "--state", "paid");
          equal(refused.code === 0, false);
          match(refused.err, /state: one of processing/);
        },
      });
    } finally {
      await h.stop();
    }
  },
});
