/**
 * The routes Genstore calls (contract section 4): `POST /v1/ext/{extension}/{payments|captures|voids|refunds}`
 * and the status queries `GET /v1/ext/{extension}/{route}/{id}`.
 * @module
 */
import type { Context, Hono } from "hono";
import {
  describeOperation,
  type ExtensionBinding,
  type GatewayDeps,
  modifyPayment,
  type OperationKind,
  parseAmount,
  type RequestOutcome,
  startPayment,
} from "../../src/mod.ts";
import { readEncryptedCard } from "../crypto/ecies_decryptor.ts";
import { verifyBodySignature, verifyQuerySignature } from "../genstore/signature.ts";
import {
  DEFAULT_SHOP_DOMAIN,
  isOperationId,
  isTrueFlag,
  OPERATION_WIRE,
  type PaymentRequestBody,
  renderAnswer,
  renderDescription,
  REPLAYED_HEADER,
  SHOP_DOMAIN_HEADER,
  shopFromDomain,
  SIGNATURE_HEADER,
} from "../genstore/wire.ts";
import {
  idempotencyConflict,
  invalidRequest,
  invalidSignature,
  notFound,
  requestInProgress,
  shopNotAuthorized,
  zodIssues,
} from "./errors.ts";
import { fingerprint } from "./fingerprint.ts";

export interface GenstoreRouteDeps {
  readonly gateway: GatewayDeps;
  /** GENSTORE_CLIENT_SECRET: signs every request Genstore sends. */
  readonly clientSecret: string;
  /** Extensions this deployment serves (`card`, `wallet`, `bank`, ...). */
  readonly extensions: ReadonlySet<string>;
  /** Shops are `{handle}.{shopDomain}` (GENSTORE_SHOP_DOMAIN); no other domain names a shop. */
  readonly shopDomain?: string;
}

const KINDS: readonly OperationKind[] = ["payment", "capture", "void", "refund"];

/** Genstore's bodies are a few levels deep; far deeper nesting is refused before anything walks it. */
const MAX_NESTING = 32;

/** The nesting depth of a parsed JSON value, computed without recursion (a hostile body could be deep). */
function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== "object") continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_NESTING) return deepest;
    for (const child of Object.values(current as Record<string, unknown>)) stack.push([child, depth + 1]);
  }
  return deepest;
}

export function registerGenstoreRoutes(app: Hono, deps: GenstoreRouteDeps): void {
  for (const kind of KINDS) {
    const route = OPERATION_WIRE[kind].route;
    app.post(`/v1/ext/:extension/${route}`, (c) => handleOperation(c, deps, kind));
    app.get(`/v1/ext/:extension/${route}/:id`, (c) => handleQuery(c, deps, kind));
  }
}

/**
 * The extension of the path, then the shop's binding of it: an unknown extension or a missing shop domain is
 * malformed (400); an unknown shop, or an extension the shop has not bound, is 403.
 */
async function resolveBinding(
  c: Context,
  deps: GenstoreRouteDeps,
  domain: string | undefined,
): Promise<ExtensionBinding | Response> {
  const extension = c.req.param("extension")!;
  if (!deps.extensions.has(extension)) {
    return invalidRequest(c, [{ path: "extension", message: "Unknown extension" }]);
  }
  if (domain === undefined) {
    return invalidRequest(c, [{ path: SHOP_DOMAIN_HEADER, message: "The shop domain header is required" }]);
  }
  const shop = shopFromDomain(domain, deps.shopDomain);
  if (shop === undefined) {
    return invalidRequest(c, [{
      path: SHOP_DOMAIN_HEADER,
      message: `The shop domain must be {shop}.${deps.shopDomain ?? DEFAULT_SHOP_DOMAIN}`,
    }]);
  }
  const binding = await deps.gateway.shops.findBinding(shop, extension);
  return binding ?? shopNotAuthorized(c);
}

/** Authentication, then the shop, then the body: each failure answers before anything is stored. */
async function handleOperation(c: Context, deps: GenstoreRouteDeps, kind: OperationKind): Promise<Response> {
  const raw = new Uint8Array(await c.req.arrayBuffer());
  if (!await verifyBodySignature(deps.clientSecret, raw, c.req.header(SIGNATURE_HEADER))) {
    return invalidSignature(c);
  }
  const resolved = await resolveBinding(c, deps, c.req.header(SHOP_DOMAIN_HEADER));
  if (resolved instanceof Response) return resolved;
  const binding = resolved;
  const extension = binding.extension;
  c.set("shop", binding.shop);

  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
  } catch {
    return invalidRequest(c, [{ path: "(body)", message: "The body must be UTF-8 JSON" }]);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    return invalidRequest(c, [{ path: "(body)", message: "The body must be a JSON object" }]);
  }
  if (nestingDepth(json) > MAX_NESTING) {
    return invalidRequest(c, [{
      path: "(body)",
      message: `The body is nested deeper than ${MAX_NESTING} levels`,
    }]);
  }
  const parsed = OPERATION_WIRE[kind].schema.safeParse(json);
  if (!parsed.success) return invalidRequest(c, zodIssues(parsed.error));
  const body = parsed.data as Record<string, unknown>;
  const print = await fingerprint(`${extension}/${kind}`, json);
  c.set("operationId", String(body[OPERATION_WIRE[kind].idField]));

  const outcome = kind === "payment"
    ? await paymentOutcome(c, deps, binding, body as PaymentRequestBody, print)
    : await modifyPayment(deps.gateway, {
      binding,
      kind,
      operationId: String(body[OPERATION_WIRE[kind].idField]),
      paymentId: String(body.paymentId),
      amountText: typeof body.amount === "string" ? body.amount : undefined,
      test: isTrueFlag(body.test),
      fingerprint: print,
    });
  return respond(c, kind, outcome);
}

