/**
 * A shop's Skeleton Pay credentials, one schema per mode, and where the API lives. The core validates the
 * credentials with these schemas before it stores them and before every call; issues name fields, never
 * values.
 * @module
 */
import { z } from "zod";

// TODO(skeleton-pay): your PSP's base URLs (they must match the manifest's hosts).
export const LIVE_BASE_URL = "https://api.skeleton-pay.example/v1";
export const TEST_BASE_URL = "https://sandbox.skeleton-pay.example/v1";

// TODO(skeleton-pay): your PSP's credential fields per mode. Keep a shape check that tells a live key from a
// test key when the PSP's keys show it, so a shop cannot store one in place of the other.
const webhookSecret = z.string().min(16, "must be at least 16 characters");

export const liveCredentialsSchema = z.object({
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey: z.string().regex(/^live_[A-Za-z0-9_]{8,}$/, "must be a live key (live_...)"),
  /** Signs the PSP's notifications (HMAC-SHA256). */
  webhookSecret,
});

export const testCredentialsSchema = z.object({
  apiKey: z.string().regex(/^test_[A-Za-z0-9_]{8,}$/, "must be a test key (test_...)"),
  webhookSecret,
  /**
   * Another test base URL, such as the emulator's `http://127.0.0.1:8790/v1` in dev mode. Test mode only: a
   * live call always goes to the live URL, and the gateway's host guard refuses any host the manifest does
   * not declare for the mode anyway.
   */
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
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

/** The notification secret of either mode's credentials (a notification does not say its mode). */
export function webhookSecretOf(raw: Readonly<Record<string, unknown>>): string | undefined {
  const test = testCredentialsSchema.safeParse(raw);
  if (test.success) return test.data.webhookSecret;
  const live = liveCredentialsSchema.safeParse(raw);
  return live.success ? live.data.webhookSecret : undefined;
}
