/**
 * What the emulator's payment flow (payments.ts) gives the rest of the emulator: the POST /payments
 * handler, the pages it serves, and how a payment the buyer never finishes ends.
 * @module
 */
import type { Hono } from "hono";
import type { EmulatorState } from "../../kit/emulator/mod.ts";
import type { Handler } from "./api_call.ts";
import type { Notifier } from "./notifications.ts";

export interface FlowDeps {
  readonly state: EmulatorState;
  readonly notifier: Notifier;
  /** Where the emulator is reachable, prefix included: the base of the pages it hands out. */
  readonly publicUrl: string;
  readonly now: () => number;
}

export interface PaymentFlow {
  /** POST /payments. */
  readonly create: Handler;
  /** Adds the flow's own routes (a hosted page). */
  mount(app: Hono): void;
  /** The PSP gives up on the payments of this reference that wait for the buyer (none wait for a card). */
  expire(reference: string): Promise<void>;
}
