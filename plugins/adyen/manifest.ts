import type { PluginManifest } from "../../src/plugin_api.ts";

/** What the Adyen card plugin can do, as static data the core reads instead of probing the plugin. */
export const ADYEN_MANIFEST = {
  id: "adyen",
  displayName: "Adyen (Checkout API v71, cards)",
  pluginApi: 2,
  paymentMethods: ["card"],
  capabilities: {
    manualCapture: true,
    // Adyen enables multiple partial captures per merchant account on request; without it the rest of the
    // authorisation is released after the first capture and later captures are refused by notification.
    multiplePartialCaptures: true,
    partialRefunds: true,
    void: true,
    threeDSecure: true,
    // Cards are paid on site; only 3-D Secure sends the buyer away.
    redirect: false,
    query: true,
    notifications: true,
    // Adyen tokenization: storePaymentMethod on a card payment, storedPaymentMethodId on later ones.
    cardOnFile: true,
  },
  hosts: {
    // Live Checkout URLs carry the merchant's live URL prefix: https://{prefix}-checkout-live.adyenpayments.com
    live: ["*-checkout-live.adyenpayments.com"],
    test: ["checkout-test.adyen.com"],
  },
} as const satisfies PluginManifest;
