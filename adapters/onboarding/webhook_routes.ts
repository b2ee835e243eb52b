/**
 * `POST /webhooks/genstore` (contract section 9): verified on the raw body with the client secret, then
 * handled once per delivery. The delivery row, the effect and its audit entries commit together, so a
 * repeated delivery (same delivery id, or same topic and body) finds the row and gets the first answer,
 * changing nothing. Nothing here calls out: the answer comes within Genstore's 5 s.
 * @module
 */
import type { Context, Hono } from "hono";
import {
  CUSTOMER_REQUEST,
  namedPayments,
  ONBOARDING_ROUTES,
  TOPIC_HEADER,
  WEBHOOK_ID_HEADER,
  WEBHOOK_TOPICS,
  webhookAnswer,
} from "../genstore/onboarding_wire.ts";
import { sha256Hex } from "../crypto/digest.ts";
import { verifyBodySignature } from "../genstore/signature.ts";
import { SHOP_DOMAIN_HEADER, shopFromDomain, SIGNATURE_HEADER } from "../genstore/wire.ts";
import { invalidRequest, invalidSignature } from "../http/errors.ts";
import type { SqlExecutor } from "../store/sql_client.ts";
import { appendAuditWithin } from "../store/sql_shop_store.ts";
import type { OnboardingDeps } from "./deps.ts";
import { buyerDataHeld, redactBuyerData } from "./gdpr.ts";

/** Why an uninstalled shop's pending callbacks are dead letters. */
export const UNINSTALLED_REASON =
  "app_uninstalled: the shop uninstalled the app, so there is no access token to send this callback with";

const DELIVERY_ID = /^[\x21-\x7e]{1,128}$/;

export function registerWebhookRoutes(app: Hono, deps: OnboardingDeps): void {
  app.post(ONBOARDING_ROUTES.webhooks, (c) => receive(c, deps));
}

async function digest(text: string): Promise<string> {
  return `sha256:${await sha256Hex(text)}`;
}

interface Delivery {
  readonly shop: string;
  readonly topic: string;
  readonly id: string;
  readonly body: string;
}

async function receive(c: Context, deps: OnboardingDeps): Promise<Response> {
  const raw = new Uint8Array(await c.req.arrayBuffer());
  if (!await verifyBodySignature(deps.clientSecret, raw, c.req.header(SIGNATURE_HEADER))) {
    return invalidSignature(c);
  }
  const topic = c.req.header(TOPIC_HEADER)?.trim() ?? "";
  if (!/^[a-z_]+\/[a-z_]+$/.test(topic)) {
    return invalidRequest(c, [{ path: TOPIC_HEADER, message: "The topic header is missing or malformed" }]);
  }
  const shop = shopFromDomain(c.req.header(SHOP_DOMAIN_HEADER), deps.shopDomain);
  if (shop === undefined) {
    return invalidRequest(c, [{
      path: SHOP_DOMAIN_HEADER,
      message: `The shop domain must be {shop}.${deps.shopDomain}`,
    }]);
  }
  let body: string;
  try {
    body = new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    return invalidRequest(c, [{ path: "(body)", message: "The body must be UTF-8" }]);
  }
  const given = c.req.header(WEBHOOK_ID_HEADER)?.trim();
  const id = given !== undefined && DELIVERY_ID.test(given)
    ? `id:${given}`
    : await digest(`${topic}\n${body}`);
  const delivery: Delivery = { shop, topic, id, body };
  const parsedBody = parseBody(delivery);
  if (parsedBody === "invalid") {
    return invalidRequest(c, [{ path: "(body)", message: "The body is not this topic's JSON object" }]);
  }
  const answer = await deps.db.transaction(async (tx) => {
    const fresh = await tx.query(
      `INSERT INTO genstore_webhooks (shop, delivery, topic, answer) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (shop, delivery) DO NOTHING RETURNING delivery`,
      [shop, id, topic, JSON.stringify(webhookAnswer(topic, isKnown(topic)))],
    );
    if (fresh.length === 0) {
      const [row] = await tx.query("SELECT answer FROM genstore_webhooks WHERE shop = $1 AND delivery = $2", [
        shop,
        id,
      ]);
      return typeof row.answer === "string" ? JSON.parse(row.answer) : row.answer;
    }
    await handle(tx, deps, delivery, parsedBody);
    return webhookAnswer(topic, isKnown(topic));
  });
  if (topic === WEBHOOK_TOPICS.uninstalled) deps.shops.forget(shop);
  return c.json(answer, 200);
}

function isKnown(topic: string): boolean {
  return (Object.values(WEBHOOK_TOPICS) as string[]).includes(topic);
}

type CustomerBody = ReturnType<typeof CUSTOMER_REQUEST.parse>;

/** The customer topics need their body; the others are handled whatever they carry. */
function parseBody(delivery: Delivery): CustomerBody | undefined | "invalid" {
  if (delivery.topic !== WEBHOOK_TOPICS.dataRequest && delivery.topic !== WEBHOOK_TOPICS.customerRedact) {
    return undefined;
  }
  try {
    const parsed = CUSTOMER_REQUEST.safeParse(JSON.parse(delivery.body));
    return parsed.success ? parsed.data : "invalid";
  } catch {
    return "invalid";
  }
}

async function handle(
  tx: SqlExecutor,
  deps: OnboardingDeps,
  delivery: Delivery,
  body: CustomerBody | undefined,
): Promise<void> {
  const { shop, topic } = delivery;
  const audit = (kind: string, payload: Record<string, unknown>) =>
    appendAuditWithin(tx, {
      shop,
      kind,
      subject: `webhook/${topic}`,
      payload: { delivery: delivery.id, ...payload },
    });
  switch (topic) {
    case WEBHOOK_TOPICS.uninstalled: {
      const result = await deps.shops.uninstallWithin(tx, shop, UNINSTALLED_REASON);
      await audit("webhook.received", { ...result });
      deps.gateway.logger.info("onboarding.uninstalled", { shop, ...result });
      return;
    }
    case WEBHOOK_TOPICS.dataRequest: {
      const held = await buyerDataHeld(tx, shop, namedPayments(body!));
      // Which payments hold which kinds of data, never the data: an operator exports it from there.
      await audit("gdpr.data_request", {
        customer: body!.customer?.id,
        dataRequest: body!.dataRequest?.id,
        payments: held,
      });
      return;
    }
    case WEBHOOK_TOPICS.customerRedact: {
      const report = await redactBuyerData(tx, shop, namedPayments(body!));
      await audit("gdpr.customer_redacted", { customer: body!.customer?.id, ...report });
      return;
    }
    case WEBHOOK_TOPICS.shopRedact: {
      const report = await redactBuyerData(tx, shop, undefined);
      await audit("gdpr.shop_redacted", { ...report });
      return;
    }
    default:
      await audit("webhook.ignored", {});
  }
}
