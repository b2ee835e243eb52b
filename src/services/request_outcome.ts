import type { OperationAnswer } from "../payment/operation.ts";

/** How the gateway answers a Genstore request that passed validation. */
export type RequestOutcome =
  | { readonly kind: "answered"; readonly answer: OperationAnswer; readonly replayed: boolean }
  /** The id was used before with a different body; nothing changed. */
  | { readonly kind: "conflict" }
  /** The first request with this id is still being processed; try again shortly. */
  | { readonly kind: "in_progress" }
  /** The request is malformed in a way only the stored payment reveals (e.g. too many digits for its currency). */
  | {
    readonly kind: "invalid";
    readonly issues: readonly { readonly path: string; readonly message: string }[];
  };
