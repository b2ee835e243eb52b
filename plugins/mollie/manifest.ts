import type { PluginManifest } from "../../src/plugin_api.ts";

/** What the Mollie bank plugin can do, as static data the core reads instead of probing the plugin. */
export const MOLLIE_MANIFEST = {
  id: "mollie",
  displayName: "Mollie (Payments API v2, bank redirect)",
  pluginApi: 2,
  paymentMethods: ["bank"],
  capabilities: {
    // Sales only: Mollie's captureMode "manual" exists for cards and pay-later methods, not for the bank
    // redirects this extension offers (contract section 8: manualCapture on bank is capture_not_supported).
    manualCapture: false,
    multiplePartialCaptures: false,
    partialRefunds: true,
    void: false,
    threeDSecure: false,
    // Every payment sends the buyer to Mollie's hosted checkout (_links.checkout).
    redirect: true,
    query: true,
    // A webhook per payment (webhookUrl), verified by fetching the payment it names.
    notifications: true,
    cardOnFile: false,
    // Mollie ends a payment the buyer never finishes (expired), and a buyer may pay after the gateway's own
    // deadline (a bank transfer stays open for days): the core asks Mollie instead of failing it.
    expiresAtPsp: true,
  },
  hosts: {
    // Mollie has one host for both modes and tells them apart by the API key (test_… or live_…).
    live: ["api.mollie.com"],
    test: ["api.mollie.com"],
  },
} as const satisfies PluginManifest;
