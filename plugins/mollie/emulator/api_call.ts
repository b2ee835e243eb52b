/**
 * The per-request pipeline of the emulator's API: who calls (a bearer test key of an account), and a POST
 * under Mollie's idempotency.
 * @module
 */
import type { Context } from "hono";
import {
  answerOnce,
  type Decision,
  idempotencyScope,
  readJsonObject,
  type StateTransaction,
} from "../../kit/emulator/mod.ts";
import type { Caller, EmulatorContext } from "./context.ts";
import { halResponse, mollieError } from "./errors.ts";

/** Mollie's test keys: `test_` and at least 30 letters and digits at Mollie; the emulator takes 8 or more. */
export const TEST_API_KEY = /^test_[A-Za-z0-9]{8,}$/;

export interface AccountEntry {
  readonly scope: string;
  readonly profileId: string;
}

/**
 * The caller of a request: `Authorization: Bearer <key>` with the key of one of the accounts. A live key, an
 * unknown key or none is not a caller (401), as the sandbox takes test keys only (contract section 9).
 */
export async function callerOf(
  c: Context,
  accounts: Promise<readonly AccountEntry[]>,
): Promise<Caller | undefined> {
  const match = /^Bearer (\S+)$/.exec(c.req.header("authorization") ?? "");
  if (match === null || !TEST_API_KEY.test(match[1])) return undefined;
  const scope = await idempotencyScope(match[1]);
  const account = (await accounts).find((candidate) => candidate.scope === scope);
  return account === undefined ? undefined : { account: scope, profileId: account.profileId };
}

export type Work = (
  context: EmulatorContext,
  caller: Caller,
  body: Record<string, unknown>,
  tx: StateTransaction,
) => Decision;

/**
 * A POST under Mollie's idempotency: with an Idempotency-Key, the first answer stored under it (per API key) is
 * the answer to every later request with that key, whatever its body, marked `Idempotent-Replayed: true`; a
 * key whose first request is still being processed is a 409. A refused request stores nothing.
 */
export async function idempotent(
  context: EmulatorContext,
  c: Context,
  caller: Caller,
  work: Work,
): Promise<Response> {
  const key = c.req.header("idempotency-key");
  const claim = key === undefined || key === ""
    ? undefined
    : context.keys.claim({ scope: caller.account, key: key.slice(0, 255) });
  if (claim?.kind === "replay") return halResponse(claim.answer, { "Idempotent-Replayed": "true" });
  if (claim !== undefined && claim.kind !== "new") {
    return halResponse(mollieError(409, "A request with this idempotency key is already being processed"));
  }
  const owned = claim?.owned;
  const body = await readJsonObject(c.req.raw, { maxBytes: 65_536 });
  if (!body.ok) {
    if (owned !== undefined) context.keys.release(owned);
    return halResponse(mollieError(400, "The request body is not a JSON object"));
  }
  const settled = await answerOnce(
    context.state,
    context.keys,
    owned,
    (tx) => work(context, caller, body.value, tx),
  );
  switch (settled.kind) {
    case "answered":
    case "rejected":
      return halResponse(settled.answer);
    case "replay":
      return halResponse(settled.answer, { "Idempotent-Replayed": "true" });
    case "in_progress":
    case "conflict":
      return halResponse(mollieError(409, "A request with this idempotency key is already being processed"));
  }
}
