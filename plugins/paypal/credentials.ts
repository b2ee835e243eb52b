/**
 * A shop's PayPal REST app credentials for one mode, and where PayPal's API lives for that mode.
 * @module
 */
import { z } from "zod";

export const PAYPAL_LIVE_BASE_URL = "https://api-m.paypal.com";
export const PAYPAL_SANDBOX_BASE_URL = "https://api-m.sandbox.paypal.com";

const clientId = z.string().trim().min(1).max(256).meta({
  label: "Client ID",
  help: "The client ID of your PayPal REST app (PayPal Developer Dashboard, Apps & Credentials).",
});
const clientSecret = z.string().min(1).max(256).meta({
  label: "Secret",
  secret: true,
  help: "The secret of the same REST app.",
});
// PayPal's webhook ids are upper-case letters and digits (Webhooks Management API, `webhook.id`).
const webhookId = z.string().trim().regex(/^[A-Za-z0-9]{1,50}$/, "must be PayPal's webhook ID").meta({
  label: "Webhook ID",
  help: "The ID of the app's webhook that points at {APP_URL}/v1/notifications/paypal.",
});

export const paypalLiveCredentialsSchema = z.object({ clientId, clientSecret, webhookId });

/** Test mode may point at another sandbox (the bundled emulator); live mode always talks to PayPal's host. */
export const paypalTestCredentialsSchema = z.object({
  clientId,
  clientSecret,
  webhookId,
  baseUrl: z.url({ protocol: /^https?$/ }).optional().meta({
    label: "API base URL",
    help: "Leave empty for PayPal's sandbox (https://api-m.sandbox.paypal.com).",
  }),
});

export type PayPalCredentials = z.infer<typeof paypalTestCredentialsSchema>;

/** The credentials, or undefined when they do not match the mode's schema (the core validates beforehand). */
export function readCredentials(
  raw: Readonly<Record<string, unknown>>,
  test: boolean,
): PayPalCredentials | undefined {
  const parsed = (test ? paypalTestCredentialsSchema : paypalLiveCredentialsSchema).safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** The API base URL for a mode, without a trailing slash. */
export function apiBaseUrl(credentials: PayPalCredentials, test: boolean): string {
  if (!test) return PAYPAL_LIVE_BASE_URL;
  return (credentials.baseUrl ?? PAYPAL_SANDBOX_BASE_URL).replace(/\/+$/, "");
}
