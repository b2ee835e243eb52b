import type { PluginManifest } from "../../src/plugin_api.ts";

/** What the PayPal wallet plugin can do, as static data the core reads instead of probing the plugin. */
export const PAYPAL_MANIFEST = {
  id: "paypal",
  displayName: "PayPal (Orders v2 and Payments v2, wallet)",
  pluginApi: 2,
  paymentMethods: ["wallet"],
  capabilities: {
    // intent AUTHORIZE: the gateway authorizes the order on the buyer's return and captures later.
    manualCapture: true,
    // One authorization takes several captures while each says final_capture: false.
    multiplePartialCaptures: true,
    partialRefunds: true,
    void: true,
    // The buyer approves on PayPal's page; there is no card and no 3-D Secure step of the gateway's own.
    threeDSecure: false,
    redirect: true,
    query: true,
    notifications: true,
    cardOnFile: false,
  },
  hosts: {
    live: ["api-m.paypal.com"],
    test: ["api-m.sandbox.paypal.com"],
  },
} as const satisfies PluginManifest;
