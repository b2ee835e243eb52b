/**
 * A plugin set-up that cannot work (plugins.json unreadable, a module that does not load, a plugin written for
 * another port version): raised at start, so the process stops with one line instead of failing per request.
 * @module
 */
export class PluginLoadError extends Error {
  override readonly name = "PluginLoadError";
}
