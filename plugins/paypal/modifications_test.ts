import { deepStrictEqual as assertEquals, match, ok, strictEqual as equal } from "node:assert/strict";
import type { Money } from "../../src/mod.ts";
import { createPayPalPlugin } from "./mod.ts";
import { EUR_10, expectKind, paidOrder, pluginTest, randomToken } from "./plugin_world.ts";
import { chooseCapture } from "./refund.ts";
import type { OrderView } from "./orders.ts";

const plugin = createPayPalPlugin();

function modification(orderId: string, amount: Money | undefined, paymentAmount: Money = EUR_10) {
  return { reference: `demo.${randomToken()}`, paymentPspReference: orderId, amount, paymentAmount };
}

function eur(amountMinor: number): Money {
  return { amountMinor, currency: "EUR" };
}

pluginTest(
  "capture() takes several partial captures of one authorization, final only for the rest",
  async (world) => {
    const { orderId } = await paidOrder(world, { captureMode: "authorize" });
    const first = modification(orderId, eur(400));
    const taken = expectKind(await plugin.capture(first, world.context()), "succeeded");
    match(taken.pspReference, /^[A-Z0-9]{17}$/);
    assertEquals(taken.amount, eur(400));
    const second = expectKind(
      await plugin.capture(modification(orderId, eur(600)), world.context()),
      "succeeded",
    );
    ok(second.pspReference !== taken.pspReference);
    const bodies = world.sent.filter((s) => s.request.operation === "paypal.authorizations.capture")
      .map((s) => s.request.json as Record<string, unknown>);
    assertEquals(bodies.map((b) => [b.final_capture, b.invoice_id === first.reference]), [[false, true], [
      false,
      false,
    ]]);
    const whole = await paidOrder(world, { captureMode: "authorize" });
    expectKind(await plugin.capture(modification(whole.orderId, EUR_10), world.context()), "succeeded");
    equal((world.sent.at(-1)!.request.json as Record<string, unknown>).final_capture, true);
    const over = expectKind(await plugin.capture(modification(orderId, eur(1)), world.context()), "failed");
    equal(over.code, "payment_not_capturable");
  },
);

pluginTest("capture() above the authorization is refused with amount_exceeds_authorized", async (world) => {
  const { orderId } = await paidOrder(world, { captureMode: "authorize" });
  const failed = expectKind(
    await plugin.capture(modification(orderId, eur(1001)), world.context()),
    "failed",
  );
  equal(failed.code, "amount_exceeds_authorized");
});

pluginTest(
  "void() voids an open authorization; a second void finds it voided; a captured one is refused",
  async (world) => {
    const { orderId } = await paidOrder(world, { captureMode: "authorize" });
    const voided = expectKind(
      await plugin.void(modification(orderId, undefined), world.context()),
      "succeeded",
    );
    match(voided.pspReference, /^[A-Z0-9]{17}$/);
    equal(world.sent.at(-1)!.request.json, undefined);
    const again = expectKind(
      await plugin.void(modification(orderId, undefined), world.context()),
      "succeeded",
    );
    equal(again.pspReference, voided.pspReference);
    const captured = await paidOrder(world, { captureMode: "authorize" });
    expectKind(await plugin.capture(modification(captured.orderId, EUR_10), world.context()), "succeeded");
    const refused = expectKind(
      await plugin.void(modification(captured.orderId, undefined), world.context()),
      "failed",
    );
    equal(refused.code, "void_after_capture");
    const sale = await paidOrder(world);
    equal(
      expectKind(await plugin.void(modification(sale.orderId, undefined), world.context()), "failed").code,
      "payment_not_voidable",
    );
  },
);

