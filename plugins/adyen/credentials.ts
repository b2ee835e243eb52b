/**
 * A shop's Adyen credentials for one mode, and where its Checkout API lives.
 * @module
 */
import { z } from "zod";

export const ADYEN_TEST_BASE_URL = "https://checkout-test.adyen.com/v71";

export const adyenCredentialsSchema = z.object({
  /** The API key of the web service user (X-API-Key). */
  apiKey: z.string().min(1).meta({
    label: "API key",
    secret: true,
    help: "The API key of your web service user (Customer Area: Developers, API credentials).",
  }),
  merchantAccount: z.string().min(1).meta({
    label: "Merchant account",
    help: "The merchant account that receives the payments, e.g. YourShopECOM.",
  }),
  /** The HMAC key of the webhook endpoint, hex-encoded as the Customer Area shows it. */
  hmacKeyHex: z.string().regex(/^(?:[0-9a-fA-F]{2})+$/, "must be an even-length hexadecimal string").meta({
    label: "Webhook HMAC key",
    secret: true,
    help:
      "The HMAC key of your standard webhook, in hexadecimal: it proves Adyen's notifications are Adyen's.",
  }),
  /** The Checkout base URL including the version, e.g. https://checkout-test.adyen.com/v71. */
  baseUrl: z.url({ protocol: /^https?$/ }).optional().meta({
    label: "Checkout API URL",
    help: "Optional. Leave empty for Adyen's own: https://checkout-test.adyen.com/v71 in test mode.",
  }),
  /** For live mode without baseUrl: the prefix of https://{prefix}-checkout-live.adyenpayments.com. */
  liveUrlPrefix: z.string().regex(/^[A-Za-z0-9-]+$/, "must be letters, digits and hyphens").optional().meta({
    label: "Live URL prefix",
    help: "Live mode: the prefix of https://{prefix}-checkout-live.adyenpayments.com (Developers, API URLs).",
  }),
});

export type AdyenCredentials = z.infer<typeof adyenCredentialsSchema>;

/** The credentials, or undefined when they do not match the schema (the core validates them beforehand). */
export function readCredentials(raw: Readonly<Record<string, unknown>>): AdyenCredentials | undefined {
  const parsed = adyenCredentialsSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The Checkout base URL for a mode: the configured one, else Adyen's test URL in test mode, else the live URL
 * built from the live prefix. Live mode has no default, because Adyen gives each merchant its own live host.
 */
export function checkoutBaseUrl(credentials: AdyenCredentials, test: boolean): string | undefined {
  if (credentials.baseUrl !== undefined) return credentials.baseUrl.replace(/\/+$/, "");
  if (test) return ADYEN_TEST_BASE_URL;
  if (credentials.liveUrlPrefix === undefined) return undefined;
  return `https://${credentials.liveUrlPrefix}-checkout-live.adyenpayments.com/checkout/v71`;
}
