/** Randomness, injected: the core never calls crypto.randomUUID itself. */
export interface IdSource {
  /** A new unguessable, URL-safe token of at least 16 characters. */
  token(): string;
}