async function paymentOutcome(
  c: Context,
  deps: GenstoreRouteDeps,
  binding: ExtensionBinding,
  body: PaymentRequestBody,
  print: string,
): Promise<RequestOutcome | Response> {
  const amount = parseAmount(body.amount, body.currency);
  if (!amount.ok) {
    const path = amount.error.kind === "unknown_currency" ? "currency" : "amount";
    return invalidRequest(c, [{ path, message: amount.error.message }]);
  }
  const data = body.paymentMethod.data as Record<string, unknown>;
  const offsite = deps.gateway.plugins.get(binding.plugin)?.manifest.capabilities.redirect === true;
  if (offsite && body.paymentMethod.data.returnUrl === undefined) {
    return invalidRequest(c, [{
      path: "paymentMethod.data.returnUrl",
      message: "An offsite payment needs the URL the buyer returns to",
    }]);
  }
  // An offsite method takes no card: card fields sent anyway are neither decrypted nor kept.
  const card = offsite ? undefined : readEncryptedCard(data);
  const cardToken = offsite ? undefined : body.paymentMethod.data.cardToken;
  if (card !== undefined && cardToken !== undefined) {
    return invalidRequest(c, [{
      path: "paymentMethod.data.cardToken",
      message: "Send either the encrypted card or a cardToken, not both",
    }]);
  }
  if (!offsite && card === undefined && cardToken === undefined) {
    return invalidRequest(c, [{
      path: "paymentMethod.data",
      message: "A card payment needs cipherText, iv, ephemeralPublicKey, suit and salt, or a cardToken",
    }]);
  }
  return await startPayment(deps.gateway, {
    binding,
    paymentId: body.paymentId,
    amount: amount.value,
    test: isTrueFlag(body.test),
    captureMode: isTrueFlag(body.manualCapture) ? "authorize" : "sale",
    card,
    genstoreReturnUrl: body.paymentMethod.data.returnUrl,
    shopper: {
      ipAddress: body.clientDetails?.ipAddress,
      userAgent: body.clientDetails?.userAgent,
      acceptLanguage: body.clientDetails?.acceptLanguage,
      email: body.customer?.email,
    },
    description: body.purchaseInfo?.description,
    storeCard: isTrueFlag(body.paymentMethod.data.storeCard),
    cardToken: cardToken === undefined
      ? undefined
      : { token: cardToken, initiator: body.paymentMethod.data.initiator ?? "customer" },
    fingerprint: print,
  });
}

function respond(c: Context, kind: OperationKind, outcome: RequestOutcome | Response): Response {
  if (outcome instanceof Response) return outcome;
  switch (outcome.kind) {
    case "answered":
      if (outcome.replayed) c.header(REPLAYED_HEADER, "true");
      return c.json(renderAnswer(kind, outcome.answer), 200);
    case "conflict":
      return idempotencyConflict(c);
    case "in_progress":
      return requestInProgress(c);
    case "invalid":
      return invalidRequest(c, outcome.issues);
  }
}

async function handleQuery(c: Context, deps: GenstoreRouteDeps, kind: OperationKind): Promise<Response> {
  const url = new URL(c.req.url);
  const check = await verifyQuerySignature(
    deps.clientSecret,
    url.search.slice(1),
    Math.floor(deps.gateway.clock.now() / 1000),
  );
  if (!check.ok) return invalidSignature(c);
  // Queries may name the shop in the header or, like browser launches, in the `shop` parameter. The parameter
  // is signed and the header is not: the parameter wins, and a header naming another shop is a forgery.
  const signedShop = c.req.query("shop");
  const header = c.req.header(SHOP_DOMAIN_HEADER);
  if (
    signedShop !== undefined && header !== undefined &&
    header.trim().toLowerCase() !== signedShop.toLowerCase()
  ) {
    return invalidSignature(c);
  }
  const binding = await resolveBinding(c, deps, signedShop ?? header);
  if (binding instanceof Response) return binding;
  const extension = binding.extension;
  const id = c.req.param("id")!;
  // An id that no request could have used cannot exist; it is not looked up.
  if (!isOperationId(id)) return notFound(c);
  const description = await describeOperation(
    deps.gateway,
    { shop: binding.shop, kind, operationId: id },
    extension,
  );
  if (description === undefined) return notFound(c);
  return c.json(renderDescription(kind, description), 200);
}
