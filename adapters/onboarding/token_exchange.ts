/**
 * The OAuth code exchange with Genstore: `POST {GENSTORE_API_BASE}/oauth2/token` (contract section 9).
 * @module
 */
import { OAUTH_TOKEN_PATH, TOKEN_ANSWER, tokenRequestBody } from "../genstore/onboarding_wire.ts";
import { genstoreBase } from "../genstore/wire.ts";
import type { OnboardingDeps } from "./deps.ts";

export type TokenExchange =
  | { readonly ok: true; readonly accessToken: string; readonly scope?: string }
  /** Genstore answered, and not with a token (a used or foreign code): the install must start again. */
  | { readonly ok: false; readonly kind: "refused"; readonly status: number }
  /** No usable answer (network, timeout, not JSON): Genstore may be down. */
  | { readonly ok: false; readonly kind: "unreachable" };

const TIMEOUT_MS = 10_000;

export async function exchangeCode(deps: OnboardingDeps, shop: string, code: string): Promise<TokenExchange> {
  const send = deps.fetch ?? fetch;
  let response: Response;
  try {
    response = await send(`${genstoreBase(deps.apiBase, shop)}${OAUTH_TOKEN_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(tokenRequestBody(deps.clientId, deps.clientSecret, code)),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: "error",
    });
  } catch {
    return { ok: false, kind: "unreachable" };
  }
  const text = await response.text().catch(() => undefined);
  if (response.status >= 500) return { ok: false, kind: "unreachable" };
  if (!response.ok) return { ok: false, kind: "refused", status: response.status };
  let json: unknown;
  try {
    json = JSON.parse(text ?? "");
  } catch {
    return { ok: false, kind: "unreachable" };
  }
  const parsed = TOKEN_ANSWER.safeParse(json);
  if (!parsed.success) return { ok: false, kind: "unreachable" };
  return { ok: true, accessToken: parsed.data.accessToken, scope: parsed.data.scope };
}
