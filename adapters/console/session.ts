/**
 * The console's sign-in: the operator token compared in constant time, wrong tokens rate limited per client,
 * and a signed session cookie bound to a hash of the token (changing OPERATOR_TOKEN ends every session).
 * @module
 */
import { deriveSessionSecret, type SessionJar, sessionJar } from "../web/session.ts";
import { timingSafeEqual } from "../crypto/constant_time.ts";

export type ConsoleSession = { readonly operator: string; readonly tokenHash: string };

const encoder = new TextEncoder();

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

export interface ConsoleAuth {
  readonly jar: SessionJar<ConsoleSession>;
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
  const wrong = new Map<string, number[]>();
  const recent = (client: string) => {
    const since = Date.now() - 60_000;
    const times = (wrong.get(client) ?? []).filter((t) => t > since);
    wrong.set(client, times);
    return times;
  };
  return {
    jar,
    tokenHash,
    async tokenMatches(submitted) {
      const a = encoder.encode(await sha256Hex(submitted));
      return timingSafeEqual(a, encoder.encode(tokenHash));
    },
    refused(client) {
      const times = recent(client);
      times.push(Date.now());
      return times.length > WRONG_TOKENS_PER_MINUTE;
    },
    limited(client) {
      return recent(client).length >= WRONG_TOKENS_PER_MINUTE;
    },
  };
}
