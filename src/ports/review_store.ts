import type { Operation } from "../payment/operation.ts";

/** An incident as stored, with its identity and resolution. */
export interface StoredIncident {
  readonly shop: string;
  readonly id: number;
  readonly kind: string;
  readonly operationKind: string;
  readonly operationId: string;
  readonly reference: string;
  readonly reported: string;
  readonly pspSays: string;
  readonly pspReference?: string;
  readonly source: string;
  readonly recommendedAction: string;
  readonly createdAt: number;
  readonly resolvedAt?: number;
  readonly resolution?: string;
}

/** Numbers operators watch: how much is waiting on the PSP, on people, and on Genstore. */
export interface GatewayMetrics {
  readonly operationsUnknown: number;
  readonly oldestUnknownAgeMs: number;
  readonly operationsOpen: number;
  readonly reviewQueue: number;
  readonly incidentsOpen: number;
  readonly callbacksPending: number;
  readonly callbacksDead: number;
  readonly oldestPendingCallbackAgeMs: number;
}

/** An operator's action, kept with its reason. */
export interface OperatorAction {
  readonly shop: string;
  readonly action: string;
  readonly target: string;
  readonly reason: string;
  readonly operator: string;
}

/** What operators read and act on: the review queue, incidents, and the gateway's vital numbers. */
export interface ReviewStore {
  /** Open operations past their reconciliation deadline, oldest first. */
  reviewQueue(limit: number): Promise<readonly Operation[]>;
  incidents(options: { readonly open: boolean; readonly limit: number }): Promise<readonly StoredIncident[]>;
  /** Resolves an open incident; false when there is no such open incident. */
  resolveIncident(shop: string, id: number, resolution: string, action: OperatorAction): Promise<boolean>;
  recordAction(action: OperatorAction): Promise<void>;
  metrics(now: number): Promise<GatewayMetrics>;
}
