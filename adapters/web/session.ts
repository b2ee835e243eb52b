/**
 * Browser sessions in signed cookies (Hono's cookie helper, HMAC-SHA256): what a page knows about its visitor
 * (a shop and extension for onboarding, the operator for the console), until when, and the CSRF token every
 * POST of the session must carry. Nothing secret is in a session; it is signed so it cannot be forged.
 * @module
 */
import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { timingSafeEqual } from "../crypto/constant_time.ts";

export interface SessionOptions {
  /** The cookie's name; `__Host-` is prefixed over https. */
  readonly name: string;
  /** HMAC key of the cookies (derived from MASTER_KEY by deriveSessionSecret). */
  readonly secret: string;
  readonly maxAgeSeconds: number;
  readonly sameSite: "Strict" | "Lax";
  /** Cookies are Secure when the gateway's public URL is https. */
  readonly secure: boolean;
  readonly path?: string;
  readonly now?: () => number;
}

/** What a session carries besides its expiry and CSRF token. */
export type SessionData = Readonly<Record<string, string>>;

export interface Session<T extends SessionData> {
  readonly data: T;
  readonly csrf: string;
  readonly expiresAt: number;
}

export interface SessionJar<T extends SessionData> {
  /** Starts a session (a fresh CSRF token) and sets its cookie. */
  start(c: Context, data: T): Promise<Session<T>>;
  /** The session of this request, or undefined (none, forged, expired). */
  read(c: Context): Promise<Session<T> | undefined>;
  /** Whether a submitted CSRF token is this session's. */
  csrfMatches(session: Session<T>, submitted: unknown): boolean;
  end(c: Context): void;
}

function cookieName(options: SessionOptions): string {
  return options.secure && (options.path ?? "/") === "/" ? `__Host-${options.name}` : options.name;
}

function randomToken(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(24)), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
}

export function sessionJar<T extends SessionData>(options: SessionOptions): SessionJar<T> {
  const now = options.now ?? Date.now;
  const name = cookieName(options);
  const cookie = {
    path: options.path ?? "/",
    httpOnly: true,
    secure: options.secure,
    sameSite: options.sameSite,
    maxAge: options.maxAgeSeconds,
  } as const;
  return {
    async start(c, data) {
      const session: Session<T> = {
        data,
        csrf: randomToken(),
        expiresAt: now() + options.maxAgeSeconds * 1000,
      };
      await setSignedCookie(c, name, JSON.stringify(session), options.secret, cookie);
      return session;
    },
    async read(c) {
      const value = await getSignedCookie(c, options.secret, name);
      if (typeof value !== "string") return undefined;
      try {
        const session = JSON.parse(value) as Session<T>;
        if (typeof session.csrf !== "string" || typeof session.expiresAt !== "number") return undefined;
        return session.expiresAt > now() ? session : undefined;
      } catch {
        return undefined;
      }
    },
    csrfMatches(session, submitted) {
      if (typeof submitted !== "string") return false;
      const a = new TextEncoder().encode(session.csrf);
      const b = new TextEncoder().encode(submitted);
      return a.length === b.length && timingSafeEqual(a, b);
    },
    end(c) {
      deleteCookie(c, name, { path: cookie.path, secure: options.secure });
    },
  };
}

/**
 * The HMAC key of the session cookies, derived from the sealing master key for one purpose, so that every
 * process of a deployment signs and checks the same cookies and no second secret has to be configured.
 */
export async function deriveSessionSecret(masterKeys: string, purpose: string): Promise<string> {
  const first = masterKeys.split(",")[0].trim();
  const raw = Uint8Array.from(atob(first), (char) => char.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  raw.fill(0);
  const mac = new Uint8Array(
    await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`session|${purpose}`)),
  );
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}
