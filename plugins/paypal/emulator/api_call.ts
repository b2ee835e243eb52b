/**
 * What every REST call goes through: the bearer token, the JSON body, the `Prefer` header, and PayPal's
 * idempotency (developer.paypal.com/api/rest/reference/idempotency): a POST with a `PayPal-Request-Id` the app
 * used before gets "the latest status of the previous request that used that same header", whatever its body,
 * so a replay renders the resource as it is now, with the first answer's status (200 for a replayed order
 * creation, as Orders v2 documents). Refusals (4xx) are not stored: the id stays usable. Two requests with one
 * id at once: the second gets 409 PREVIOUS_REQUEST_IN_PROGRESS.
 * @module
 */
import {
  answerOnce,
  type EmulatorState,
  type IdempotencyStore,
  jsonAnswer,
  type OwnedKey,
  readText,
  type StateTransaction,
  type StateView,
} from "../../kit/emulator/mod.ts";
import type { AppBook, PayPalEmulatorApp } from "./accounts.ts";
import {
  errorAnswer,
  type ErrorFamily,
  invalid,
  type PayPalError,
  paypalError,
  unauthenticated,
} from "./errors.ts";
import {
  type AuthorizationRecord,
  AUTHORIZATIONS,
  type CaptureRecord,
  CAPTURES,
  type OrderRecord,
  ORDERS,
  type RefundRecord,
  REFUNDS,
} from "./records.ts";
import {
  minimal,
  renderAuthorization,
  renderCapture,
  renderOrder,
  renderRefund,
  type Representation,
} from "./render.ts";

type Json = Record<string, unknown>;

export interface ResourceRef {
  readonly table: typeof ORDERS | typeof AUTHORIZATIONS | typeof CAPTURES | typeof REFUNDS;
  readonly id: string;
}

/** What a handler decided about one request. */
export type Outcome =
  /** Not stored under the request id; nothing the handler wrote is kept. */
  | { readonly kind: "rejected"; readonly error: PayPalError }
  /**
   * Stored under the request id as a reference to the resource, which is rendered as it is when answered
   * (and again at each replay). `replayStatus`: the status of a replay, when PayPal documents another one.
   * `emptyWhenMinimal`: a minimal answer is 204 No Content (a void).
   */
  | {
    readonly kind: "answered";
    readonly status: number;
    readonly ref: ResourceRef;
    readonly replayStatus?: number;
    readonly emptyWhenMinimal?: boolean;
  };

export type Handler = (
  app: PayPalEmulatorApp,
  body: Json,
  tx: StateTransaction,
) => Outcome | Promise<Outcome>;

interface StoredReference {
  readonly ref: ResourceRef;
  readonly shape: Representation;
  readonly emptyWhenMinimal?: boolean;
}

/** Orders v2 documents PayPal-Request-Id as 1 to 108 characters. */
export const MAX_REQUEST_ID_LENGTH = 108;

const MAX_BODY_BYTES = 262_144;

export interface ApiDeps {
  readonly state: EmulatorState;
  readonly keys: IdempotencyStore;
  readonly apps: AppBook;
  readonly publicUrl: string;
}

function shapeOf(request: Request): Representation {
  return /return=representation/i.test(request.headers.get("prefer") ?? "") ? "representation" : "minimal";
}

