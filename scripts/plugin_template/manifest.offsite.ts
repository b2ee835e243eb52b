import type { PluginManifest } from "../../src/plugin_api.ts";

/**
 * What the Skeleton Pay offsite plugin can do, as static data the core reads instead of probing the plugin.
 * The core never sends the plugin what it does not declare; a capability is true only when the plugin
 * implements it and the conformance kit passes its scenarios.
 */
export const SKELETON_PAY_MANIFEST = {
  id: "skeleton-pay",
  // TODO(skeleton-pay): your PSP's name and the API version the plugin speaks.
  displayName: "Skeleton Pay (hosted payment page, template JSON API v1)",
  // The port version this plugin was written for: a literal, so that a new port version is a conscious step.
  pluginApi: 2,
  // TODO(skeleton-pay): "wallet" (PayPal-like) or "bank" (Mollie-like): the extension the plugin serves.
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
    // TODO(skeleton-pay): your PSP's API hosts per mode (`host`, `host:port`, `*` for one label's characters).
    live: ["api.skeleton-pay.example"],
    test: ["sandbox.skeleton-pay.example"],
  },
} as const satisfies PluginManifest;
