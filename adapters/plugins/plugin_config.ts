/**
 * `plugins.json`: which plugin serves each extension, and where each plugin's code is. The one place that
 * names the plugins a deployment runs.
 * @module
 */
import { PluginLoadError } from "./plugin_load_error.ts";
import { z } from "zod";

const CONFIG = z.object({
  extensions: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/), z.string()),
  plugins: z.record(
    z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/),
    z.object({
      /** Module path, relative to the configuration file. */
      module: z.string().min(1),
      /** The exported function that returns the PspPlugin. */
      factory: z.string().min(1),
    }),
  ),
});

export interface PluginEntry {
  readonly id: string;
  /** Absolute file URL of the module. */
  readonly module: URL;
  readonly factory: string;
}

export interface PluginConfig {
  /** Extension → plugin id. */
  readonly extensions: ReadonlyMap<string, string>;
  readonly plugins: ReadonlyMap<string, PluginEntry>;
}

/** The default configuration file, beside the repository's deno.json. */
export const DEFAULT_PLUGIN_CONFIG = new URL("../../plugins.json", import.meta.url);

/**
 * Reads and checks the configuration: every extension names a configured plugin.
 * @throws {PluginLoadError} naming the problem, at start
 */
export async function loadPluginConfig(url: URL = DEFAULT_PLUGIN_CONFIG): Promise<PluginConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(await Deno.readTextFile(url));
  } catch (error) {
    throw new PluginLoadError(
      `Cannot read ${url.pathname}: ${error instanceof Error ? error.message : "unreadable"}`,
    );
  }
  const parsed = CONFIG.safeParse(raw);
  if (!parsed.success) {
    throw new PluginLoadError(
      `Cannot read ${url.pathname}: ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")}`,
    );
  }
  const plugins = new Map<string, PluginEntry>();
  for (const [id, entry] of Object.entries(parsed.data.plugins)) {
    plugins.set(id, {
      id,
      module: new URL(entry.module, url),
      factory: entry.factory,
    });
  }
  for (const [extension, plugin] of Object.entries(parsed.data.extensions)) {
    if (!plugins.has(plugin)) {
      throw new PluginLoadError(`Extension ${extension} names an unknown plugin: ${plugin}`);
    }
  }
  return { extensions: new Map(Object.entries(parsed.data.extensions)), plugins };
}
