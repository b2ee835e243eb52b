/** Time, injected so that backoff, deadlines and expiry can be tested with a manual clock. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}
