/**
 * The bundled sandbox: serves every PSP emulator of sandbox.json on one port, each under its prefix, or one
 * emulator alone at the real API's root paths (so a client built on the PSP's official SDK can point at it).
 *
 * ```sh
 * deno task sandbox [--port 8090] [--data-dir data/sandbox] [--notify-url http://127.0.0.1:8080]
 * deno task sandbox adyen --port 8091          # Adyen alone: http://127.0.0.1:8091/v71/payments
 * ```
 *
 * Options (environment in brackets): `--port` [SANDBOX_PORT] (default 8090; 0 picks a free one), `--data-dir`
 * [SANDBOX_DATA_DIR] (each emulator's state in `<dir>/<id>.jsonl`; in memory without it), `--notify-url`
 * [SANDBOX_NOTIFY_URL] (the gateway's base URL for notifications), `--config` (default ./sandbox.json),
 * `--exit-with-parent` (exit when standard input closes, so a parent process can start the sandbox as a child
 * that dies with it). It listens on 127.0.0.1 only, prints one line `sandbox listening on <url> (...)`, and
 * answers `GET /healthz` with the emulators it serves. A taken port, an unusable data directory or a state
 * file held by another process: one line on stderr, exit 2.
 * @module
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import {
  type EmulatorFactory,
  type EmulatorProgram,
  jsonAnswer,
  type SandboxAccount,
  StateFileError,
  underPrefix,
} from "../plugins/kit/emulator/mod.ts";

const SandboxFile = z.object({
  emulators: z.record(
    z.string().regex(/^[a-z][a-z0-9-]*$/),
    z.object({
      module: z.string().min(1),
      factory: z.string().min(1),
      prefix: z.string().regex(/^\/[a-z0-9-]+$/),
    }),
  ),
  accounts: z.record(
    z.string(),
    z.object({ emulator: z.string(), credentials: z.record(z.string(), z.string()) }),
  ),
});
export type SandboxFile = z.infer<typeof SandboxFile>;

export interface SandboxOptions {
  /** Serve only this emulator, at the root paths. */
  readonly only?: string;
  readonly port: number;
  readonly dataDir?: string;
  readonly notifyUrl?: string;
  /** Path or URL of sandbox.json. */
  readonly config: string | URL;
}

export interface RunningSandbox {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Each served emulator with where it is mounted (`/` when alone). */
  readonly emulators: readonly { readonly id: string; readonly prefix: string }[];
  /** The running emulators by id, for tests that look inside them. */
  readonly programs: ReadonlyMap<string, EmulatorProgram>;
  close(): Promise<void>;
}

/** A reason the sandbox cannot start: printed as one line, exit code 2. */
export class SandboxError extends Error {
  override name = "SandboxError";
}

