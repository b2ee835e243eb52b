/** What the operator CLIs share: usage errors, `--name value` options, and the exit codes. */
import { ConfigError } from "../adapters/config/config.ts";
import { RemoteOperationsError } from "../adapters/operations/remote_operations.ts";
import { StartupError } from "../adapters/server/startup.ts";

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** Takes `--name value` out of `args`; undefined when absent. */
export function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index === -1) return undefined;
  const value = args[index + 1];
  if (value === undefined) throw new UsageError(`${name} needs a value`);
  args.splice(index, 2);
  return value;
}

/** Takes a `--flag` out of `args`. */
export function flag(args: string[], name: string): boolean {
  const index = args.indexOf(name);
  if (index === -1) return false;
  args.splice(index, 1);
  return true;
}

/**
 * Runs a CLI's main: usage and configuration errors print the message and the usage and exit 2; a store that
 * cannot be used, or a gateway that refuses, prints its one line and exits 2; main's own number is the exit code.
 */
export async function runCli(usage: string, main: (args: string[]) => Promise<number | void>): Promise<void> {
  let code = 0;
  try {
    code = (await main([...Deno.args])) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${usage}`);
      Deno.exit(2);
    }
    if (error instanceof ConfigError) {
      for (const problem of error.problems) console.error(`Configuration error: ${problem}`);
      Deno.exit(2);
    }
    if (error instanceof StartupError || error instanceof RemoteOperationsError) {
      console.error(`Cannot run: ${error.message}`);
      Deno.exit(2);
    }
    throw error;
  }
  Deno.exit(code);
}
