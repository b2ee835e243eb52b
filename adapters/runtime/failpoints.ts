import { type FailpointName, type Failpoints, type Logger, NO_FAILPOINTS } from "../../src/mod.ts";

const NAMES: readonly FailpointName[] = [
  "after_request_stored",
  "after_psp_call",
  "after_result_stored",
  "after_callback_sent",
];

/**
 * Failpoints from `GATEWAY_FAILPOINT=name` (or `name:n`, the n-th time it is reached): the process kills
 * itself with SIGKILL there, exactly like `kill -9`. For crash tests only; the gateway logs a warning at
 * start when one is armed.
 * @throws {Error} for an unknown failpoint name, at start
 */
export function createFailpoints(spec: string | undefined, logger: Logger): Failpoints {
  if (spec === undefined || spec === "") return NO_FAILPOINTS;
  const [name, nth = "1"] = spec.split(":");
  if (!NAMES.includes(name as FailpointName)) {
    throw new Error(`Cannot arm an unknown failpoint: ${name} (known: ${NAMES.join(", ")})`);
  }
  let remaining = Number(nth);
  logger.warn("failpoint.armed", { failpoint: name, nth: remaining });
  return {
    reach(point: FailpointName) {
      if (point !== name || --remaining > 0) return;
      logger.warn("failpoint.reached", { failpoint: name });
      Deno.kill(Deno.pid, "SIGKILL");
    },
  };
}
