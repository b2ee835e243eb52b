/**
 * Dev mode's bundled sandbox, seen from the gateway: a separate program (scripts/sandbox.ts) that the gateway
 * starts as a child process dying with it, and the sandbox accounts of sandbox.json that dev seeding binds
 * shop `demo` to. The gateway never imports an emulator: it only knows the sandbox's URL and its accounts.
 * @module
 */
import { z } from "zod";
import type { Logger } from "../../src/mod.ts";
import { StartupError } from "./startup.ts";

const SANDBOX_JSON = new URL("../../sandbox.json", import.meta.url);
const SANDBOX_PROGRAM = new URL("../../scripts/sandbox.ts", import.meta.url);

const ACCOUNTS = z.object({
  accounts: z.record(
    z.string(),
    z.object({ emulator: z.string(), credentials: z.record(z.string(), z.string()) }),
  ),
});

/** A sandbox account: the emulator that serves it and the credentials a shop stores for it. */
export interface SandboxAccount {
  readonly emulator: string;
  readonly credentials: Readonly<Record<string, string>>;
}

/**
 * The accounts of sandbox.json per extension, with `{sandbox}` replaced by the sandbox's base URL.
 * @throws {StartupError} when sandbox.json cannot be read
 */
export function sandboxAccounts(sandboxUrl: string): ReadonlyMap<string, SandboxAccount> {
  let file: z.infer<typeof ACCOUNTS>;
  try {
    file = ACCOUNTS.parse(JSON.parse(Deno.readTextFileSync(SANDBOX_JSON)));
  } catch {
    throw new StartupError("sandbox.json cannot be read: dev mode needs it to bind shop demo to the sandbox");
  }
  const base = sandboxUrl.replace(/\/+$/, "");
  return new Map(
    Object.entries(file.accounts).map(([extension, account]) => [extension, {
      emulator: account.emulator,
      credentials: Object.fromEntries(
        Object.entries(account.credentials).map((
          [name, value],
        ) => [name, value.replaceAll("{sandbox}", base)]),
      ),
    }]),
  );
}

export interface SandboxProcess {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts the sandbox as a child process that exits when this process does (its standard input closes), with
 * its state under `dataDir` and notifications to `notifyUrl`. With no port asked for, it takes `preferredPort`
 * when free, any free port otherwise.
 * @throws {StartupError} when it does not start (its own one-line reason)
 */
export async function startSandboxProcess(options: {
  readonly port?: number;
  readonly preferredPort: number;
  readonly dataDir: string;
  readonly notifyUrl: string;
  readonly logger: Logger;
}): Promise<SandboxProcess> {
  const ports = options.port !== undefined ? [options.port] : [options.preferredPort, 0];
  let reason = "";
  for (const port of ports) {
    const started = await spawnSandbox(port, options);
    if ("url" in started) return started;
    reason = started.reason;
  }
  throw new StartupError(`The bundled sandbox did not start: ${reason}`);
}

async function spawnSandbox(
  port: number,
  options: { readonly dataDir: string; readonly notifyUrl: string; readonly logger: Logger },
): Promise<SandboxProcess | { readonly reason: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--config",
      new URL("../../deno.json", import.meta.url).pathname,
      SANDBOX_PROGRAM.pathname,
      "--port",
      String(port),
      "--data-dir",
      options.dataDir,
      "--notify-url",
      options.notifyUrl,
      "--exit-with-parent",
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = readLines(child.stdout);
  const errors = readLines(child.stderr);
  const exited = child.status.then((status) => ({ exited: status }));
  const first = await Promise.race([
    lines.next().then((line) => ({ line: line.value as string | undefined })),
    exited,
  ]);
  if ("exited" in first) {
    const message = (await errors.next()).value ?? `exit code ${first.exited.code}`;
    return { reason: String(message) };
  }
  const url = /listening on (http:\/\/\S+)/.exec(first.line ?? "")?.[1];
  if (url === undefined) {
    child.kill("SIGKILL");
    return { reason: `it said ${JSON.stringify(first.line)}` };
  }
  void drain(lines, options.logger, "info");
  void drain(errors, options.logger, "warn");
  options.logger.info("sandbox.started", { url, pid: child.pid });
  return {
    url,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      await child.status;
      await child.stdin.close().catch(() => {});
    },
  };
}

async function* readLinesOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop() ?? "";
    yield* parts;
  }
  if (rest !== "") yield rest;
}

function readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  return readLinesOf(stream);
}

/** What the sandbox says later goes to the gateway's log, bounded, as its own event. */
async function drain(lines: AsyncGenerator<string>, logger: Logger, level: "info" | "warn"): Promise<void> {
  for await (const line of lines) logger[level]("sandbox.output", { line });
}
