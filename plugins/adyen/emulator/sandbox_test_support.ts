/**
 * Runs the sandbox program (scripts/sandbox.ts) as a child process, the way `deno task sandbox` does, and
 * reads the line it prints when it listens.
 * @module
 */

const SANDBOX = new URL("../../../scripts/sandbox.ts", import.meta.url);

/** The demo account of sandbox.json's `card` extension. */
export const DEMO_ACCOUNT = {
  apiKey: "demo-emulator-api-key",
  merchantAccount: "GenstoreDemoECOM",
  hmacKeyHex: "44782def547aaa06c910c43932b1eb0c71fc68d9d0c057550c48ec2acf6ba056",
} as const;

export interface SandboxProcess {
  /** `http://127.0.0.1:<port>`, read from the line the sandbox printed. */
  readonly url: string;
  /** The line the sandbox printed. */
  readonly line: string;
  readonly child: Deno.ChildProcess;
  /** Stops the sandbox (SIGTERM by default) and waits for it. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

export function sandboxCommand(args: readonly string[], stdin: "null" | "piped" = "null"): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", "--allow-write", "--allow-env", SANDBOX.pathname, ...args],
    stdin,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Starts the sandbox and waits (at most 20 s) for its `sandbox listening on` line. */
export async function startSandboxProcess(
  args: readonly string[],
  options: { readonly stdin?: "null" | "piped" } = {},
): Promise<SandboxProcess> {
  const child = sandboxCommand(args, options.stdin);
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  try {
    while (!buffered.includes("\n")) {
      const { done, value } = await reader.read();
      if (done) {
        const stderr = await new Response(child.stderr).text();
        throw new Error(`The sandbox exited before listening: ${stderr.trim()}`);
      }
      buffered += value;
    }
  } finally {
    clearTimeout(timer);
  }
  // The rest of its output is not needed; keep the pipes drained so the child never blocks on them.
  void (async () => {
    while (!(await reader.read()).done) { /* drained */ }
  })().catch(() => {});
  void child.stderr.pipeTo(new WritableStream()).catch(() => {});
  const line = buffered.split("\n")[0];
  const url = line.match(/^sandbox listening on (http:\/\/127\.0\.0\.1:\d+) /)?.[1];
  if (url === undefined) throw new Error(`Unexpected first line from the sandbox: ${line}`);
  let status: Promise<Deno.CommandStatus> | undefined;
  return {
    url,
    line,
    child,
    stop(signal: Deno.Signal = "SIGTERM") {
      if (status === undefined) {
        try {
          child.kill(signal);
        } catch {
          // Already gone.
        }
        status = child.status;
      }
      return status;
    },
  };
}

/** Runs the sandbox to its exit (it must fail fast) and returns its exit code and standard error. */
export async function failingSandbox(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  const child = sandboxCommand(args);
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const [output] = await Promise.all([child.output()]).finally(() => clearTimeout(timer));
  return { code: output.code, stderr: new TextDecoder().decode(output.stderr) };
}
