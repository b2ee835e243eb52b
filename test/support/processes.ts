/**
 * Gateway and CLI processes run the way a user runs them (`deno run main.ts`, `deno run scripts/…`), for tests
 * of start-up, locking and the CLIs.
 * @module
 */

export interface Running {
  readonly logs: string[];
  readonly status: Promise<Deno.CommandStatus>;
  kill(signal: Deno.Signal): void;
}

export interface Finished {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** What every child keeps of this process's environment: where Deno finds its cache, and nothing else. */
function baseEnv(): Record<string, string> {
  const kept: Record<string, string> = { NO_COLOR: "1" };
  for (const name of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}

/** Starts `deno run -A <script>` with exactly `env` (plus PATH and HOME), collecting its output lines. */
export function spawn(
  script: string,
  env: Readonly<Record<string, string>>,
  args: readonly string[] = [],
): Running {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    env: { ...baseEnv(), ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const logs: string[] = [];
  collect(child.stdout, logs);
  collect(child.stderr, logs);
  return {
    logs,
    status: child.status,
    kill(signal) {
      try {
        child.kill(signal);
      } catch {
        // Already gone.
      }
    },
  };
}

/** Runs a script to its end. */
export async function run(
  script: string,
  env: Readonly<Record<string, string>>,
  args: readonly string[] = [],
): Promise<Finished> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    env: { ...baseEnv(), ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

/** Waits until `url/readyz` answers 200, or throws with the last log lines if the process exits or 30 s pass. */
export async function waitReady(process: Running, url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let exited = false;
  process.status.then(() => exited = true);
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(`${url}/readyz`);
      await response.body?.cancel();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not get ready:\n${process.logs.slice(-20).join("\n")}`);
}

/** A free loopback port (a listener is opened and closed to find one). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function collect(stream: ReadableStream<Uint8Array>, into: string[]): void {
  (async () => {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop() ?? "";
      into.push(...lines);
    }
    if (rest !== "") into.push(rest);
  })().catch(() => {});
}
