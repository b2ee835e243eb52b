/**
 * The benchmark's processes: the gateway (`main.ts`), the sandbox (`scripts/sandbox.ts`) and the echo
 * reference each run as their own process, as in production, so what is measured is theirs; the load
 * generator and the fake Genstore share the benchmark's process. CPU and memory are read from /proc.
 * @module
 */

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
  readonly logs: string[];
  stop(): Promise<void>;
}

const ROOT = new URL("../", import.meta.url);

/**
 * The V8 flags of `deno task start` (deno.json), so the benchmark's gateway runs the way a user runs it: one
 * source of truth for the heap settings the README's figures were measured with.
 */
export function startTaskV8Flags(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT))) as {
    tasks: { start: string };
  };
  return config.tasks.start.split(/\s+/).filter((word) => word.startsWith("--v8-flags="));
}

/** Starts `deno run -A <script> <args>` with `env` and waits until `ready` answers 200. */
export async function startChild(options: {
  readonly name: string;
  readonly script: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly url: string;
  readonly ready: string;
}): Promise<Child> {
  // BENCH_PROFILE_DIR: the gateway writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
  const profile = Deno.env.get("BENCH_PROFILE_DIR");
  const gateway = options.script === "main.ts";
  const profiling = profile !== undefined && gateway ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : [];
  const v8Flags = gateway ? startTaskV8Flags() : [];
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...v8Flags,
      ...profiling,
      new URL(options.script, ROOT).pathname,
      ...(options.args ?? []),
    ],
    cwd: ROOT.pathname,
    env: { NO_COLOR: "1", ...options.env },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const logs: string[] = [];
  collect(child.stdout, logs);
  collect(child.stderr, logs);
  let exited = false;
  child.status.then(() => exited = true);
  const deadline = Date.now() + 60_000;
  while (!exited && Date.now() < deadline) {
    try {
      const answer = await fetch(`${options.url}${options.ready}`);
      await answer.body?.cancel();
      if (answer.status === 200) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (exited || Date.now() >= deadline) {
    throw new Error(`${options.name} did not start:\n${logs.slice(-15).join("\n")}`);
  }
  return {
    name: options.name,
    pid: child.pid,
    url: options.url,
    logs,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      const stopped = await Promise.race([
        child.status,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 15_000)),
      ]);
      if (stopped === undefined) child.kill("SIGKILL");
      await child.status;
      await child.stdin.close().catch(() => {});
    },
  };
}

const TICKS_PER_SECOND = 100;

/** User + system CPU of a process so far, in ms (all its threads). */
export function cpuMs(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the command: state(0) ... utime is field 14 of the file, index 11 here; stime index 12.
  return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1000;
}

/**
 * CPU of every PostgreSQL server process on this machine so far, in ms (the server runs here in the benchmark;
 * its backends live as long as the gateways' pooled connections, so the difference over a run is the run's).
 */
export function postgresCpuMs(): number {
  let total = 0;
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const command = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (command === "postgres") total += cpuMs(Number(entry.name));
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

/** Resident memory of a process, in MB. */
export function rssMb(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Samples a process's RSS every 250 ms until stopped; the highest seen. */
export function peakRss(pid: number): { stop(): number } {
  let peak = 0;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(pid));
    } catch {
      // Gone.
    }
  }, 250);
  return {
    stop() {
      clearInterval(timer);
      try {
        peak = Math.max(peak, rssMb(pid));
      } catch {
        // Gone.
      }
      return peak;
    },
  };
}

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
      if (into.length > 2_000) into.splice(0, into.length - 1_000);
    }
  })().catch(() => {});
}
