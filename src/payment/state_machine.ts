import { err, ok, type Result } from "../result.ts";

/** A transition table: state → event → next state. An absent edge is an illegal move; there is no default. */
export type TransitionTable<S extends string, E extends string> = {
  readonly [From in S]: Readonly<Partial<Record<E, S>>>;
};

export interface InvalidTransition<S extends string, E extends string> {
  readonly kind: "invalid_transition";
  readonly from: S;
  readonly event: E;
}

/** The next state, or the illegal move as data. */
export function transition<S extends string, E extends string>(
  table: TransitionTable<S, E>,
  from: S,
  event: E,
): Result<S, InvalidTransition<S, E>> {
  const to = table[from][event];
  return to === undefined ? err({ kind: "invalid_transition", from, event }) : ok(to);
}

/** The states no event leaves, derived from the table rather than restated. */
export function terminalStates<S extends string, E extends string>(
  states: readonly S[],
  table: TransitionTable<S, E>,
): readonly S[] {
  return states.filter((state) => Object.keys(table[state]).length === 0);
}