pluginTest(
  "refund() refunds a sale in parts, with the refund's reference, and refuses more than was captured",
  async (world) => {
    const { orderId } = await paidOrder(world);
    const first = modification(orderId, eur(300));
    const refunded = expectKind(await plugin.refund(first, world.context()), "succeeded");
    assertEquals(refunded.amount, eur(300));
    const body = world.sent.at(-1)!.request.json as Record<string, unknown>;
    equal(body.invoice_id, first.reference);
    equal(body.custom_id, first.reference);
    expectKind(await plugin.refund(modification(orderId, eur(200)), world.context()), "succeeded");
    const over = expectKind(await plugin.refund(modification(orderId, eur(501)), world.context()), "failed");
    equal(over.code, "amount_exceeds_captured");
    expectKind(await plugin.refund(modification(orderId, eur(500)), world.context()), "succeeded");
    equal(world.harness.emulator.orders().find((o) => o.id === orderId)?.refunds, 3);
  },
);

pluginTest("refund() of a payment captured twice takes it from a capture that covers it", async (world) => {
  const { orderId } = await paidOrder(world, { captureMode: "authorize" });
  const small = expectKind(
    await plugin.capture(modification(orderId, eur(400)), world.context()),
    "succeeded",
  );
  const large = expectKind(
    await plugin.capture(modification(orderId, eur(600)), world.context()),
    "succeeded",
  );
  expectKind(await plugin.refund(modification(orderId, eur(350)), world.context()), "succeeded");
  ok(world.sent.at(-1)!.request.url.endsWith(`/captures/${small.pspReference}/refund`));
  expectKind(await plugin.refund(modification(orderId, eur(500)), world.context()), "succeeded");
  ok(world.sent.at(-1)!.request.url.endsWith(`/captures/${large.pspReference}/refund`));
  // 150 is left in all, 50 and 100 per capture: no one PayPal refund can take 120.
  const sent = world.sent.length;
  const spans = expectKind(await plugin.refund(modification(orderId, eur(120)), world.context()), "failed");
  equal(spans.code, "refund_exceeds_capture");
  equal(world.sent.slice(sent).filter((s) => s.request.method === "POST").length, 0);
});

pluginTest("a PENDING refund is pending; a query by its id tells when it completed", async (world) => {
  const { orderId } = await paidOrder(world);
  const refund = modification(orderId, eur(300));
  const ctx = world.context();
  const pending = expectKind(await plugin.refund(refund, ctx), "pending");
  const query = {
    operation: "refund" as const,
    reference: refund.reference,
    pspReference: pending.pspReference,
    paymentPspReference: orderId,
    amount: eur(300),
  };
  expectKind(await plugin.query(query, ctx), "pending");
  await world.harness.emulator.completePendingRefunds();
  const done = expectKind(await plugin.query(query, ctx), "succeeded");
  equal(done.pspReference, pending.pspReference);
  ok(world.sent.some((s) => s.request.operation === "paypal.refunds.get"));
}, { pendingRefunds: true });

Deno.test("chooseCapture() picks the first capture whose unrefunded rest covers the refund", () => {
  const capture = (id: string, amountMinor: number, status = "COMPLETED") => ({
    id,
    status,
    amount: eur(amountMinor),
  });
  const order = (captures: OrderView["captures"], refunds: OrderView["refunds"] = []): OrderView => ({
    id: "ORDER",
    captures,
    authorizations: [],
    refunds,
  });
  const two = [capture("A", 400), capture("B", 600)];
  assertEquals(chooseCapture(order(two), eur(500)), { kind: "capture", capture: two[1] });
  const refunded = [{ id: "R", status: "COMPLETED", amount: eur(300), captureId: "A" }];
  equal((chooseCapture(order(two, refunded), eur(200)) as { capture: { id: string } }).capture.id, "B");
  equal(chooseCapture(order(two, refunded), eur(700)).kind, "none");
  // One capture: PayPal itself says whether the refund fits.
  equal((chooseCapture(order([capture("A", 400)]), eur(900)) as { capture: { id: string } }).capture.id, "A");
  const none = chooseCapture(order([capture("A", 400, "DECLINED")]), eur(100));
  equal(none.kind === "none" && none.code, "payment_not_refundable");
  // A failed refund takes nothing from its capture.
  const failedRefund = [{ id: "R", status: "FAILED", amount: eur(400), captureId: "A" }];
  equal(
    (chooseCapture(order([...two], failedRefund), eur(400)) as { capture: { id: string } }).capture.id,
    "A",
  );
});
