/** Randomness, injected: the core never draws random values itself. */
export interface IdSource {
  /** A new unguessable, URL-safe token of at least 16 characters. */
  token(): string;
}
