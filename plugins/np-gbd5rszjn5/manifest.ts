import type { PluginManifest } from "../../src/plugin_api.ts";

/**
 * What the Np Gbd5rszjn5 offsite plugin can do, as static data the core reads instead of probing the plugin.
 * The core never sends the plugin what it does not declare; a capability is true only when the plugin
 * implements it and the conformance kit passes its scenarios.
 */
export const NP_GBD5RSZJN5_MANIFEST = {
  id: "np-gbd5rszjn5",
  // TODO(np-gbd5rszjn5): your PSP's name and the API version the plugin speaks.
  displayName: "Np Gbd5rszjn5 (hosted payment page, template JSON API v1)",
  // The port version this plugin was written for: a literal, so that a new port version is a conscious step.
  pluginApi: 2,
  // TODO(np-gbd5rszjn5): "wallet" (PayPal-like) or "bank" (Mollie-like): the extension the plugin serves.
  paymentMethods: ["bank"],
  capabilities: {
    manualCapture: true,
    multiplePartialCaptures: true,
    partialRefunds: true,
    void: true,
    // The PSP's page does whatever authentication the payment needs.
    threeDSecure: false,
    // Every payment sends the buyer to the PSP's hosted page; the plugin never sees card data.
    redirect: true,
    query: true,
    notifications: true,
    cardOnFile: false,
  },
  hosts: {
    // TODO(np-gbd5rszjn5): your PSP's API hosts per mode (`host`, `host:port`, `*` for one label's characters).
    live: ["api.np-gbd5rszjn5.example"],
    test: ["sandbox.np-gbd5rszjn5.example"],
  },
} as const satisfies PluginManifest;
