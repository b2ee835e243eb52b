/**
 * The Skeleton Pay emulator, for the plugin's tests, the conformance kit and dev mode (serve.ts). Never
 * imported by the plugin itself.
 * @module
 */
// TODO(skeleton-pay): make the emulator speak your PSP's API: the same paths, headers, bodies, statuses, error
// answers, idempotency and notification signature as its sandbox, as far as the plugin uses them.
export { createSkeletonPayEmulator } from "./emulator.ts";
export type {
  EmulatedPayment,
  SkeletonPayEmulator,
  SkeletonPayEmulatorAccount,
  SkeletonPayEmulatorOptions,
} from "./emulator.ts";
export type { EmulatorNotification } from "./notifications.ts";
export { signBody } from "./notifications.ts";
export { TEST_CARDS } from "./test_cards.ts";
