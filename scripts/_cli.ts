/** What the operator CLIs share: usage errors, `--name value` options, and the exit codes. */
import { ConfigError } from "../adapters/config/config.ts";

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

/** Runs a CLI's main: usage and configuration errors print the message and the usage and exit 2. */
export async function runCli(usage: string, main: (args: string[]) => Promise<void>): Promise<void> {
  try {
    await main([...Deno.args]);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      console.error(`${error.message}\n\n${usage}`);
      Deno.exit(2);
    }
    throw error;
  }
}
