/**
 * A shop's Mollie credentials per mode, and where the Payments API lives. Mollie serves both modes on one host
 * and tells them apart by the API key (`test_…` or `live_…`, from the Dashboard's Developers → API keys), so
 * the schema itself refuses the other mode's key: a live key bound to test mode would take real money.
 * @module
 */
import { z } from "zod";

export const MOLLIE_API_URL = "https://api.mollie.com/v2";

/** Mollie's payment method ids are lower-case words such as `ideal`, `bancontact` or `banktransfer`. */
const methodSchema = z.string().regex(
  /^[a-z][a-z0-9_]{1,39}$/,
  "must be a Mollie payment method id such as ideal",
)
  .optional()
  .meta({
    label: "Payment method",
    help:
      "Optional: a Mollie method id (ideal, bancontact, banktransfer, …) to skip Mollie's method selection",
  });

function apiKeySchema(prefix: "test_" | "live_", mode: string) {
  return z.string()
    .regex(new RegExp(`^${prefix}[A-Za-z0-9]{8,}$`), `must be a ${mode} API key (it starts with ${prefix})`)
    .meta({
      label: `${mode[0].toUpperCase()}${mode.slice(1)} API key`,
      secret: true,
      help: `Mollie Dashboard → Developers → API keys: the ${mode} API key, starting with ${prefix}`,
    });
}

export const mollieTestCredentialsSchema = z.object({
  apiKey: apiKeySchema("test_", "test"),
  // Only test mode may point elsewhere (the bundled sandbox); a live call always goes to api.mollie.com.
  baseUrl: z.url({ protocol: /^https?$/ }).optional().meta({
    label: "API base URL",
    help:
      "Optional, for a sandbox emulator: the Payments API base including /v2 (default https://api.mollie.com/v2)",
  }),
  method: methodSchema,
});

export const mollieLiveCredentialsSchema = z.object({
  apiKey: apiKeySchema("live_", "live"),
  method: methodSchema,
});

export interface MollieCredentials {
  readonly apiKey: string;
  readonly baseUrl?: string;
  readonly method?: string;
}

/** The credentials for a mode, or undefined when they do not fit its schema (the core validates beforehand). */
export function readCredentials(
  raw: Readonly<Record<string, unknown>>,
  test: boolean,
): MollieCredentials | undefined {
  const parsed = (test ? mollieTestCredentialsSchema : mollieLiveCredentialsSchema).safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** The Payments API base URL, without a trailing slash. */
export function apiBaseUrl(credentials: MollieCredentials): string {
  return (credentials.baseUrl ?? MOLLIE_API_URL).replace(/\/+$/, "");
}