export async function loadSandboxFile(config: string | URL): Promise<SandboxFile> {
  let text: string;
  try {
    text = await Deno.readTextFile(config);
  } catch (error) {
    throw new SandboxError(`Cannot read the sandbox configuration ${config}: ${messageOf(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SandboxError(`Cannot use the sandbox configuration ${config}: ${messageOf(error)}`);
  }
  const parsed = SandboxFile.safeParse(json);
  if (!parsed.success) {
    throw new SandboxError(
      `Cannot use the sandbox configuration ${config}: ${parsed.error.issues[0].message}`,
    );
  }
  return parsed.data;
}

/** The accounts of one emulator, `{sandbox}` replaced by its base URL (`{sandbox}<prefix>` when alone). */
export function accountsOf(file: SandboxFile, id: string, base: string, alone: boolean): SandboxAccount[] {
  const prefix = file.emulators[id].prefix;
  return Object.entries(file.accounts)
    .filter(([, account]) => account.emulator === id)
    .map(([extension, account]) => ({
      extension,
      credentials: Object.fromEntries(
        Object.entries(account.credentials).map(([name, value]) => [
          name,
          (alone ? value.replaceAll(`{sandbox}${prefix}`, base) : value).replaceAll("{sandbox}", base),
        ]),
      ),
    }));
}

export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const file = await loadSandboxFile(options.config);
  const ids = options.only === undefined ? Object.keys(file.emulators) : [options.only];
  const unknown = ids.find((id) => file.emulators[id] === undefined);
  if (unknown !== undefined) {
    throw new SandboxError(
      `Cannot serve ${unknown}: sandbox.json names ${Object.keys(file.emulators).join(", ")}`,
    );
  }
  if (options.dataDir !== undefined) prepareDataDir(options.dataDir);
  const factories = await Promise.all(ids.map((id) => loadFactory(file, id, options.config)));
  const mounted: { handler?: (request: Request) => Promise<Response> } = {};
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve(
      { hostname: "127.0.0.1", port: options.port, onListen() {} },
      (request) => mounted.handler?.(request) ?? jsonAnswer(503, { error: "starting" }),
    );
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new SandboxError(`Cannot listen on 127.0.0.1:${options.port}: the port is taken`);
    }
    throw new SandboxError(`Cannot listen on 127.0.0.1:${options.port}: ${messageOf(error)}`);
  }
  const base = `http://127.0.0.1:${server.addr.port}`;
  const alone = options.only !== undefined;
  const programs: { id: string; prefix: string; program: EmulatorProgram }[] = [];
  try {
    for (const [index, id] of ids.entries()) {
      const prefix = alone ? "/" : file.emulators[id].prefix;
      const program = factories[index]({
        publicUrl: alone ? base : `${base}${prefix}`,
        accounts: accountsOf(file, id, base, alone),
        notifyUrl: options.notifyUrl,
        statePath: options.dataDir === undefined ? undefined : `${options.dataDir}/${id}.jsonl`,
      });
      programs.push({ id, prefix, program });
    }
  } catch (error) {
    for (const { program } of programs) await program.close();
    await server.shutdown();
    if (error instanceof StateFileError) throw new SandboxError(error.message);
    throw error;
  }
  mounted.handler = route(programs);
  return {
    url: base,
    emulators: programs.map(({ id, prefix }) => ({ id, prefix })),
    programs: new Map(programs.map(({ id, program }) => [id, program])),
    async close() {
      // The emulators first: they may hold connections open (the timeout card), which shutdown would await.
      for (const { program } of programs) await program.close();
      await server.shutdown();
    },
  };
}

function route(programs: readonly { id: string; prefix: string; program: EmulatorProgram }[]) {
  const health = { status: "ok", emulators: programs.map(({ id, prefix }) => ({ id, prefix })) };
  const alone = programs.length === 1 && programs[0].prefix === "/" ? programs[0].program : undefined;
  const prefixed = programs.map(({ prefix, program }) => ({
    prefix,
    serve: underPrefix(prefix, (r) => program.fetch(r)),
  }));
  return function sandbox(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === "/healthz" && request.method === "GET") return Promise.resolve(jsonAnswer(200, health));
    if (alone !== undefined) return alone.fetch(request);
    const target = prefixed.find(({ prefix }) => path === prefix || path.startsWith(`${prefix}/`));
    if (target === undefined) {
      return Promise.resolve(jsonAnswer(404, { error: "not_found", emulators: health.emulators }));
    }
    return target.serve(request);
  };
}

async function loadFactory(file: SandboxFile, id: string, config: string | URL): Promise<EmulatorFactory> {
  const entry = file.emulators[id];
  const base = config instanceof URL ? config : new URL(config, `file://${Deno.cwd()}/`);
  const module = await import(new URL(entry.module, base).href);
  const factory = module[entry.factory];
  if (typeof factory !== "function") {
    throw new SandboxError(`Cannot start ${id}: ${entry.module} exports no function ${entry.factory}`);
  }
  return factory as EmulatorFactory;
}

function prepareDataDir(dataDir: string): void {
  try {
    Deno.mkdirSync(dataDir, { recursive: true });
    if (!Deno.statSync(dataDir).isDirectory) throw new Error("not a directory");
  } catch (error) {
    throw new SandboxError(`Cannot use the data directory ${dataDir}: ${messageOf(error)}`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const USAGE = "Usage: deno task sandbox [emulator] [--port N] [--data-dir DIR] [--notify-url URL] " +
  "[--config sandbox.json] [--exit-with-parent]";

const OPTIONS = {
  port: { type: "string" },
  "data-dir": { type: "string" },
  "notify-url": { type: "string" },
  config: { type: "string" },
  "exit-with-parent": { type: "boolean" },
} as const;

function parseOptions(args: string[]): SandboxOptions & { exitWithParent: boolean } {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    throw new SandboxError(`${messageOf(error)}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new SandboxError(`Cannot serve ${positionals.join(" and ")} alone: name one`);
  }
  const portText = values.port ?? Deno.env.get("SANDBOX_PORT") ?? "8090";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new SandboxError(`Cannot use port ${portText}`);
  }
  const notifyUrl = values["notify-url"] ?? Deno.env.get("SANDBOX_NOTIFY_URL");
  if (notifyUrl !== undefined && !URL.canParse(notifyUrl)) {
    throw new SandboxError(`Cannot send notifications to ${notifyUrl}: not a URL`);
  }
  return {
    only: positionals[0],
    port,
    dataDir: values["data-dir"] ?? Deno.env.get("SANDBOX_DATA_DIR"),
    notifyUrl: notifyUrl?.replace(/\/+$/, ""),
    config: values.config ?? new URL("../sandbox.json", import.meta.url),
    exitWithParent: values["exit-with-parent"] ?? false,
  };
}

async function main(): Promise<void> {
  let sandbox: RunningSandbox;
  let exitWithParent: boolean;
  try {
    const options = parseOptions([...Deno.args]);
    exitWithParent = options.exitWithParent;
    sandbox = await startSandbox(options);
    const served = sandbox.emulators.map(({ id, prefix }) => `${id} at ${prefix}`).join(", ");
    const state = options.dataDir === undefined ? "state in memory" : `state in ${options.dataDir}`;
    console.log(`sandbox listening on ${sandbox.url} (${served}; ${state})`);
  } catch (error) {
    if (!(error instanceof SandboxError)) throw error;
    console.error(error.message);
    Deno.exit(2);
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await sandbox.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  if (exitWithParent) {
    // The parent holds our standard input open; it closes when the parent exits, however it exits.
    void (async () => {
      for await (const _ of Deno.stdin.readable) { /* Nothing is read from the parent. */ }
      await stop();
    })();
  }
}

if (import.meta.main) await main();