/** Serves one POST with `handler`. */
export async function servePost(
  deps: ApiDeps,
  request: Request,
  family: ErrorFamily,
  handler: Handler,
): Promise<Response> {
  const app = deps.apps.caller(request);
  if (app === undefined) return errorAnswer(unauthenticated());
  const requestId = request.headers.get("paypal-request-id") ?? undefined;
  if (requestId !== undefined && (requestId === "" || requestId.length > MAX_REQUEST_ID_LENGTH)) {
    return errorAnswer(
      paypalError(400, family, [{
        issue: "INVALID_STRING_LENGTH",
        field: "PayPal-Request-Id",
        location: "header",
      }]),
    );
  }
  const text = await readText(request, { maxBytes: MAX_BODY_BYTES });
  const body = text.ok ? parseBody(text.value) : undefined;
  if (body === undefined) return errorAnswer(invalid(family, "MALFORMED_REQUEST_JSON"));
  const shape = shapeOf(request);
  let owned: OwnedKey | undefined;
  if (requestId !== undefined) {
    const claim = deps.keys.claim({ scope: app.clientId, key: requestId });
    if (claim.kind === "replay") {
      return replay(deps, claim.answer.status, claim.answer.body as StoredReference);
    }
    if (claim.kind !== "new") return errorAnswer(inProgress());
    owned = claim.owned;
  }
  const settled = await answerOnce(deps.state, deps.keys, owned, async (tx) => {
    const outcome = await handler(app, body, tx);
    if (outcome.kind === "rejected") {
      return { kind: "reject", answer: { status: outcome.error.status, body: outcome.error.body } };
    }
    const stored: StoredReference = { ref: outcome.ref, shape, emptyWhenMinimal: outcome.emptyWhenMinimal };
    return {
      kind: "answer",
      answer: { status: outcome.replayStatus ?? outcome.status, body: stored },
      extra: outcome.status,
    };
  });
  switch (settled.kind) {
    case "rejected":
      return jsonAnswer(settled.answer.status, settled.answer.body);
    case "replay":
      return replay(deps, settled.answer.status, settled.answer.body as StoredReference);
    case "in_progress":
    case "conflict":
      return errorAnswer(inProgress());
    case "answered":
      return render(deps, settled.extra ?? settled.answer.status, settled.answer.body as StoredReference);
  }
}

/** Serves one GET of a resource of the caller's app. */
export function serveGet(
  deps: ApiDeps,
  request: Request,
  find: (app: PayPalEmulatorApp, view: StateView) => ResourceRef | PayPalError,
): Response {
  const app = deps.apps.caller(request);
  if (app === undefined) return errorAnswer(unauthenticated());
  const found = deps.state.read((view) => find(app, view));
  if ("status" in found) return errorAnswer(found);
  return render(deps, 200, { ref: found, shape: "representation" });
}

function parseBody(text: string): Json | undefined {
  if (text.trim() === "") return {};
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value as Json : undefined;
  } catch {
    return undefined;
  }
}

function inProgress(): PayPalError {
  return paypalError(409, "payments", [{ issue: "PREVIOUS_REQUEST_IN_PROGRESS" }]);
}

function replay(deps: ApiDeps, status: number, stored: StoredReference): Response {
  return render(deps, status, stored);
}

function render(deps: ApiDeps, status: number, stored: StoredReference): Response {
  if (stored.emptyWhenMinimal === true && stored.shape === "minimal") {
    return new Response(null, { status: 204 });
  }
  const body = deps.state.read((view) => renderResource(view, deps.publicUrl, stored));
  if (body === undefined) return errorAnswer(paypalError(500, "orders"));
  return jsonAnswer(stored.emptyWhenMinimal === true ? 200 : status, body);
}

function renderResource(view: StateView, publicUrl: string, stored: StoredReference): Json | undefined {
  const { ref, shape } = stored;
  let full: Json | undefined;
  switch (ref.table) {
    case ORDERS: {
      const order = view.get<OrderRecord>(ORDERS, ref.id);
      return order === undefined ? undefined : renderOrder(view, order, publicUrl, shape);
    }
    case AUTHORIZATIONS: {
      const auth = view.get<AuthorizationRecord>(AUTHORIZATIONS, ref.id);
      full = auth === undefined ? undefined : renderAuthorization(auth, publicUrl, true);
      break;
    }
    case CAPTURES: {
      const capture = view.get<CaptureRecord>(CAPTURES, ref.id);
      full = capture === undefined ? undefined : renderCapture(capture, publicUrl, true);
      break;
    }
    case REFUNDS: {
      const refund = view.get<RefundRecord>(REFUNDS, ref.id);
      full = refund === undefined ? undefined : renderRefund(refund, publicUrl);
      break;
    }
  }
  return full === undefined || shape === "representation" ? full : minimal(full);
}
