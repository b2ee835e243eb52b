import type { PluginManifest } from "../../src/plugin_api.ts";

/**
 * What the Skeleton Pay card plugin can do, as static data the core reads instead of probing the plugin. The
 * core never sends the plugin what it does not declare; a capability is true only when the plugin implements
 * it and the conformance kit passes its scenarios.
 */
export const SKELETON_PAY_MANIFEST = {
  id: "skeleton-pay",
  // TODO(skeleton-pay): your PSP's name and the API version the plugin speaks.
  displayName: "Skeleton Pay (cards, template JSON API v1)",
  // The port version this plugin was written for: a literal, so that a new port version is a conscious step.
  pluginApi: 2,
  paymentMethods: ["card"],
  capabilities: {
    manualCapture: true,
    multiplePartialCaptures: true,
    partialRefunds: true,
    void: true,
    // Not in the template API's card payments: true only with requires_action, continueAfterRedirect and a
    // challenge page in the emulator (see plugins/adyen).
    threeDSecure: false,
    redirect: false,
    query: true,
    notifications: true,
    // Not in the template API (see plugins/adyen for tokenization).
    cardOnFile: false,
  },
  hosts: {
    // TODO(skeleton-pay): your PSP's API hosts per mode (`host`, `host:port`, `*` for one label's characters).
    live: ["api.skeleton-pay.example"],
    test: ["sandbox.skeleton-pay.example"],
  },
} as const satisfies PluginManifest;
