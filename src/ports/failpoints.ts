/**
 * Named points in a request's life where a test may kill the process (kill -9) to prove that nothing is lost,
 * charged twice or reported twice. Each point comes just after a durable step. Without configuration every
 * point is a no-op.
 */
export type FailpointName =
  | "after_request_stored"
  | "after_psp_call"
  | "after_result_stored"
  | "after_callback_sent";

export interface Failpoints {
  reach(name: FailpointName): void;
}

export const NO_FAILPOINTS: Failpoints = { reach() {} };
