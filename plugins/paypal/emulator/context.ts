/**
 * What the flow modules share: where the emulator is reachable, its clock, its webhooks and its knobs.
 * @module
 */
import type { Webhooks } from "./webhooks.ts";

export interface EmulatorContext {
  /** The emulator's public URL, without a trailing slash; links and pages point there. */
  readonly publicUrl: string;
  readonly now: () => number;
  readonly webhooks: Webhooks;
  /** Refunds stay PENDING until `completePendingRefunds()` (tests of an eCheck-funded refund). */
  readonly pendingRefunds: boolean;
}
