/**
 * Runs inside a plugin's worker: loads the plugin and serves the gateway's calls. The worker has no
 * permissions besides reading its own code, so the plugin reaches its PSP only through the gateway.
 * @module
 */
/// <reference lib="deno.worker" />
import type { PspHttpRequest, PspHttpResult, PspPlugin } from "../../src/mod.ts";
import { checkCredentials, describeCredentials } from "../../src/ports/psp_plugin.ts";
import type { FromWorker, ToWorker, WireContext } from "./worker_protocol.ts";

let plugin: PspPlugin | undefined;
const pendingHttp = new Map<number, (result: PspHttpResult) => void>();
let nextRequest = 1;

function post(message: FromWorker): void {
  self.postMessage(message);
}

/** The call context the plugin sees: its http sends the request to the gateway and waits for the answer. */
function contextFor(id: number, wire: WireContext) {
  return {
    ...wire,
    http: {
      send(http: PspHttpRequest, deadline: number): Promise<PspHttpResult> {
        const request = nextRequest++;
        return new Promise<PspHttpResult>((resolve) => {
          pendingHttp.set(request, resolve);
          post({ type: "http", id, request, http, deadline });
        });
      },
    },
  };
}

async function invoke(
  method: string,
  args: readonly unknown[],
  id: number,
  wire?: WireContext,
): Promise<unknown> {
  const target = plugin!;
  switch (method) {
    case "validateCredentials": {
      const [mode, raw] = args as ["live" | "test", unknown];
      return checkCredentials(target.credentials[mode], raw);
    }
    case "credentialForm":
      // Read here, where the plugin's schemas and their .meta() live; only plain data crosses.
      return describeCredentials(target.credentials);
    case "notificationReferences":
      return target.notificationReferences(args[0] as Parameters<PspPlugin["notificationReferences"]>[0]);
    case "parseNotification":
      return await target.parseNotification(
        args[0] as Parameters<PspPlugin["parseNotification"]>[0],
        contextFor(id, wire!),
      );
    case "verifyCredentials":
      return await target.verifyCredentials(contextFor(id, wire!));
    case "pay":
    case "continueAfterRedirect":
    case "capture":
    case "void":
    case "refund":
    case "query": {
      const operation = target[method] as (input: unknown, ctx: unknown) => Promise<unknown>;
      return await operation.call(target, args[0], contextFor(id, wire!));
    }
    default:
      throw new TypeError(`Unknown plugin method: ${method}`);
  }
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  switch (message.type) {
    case "init":
      try {
        const module = await import(message.module);
        plugin = (module[message.factory] as () => PspPlugin)();
        post({ type: "ready", manifest: plugin.manifest });
      } catch (error) {
        post({ type: "init_failed", message: error instanceof Error ? error.message : "unknown" });
      }
      return;
    case "http_result":
      pendingHttp.get(message.request)?.(message.result);
      pendingHttp.delete(message.request);
      return;
    case "call":
      try {
        post({
          type: "result",
          id: message.id,
          value: await invoke(message.method, message.args, message.id, message.context),
        });
      } catch (error) {
        // Only the error's name crosses: a message could carry data the plugin should not have echoed.
        post({ type: "failed", id: message.id, name: error instanceof Error ? error.name : "Error" });
      }
      return;
  }
};
