/**
 * The PayPal plugin's conformance target: what `deno task conformance plugins/paypal` needs to run the
 * conformance kit (plugins/kit/conformance/, an offsite target) against this plugin and its emulator,
 * offline. Its shape is the kit's `ConformanceTarget`; the kit checks it when it loads the target.
 *
 * PayPal in the sandbox: the buyer's `fail` approves with a funding source that declines (the capture comes
 * back DECLINED: `payment_declined`); `cancel` voids the order (`payment_canceled`); a buyer who never acts
 * leaves the order waiting (the core fails it at its action timeout). PayPal knows the result only once the
 * gateway captures on the buyer's return, so the notification before the return is the approval
 * (`CHECKOUT.ORDER.APPROVED`), which moves no money.
 * @module
 */
import { formatAmount, type Money, type RawNotification } from "../../src/plugin_api.ts";
import { serveOnLoopback } from "../kit/emulator/mod.ts";
import { TOKEN_OPERATION } from "./access_token.ts";
import { createPayPalEmulator, type PayPalEmulator } from "./emulator/mod.ts";
import { createPayPalPlugin } from "./mod.ts";
import { VERIFY_OPERATION } from "./notification.ts";

const APP = {
  clientId: "AeConformanceClient000001",
  clientSecret: "EConformance-secret-000001",
  webhookId: "CONFORMANCEWEBHOOK0000001",
};
/** The `wrong_key` forgeries are signed for this webhook, which is not the shop's. */
const FORGER_WEBHOOK_ID = "FORGERSWEBHOOK00000000001";

type Json = Record<string, unknown>;
type Operation = "pay" | "capture" | "void" | "refund";

/** The events that tell each operation's result, and which reference of the resource names it. */
const RESULT_EVENTS: Readonly<Record<Operation, readonly string[]>> = {
  pay: ["PAYMENT.CAPTURE.COMPLETED", "PAYMENT.CAPTURE.DECLINED", "PAYMENT.AUTHORIZATION.CREATED"],
  capture: ["PAYMENT.CAPTURE.COMPLETED", "PAYMENT.CAPTURE.DECLINED"],
  // A void's event names no reference of the void; its answer settles it.
  void: [],
  refund: ["PAYMENT.CAPTURE.REFUNDED", "PAYMENT.REFUND.PENDING", "PAYMENT.REFUND.FAILED"],
};

function resourceOf(body: string): Json {
  return (JSON.parse(body) as { resource: Json }).resource;
}

function isAbout(operation: Operation, reference: string, resource: Json): boolean {
  const related = (resource.supplementary_data as { related_ids?: Json } | undefined)?.related_ids;
  const ofAuthorization = related?.authorization_id !== undefined;
  if (operation === "pay") return resource.custom_id === reference && !ofAuthorization;
  if (operation === "capture") return resource.invoice_id === reference && ofAuthorization;
  return resource.invoice_id === reference || resource.custom_id === reference;
}

async function waitForEvent(
  emulator: PayPalEmulator,
  match: (eventType: string, resource: Json) => boolean,
): Promise<RawNotification> {
  const deadline = Date.now() + 3_000;
  for (;;) {
    const found = emulator.signedEvents().find((event) => match(event.eventType, resourceOf(event.body)));
    if (found !== undefined) return { headers: { ...found.headers }, body: found.body };
    if (Date.now() >= deadline) throw new Error("Cannot find the PayPal webhook event in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A changed copy: another amount where the resource has one, else another event id. */
function tamper(body: string): string {
  const event = JSON.parse(body) as Json & { resource: Json };
  const amount = event.resource.amount as Json | undefined;
  if (amount !== undefined) {
    event.resource = { ...event.resource, amount: { ...amount, value: `1${String(amount.value)}` } };
  } else {
    event.id = `${String(event.id)}X`;
  }
  return JSON.stringify(event);
}

function startEmulator() {
  const server = serveOnLoopback((publicUrl) =>
    createPayPalEmulator({ publicUrl, apps: [APP], webhookDelayMs: 1, webhookRetryBaseMs: 10 })
  );
  const emulator = server.app;
  const credentials = { ...APP, baseUrl: server.url };
  return Promise.resolve({
    baseUrl: server.url,
    credentials,
    badCredentials: { ...credentials, clientSecret: "EConformance-not-this-apps-secret" },
    charges(reference: string) {
      const orders = emulator.charges(reference);
      return { count: orders.length, amounts: orders.map((order): Money => ({ ...order.amount })) };
    },
    notification({ operation, reference }: { operation: Operation; reference: string }) {
      return waitForEvent(
        emulator,
        (type, resource) =>
          RESULT_EVENTS[operation].includes(type) && isAbout(operation, reference, resource),
      );
    },
    approvalNotification(reference: string) {
      return waitForEvent(
        emulator,
        (type, resource) =>
          type === "CHECKOUT.ORDER.APPROVED" &&
          ((resource.purchase_units as Json[] | undefined) ?? []).some((unit) =>
            unit.custom_id === reference
          ),
      );
    },
    async forgeNotification(raw: RawNotification, how: "wrong_key" | "tampered" | "unsigned") {
      switch (how) {
        case "wrong_key":
          return { body: raw.body, headers: await emulator.signWebhook(raw.body, FORGER_WEBHOOK_ID) };
        case "tampered":
          return { headers: raw.headers, body: tamper(raw.body) };
        case "unsigned":
          return {
            body: raw.body,
            headers: Object.fromEntries(
              Object.entries(raw.headers).filter(([name]) => !name.toLowerCase().startsWith("paypal-")),
            ),
          };
      }
    },
    close: () => server.close(),
  });
}

/** Every amount of a PayPal answer (an order's purchase units and payments, or a resource's own). */
function rewriteAnswerAmount(body: string, amount: Money): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  let found = false;
  const replaced = { currency_code: amount.currency, value: formatAmount(amount) };
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== "object") return node;
    const out: Json = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === "amount" && value !== null && typeof value === "object" && "value" in value) {
        found = true;
        out[key] = replaced;
      } else {
        out[key] = visit(value);
      }
    }
    return out;
  };
  const rewritten = visit(json);
  return found ? JSON.stringify(rewritten) : undefined;
}

export const CONFORMANCE_TARGET = {
  createPlugin: () => createPayPalPlugin(),
  startEmulator,
  idempotencyHeader: "PayPal-Request-Id",
  keylessOperations: [TOKEN_OPERATION, VERIFY_OPERATION],
  rewriteAnswerAmount,
  // PayPal processes no three-decimal currency; JPY has none.
  currencies: ["EUR", "JPY", "USD"],
  offsite: {
    fail: { code: "payment_declined" },
    cancel: { kind: "failed" as const, code: "payment_canceled" },
    abandon: { kind: "waits" as const },
    resultBeforeReturn: false,
  },
};
