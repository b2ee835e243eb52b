/**
 * A shop's Np Gbd5rszjn5 credentials, one schema per mode, and where the API lives. The core validates the
 * credentials with these schemas before it stores them and before every call; issues name fields, never
 * values. Each field's `meta` tells the account-authorization page how to show it (`secret` fields are never
 * shown again once stored).
 * @module
 */
import { z } from "zod";

// TODO(np-gbd5rszjn5): your PSP's base URLs (they must match the manifest's hosts).
export const LIVE_BASE_URL = "https://api.np-gbd5rszjn5.example/v1";
export const TEST_BASE_URL = "https://sandbox.np-gbd5rszjn5.example/v1";

// TODO(np-gbd5rszjn5): your PSP's credential fields per mode. Keep a shape check that tells a live key from a
// test key when the PSP's keys show it, so a shop cannot store one in place of the other.
const webhookSecret = z.string().min(16, "must be at least 16 characters").meta({
  label: "Webhook signing secret",
  secret: true,
  help: "Signs Np Gbd5rszjn5's notifications (HMAC-SHA256).",
});

export const liveCredentialsSchema = z.object({
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey: z.string().regex(/^live_[A-Za-z0-9_]{8,}$/, "must be a live key (live_...)").meta({
    label: "Live API key",
    secret: true,
  }),
  webhookSecret,
});

export const testCredentialsSchema = z.object({
  apiKey: z.string().regex(/^test_[A-Za-z0-9_]{8,}$/, "must be a test key (test_...)").meta({
    label: "Test API key",
    secret: true,
  }),
  webhookSecret,
  /**
   * Another test base URL, such as the sandbox's `http://127.0.0.1:8090/np-gbd5rszjn5/v1` in dev mode. Test
   * mode only: a live call always goes to the live URL, and the gateway's host guard refuses any host the
   * manifest does not declare for the mode anyway.
   */
  baseUrl: z.url({ protocol: /^https?$/ }).optional().meta({
    label: "API base URL (test only)",
    help: "Leave empty for Np Gbd5rszjn5's sandbox.",
  }),
});

export type LiveCredentials = z.infer<typeof liveCredentialsSchema>;
export type TestCredentials = z.infer<typeof testCredentialsSchema>;

/** What a call needs to reach the API. */
export interface Endpoint {
  readonly apiKey: string;
  readonly baseUrl: string;
}

/** The endpoint for the call's mode, or undefined when the credentials do not fit that mode's schema. */
export function endpointFor(raw: Readonly<Record<string, unknown>>, test: boolean): Endpoint | undefined {
  if (test) {
    const parsed = testCredentialsSchema.safeParse(raw);
    if (!parsed.success) return undefined;
    return {
      apiKey: parsed.data.apiKey,
      baseUrl: (parsed.data.baseUrl ?? TEST_BASE_URL).replace(/\/+$/, ""),
    };
  }
  const parsed = liveCredentialsSchema.safeParse(raw);
  return parsed.success ? { apiKey: parsed.data.apiKey, baseUrl: LIVE_BASE_URL } : undefined;
}

/** The notification secret of the mode's credentials. */
export function webhookSecretOf(raw: Readonly<Record<string, unknown>>, test: boolean): string | undefined {
  const parsed = (test ? testCredentialsSchema : liveCredentialsSchema).safeParse(raw);
  return parsed.success ? parsed.data.webhookSecret : undefined;
}
