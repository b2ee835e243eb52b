/**
 * Messages between the gateway and a plugin isolated in a worker. Everything that crosses is plain data:
 * the worker has no network, no files and no environment of its own; its PSP requests come back to the
 * gateway as `http` messages and go through the gateway's host-guarded PspHttp.
 * @module
 */
import type { PluginManifest, PspHttpRequest, PspHttpResult } from "../../src/mod.ts";

/** The call context without its transport (which stays in the gateway). */
export interface WireContext {
  readonly idempotencyKey: string;
  readonly deadline: number;
  readonly credentials: Readonly<Record<string, unknown>>;
  readonly test: boolean;
}

export type ToWorker =
  | { readonly type: "init"; readonly module: string; readonly factory: string }
  | {
    readonly type: "call";
    readonly id: number;
    readonly method: string;
    readonly args: readonly unknown[];
    readonly context?: WireContext;
  }
  | {
    readonly type: "http_result";
    readonly id: number;
    readonly request: number;
    readonly result: PspHttpResult;
  };

export type FromWorker =
  | { readonly type: "ready"; readonly manifest: PluginManifest }
  | { readonly type: "init_failed"; readonly message: string }
  | { readonly type: "result"; readonly id: number; readonly value: unknown }
  | { readonly type: "failed"; readonly id: number; readonly name: string }
  | {
    readonly type: "http";
    readonly id: number;
    readonly request: number;
    readonly http: PspHttpRequest;
    readonly deadline: number;
  };
