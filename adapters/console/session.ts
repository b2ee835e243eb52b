/**
 * The console's sign-in: the operator token compared in constant time, wrong tokens rate limited per client,
 * and a signed session cookie bound to a hash of the token (changing OPERATOR_TOKEN ends every session).
 * @module
 */
import type { Context } from "hono";
import { deriveSessionSecret, type SessionJar, sessionJar } from "../web/session.ts";
import { timingSafeEqual } from "../crypto/constant_time.ts";
import { sha256Hex } from "../crypto/digest.ts";

export type ConsoleSession = { readonly operator: string; readonly tokenHash: string };
/** An action's outcome for the next page; `field` names the input it was about ("" for none). */
export type ConsoleFlash = { readonly tone: "ok" | "bad"; readonly text: string; readonly field: string };

/** The client's address from the connection (Deno's serve info); "local" for in-process requests. */
export function clientAddress(c: Context): string {
  const env = c.env as { remoteAddr?: { hostname?: string } } | undefined;
  return env?.remoteAddr?.hostname ?? "local";
}

const encoder = new TextEncoder();

export interface ConsoleAuth {
  readonly jar: SessionJar<ConsoleSession>;
  readonly flash: SessionJar<ConsoleFlash>;
  readonly tokenHash: string;
  /** Whether a submitted token is the operator token (both hashed first, so lengths never leak). */
  tokenMatches(submitted: string): Promise<boolean>;
  /** Counts a wrong token for a client; true when the client is over its limit. */
  refused(client: string): boolean;
  limited(client: string): boolean;
}

const WRONG_TOKENS_PER_MINUTE = 10;

export async function consoleAuth(options: {
  readonly masterKey: string;
  readonly operatorToken: string;
  readonly secure: boolean;
}): Promise<ConsoleAuth> {
  const tokenHash = await sha256Hex(options.operatorToken);
  const jar = sessionJar<ConsoleSession>({
    name: "console",
    secret: await deriveSessionSecret(options.masterKey, "console"),
    maxAgeSeconds: 8 * 3600,
    sameSite: "Strict",
    secure: options.secure,
  });
  const flash = sessionJar<ConsoleFlash>({
    name: "console_flash",
    secret: await deriveSessionSecret(options.masterKey, "console-flash"),
    maxAgeSeconds: 60,
    sameSite: "Strict",
    secure: options.secure,
  });
  const wrong = new Map<string, number[]>();
  const recent = (client: string) => {
    const since = Date.now() - 60_000;
    const times = (wrong.get(client) ?? []).filter((t) => t > since);
    // A client with no recent wrong token is forgotten, so the map holds only the last minute's clients.
    if (times.length === 0) wrong.delete(client);
    else wrong.set(client, times);
    return times;
  };
  return {
    jar,
    flash,
    tokenHash,
    async tokenMatches(submitted) {
      const a = encoder.encode(await sha256Hex(submitted));
      return timingSafeEqual(a, encoder.encode(tokenHash));
    },
    refused(client) {
      const times = [...recent(client), Date.now()];
      wrong.set(client, times);
      return times.length > WRONG_TOKENS_PER_MINUTE;
    },
    limited(client) {
      return recent(client).length >= WRONG_TOKENS_PER_MINUTE;
    },
  };
}
