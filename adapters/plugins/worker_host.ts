/**
 * Loads a plugin into a worker with no permissions but reading its own code and the core's plugin API, and
 * holds it as a LoadedPlugin. Calls cross as messages; the plugin's PSP requests come back to the gateway
 * and go through the call's PspHttp (host-guarded), so a plugin cannot reach another host, read the
 * environment, the database or files, or see another plugin's secrets.
 * @module
 */
import { dirname, fromFileUrl } from "./_paths.ts";
import {
  type LoadedPlugin,
  PLUGIN_API_VERSION,
  type PluginManifest,
  type PspCallContext,
} from "../../src/mod.ts";
import { PluginLoadError } from "./plugin_load_error.ts";
import type { PluginEntry } from "./plugin_config.ts";
import type { FromWorker, ToWorker } from "./worker_protocol.ts";

const ENTRY = new URL("./worker_entry.ts", import.meta.url);
const SRC_DIR = new URL("../../src/", import.meta.url);
/** The plugin kit's runtime modules (plugins/kit/*.ts); its emulator and conformance kits are not plugin code. */
const KIT_DIR = new URL("../../plugins/kit/", import.meta.url);

/** The files of the plugin kit a plugin's code may read: the top level of plugins/kit only. */
function kitFiles(): string[] {
  const files: string[] = [];
  for (const entry of Deno.readDirSync(KIT_DIR)) {
    if (entry.isFile && entry.name.endsWith(".ts")) files.push(fromFileUrl(new URL(entry.name, KIT_DIR)));
  }
  return files;
}

/** Where Deno keeps downloaded npm packages, which the plugin's imports (zod) are read from. */
function denoCacheDir(): string | undefined {
  try {
    const explicit = Deno.env.get("DENO_DIR");
    if (explicit) return explicit;
    const cache = Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME") ?? "/root"}/.cache`;
    return `${cache}/deno`;
  } catch {
    return undefined;
  }
}

export interface WorkerPlugin extends LoadedPlugin {
  terminate(): void;
}

export async function loadPluginInWorker(entry: PluginEntry): Promise<WorkerPlugin> {
  const read = [dirname(fromFileUrl(entry.module)), fromFileUrl(SRC_DIR), ...kitFiles(), denoCacheDir()]
    .filter(
      (path): path is string => path !== undefined,
    );
  const worker = new Worker(ENTRY, {
    type: "module",
    name: `plugin:${entry.id}`,
    deno: {
      permissions: {
        read,
        net: false,
        env: false,
        write: false,
        run: false,
        ffi: false,
        sys: false,
        import: false,
      },
    },
  } as WorkerOptions);
  const calls = new Map<
    number,
    { resolve(value: unknown): void; reject(error: Error): void; ctx?: PspCallContext }
  >();
  let nextId = 1;
  const manifest = await new Promise<PluginManifest>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      switch (message.type) {
        case "ready":
          return resolve(message.manifest);
        case "init_failed":
          return reject(new PluginLoadError(`Cannot load plugin ${entry.id}: ${message.message}`));
        case "result":
          calls.get(message.id)?.resolve(message.value);
          calls.delete(message.id);
          return;
        case "failed":
          calls.get(message.id)?.reject(new Error(`Plugin ${entry.id} threw ${message.name}`));
          calls.delete(message.id);
          return;
        case "http": {
          const call = calls.get(message.id);
          if (call?.ctx === undefined) return;
          call.ctx.http.send(message.http, message.deadline).then((result) =>
            worker.postMessage(
              { type: "http_result", id: message.id, request: message.request, result } satisfies ToWorker,
            )
          );
          return;
        }
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      reject(new PluginLoadError(`Plugin ${entry.id} worker failed`));
    };
    worker.postMessage(
      { type: "init", module: entry.module.href, factory: entry.factory } satisfies ToWorker,
    );
  });
  if (manifest.id !== entry.id) {
    worker.terminate();
    throw new PluginLoadError(`Plugin ${entry.id} calls itself ${manifest.id}`);
  }
  // The port's version is the contract between core and plugin: a plugin written for another one would
  // misread outcomes or miss calls, request by request. Refused here, at start.
  if (manifest.pluginApi !== PLUGIN_API_VERSION) {
    worker.terminate();
    throw new PluginLoadError(
      `Plugin ${entry.id} is written for plugin port version ${manifest.pluginApi}; this gateway speaks version ${PLUGIN_API_VERSION}`,
    );
  }

  function call<T>(method: string, args: readonly unknown[], ctx?: PspCallContext): Promise<T> {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      calls.set(id, { resolve: resolve as (value: unknown) => void, reject, ctx });
      const context = ctx === undefined ? undefined : {
        idempotencyKey: ctx.idempotencyKey,
        deadline: ctx.deadline,
        credentials: ctx.credentials,
        test: ctx.test,
      };
      worker.postMessage({ type: "call", id, method, args, context } satisfies ToWorker);
    });
  }

  return {
    manifest,
    validateCredentials: (mode, raw) => call("validateCredentials", [mode, raw]),
    credentialForm: () => call("credentialForm", []),
    pay: (input, ctx) => call("pay", [input], ctx),
    continueAfterRedirect: (input, ctx) => call("continueAfterRedirect", [input], ctx),
    capture: (input, ctx) => call("capture", [input], ctx),
    void: (input, ctx) => call("void", [input], ctx),
    refund: (input, ctx) => call("refund", [input], ctx),
    query: (input, ctx) => call("query", [input], ctx),
    verifyCredentials: (ctx) => call("verifyCredentials", [], ctx),
    parseNotification: (raw, ctx) => call("parseNotification", [raw], ctx),
    notificationReferences: (raw) => call("notificationReferences", [raw]),
    terminate: () => worker.terminate(),
  };
}
