import type { LogFields, Logger } from "../../src/mod.ts";

/** Field names whose values are never written, whatever a caller passes: defence in depth. */
const SENSITIVE = /(pan|card_?number|cvv|cvc|secret|password|token|api_?key|hmac|private|credential)/i;

export type LogLevel = "info" | "warn" | "error";
const ORDER: Readonly<Record<LogLevel, number>> = { info: 0, warn: 1, error: 2 };

export interface JsonLoggerOptions {
  readonly level?: LogLevel;
  readonly write?: (line: string) => void;
  readonly now?: () => number;
  /** Fields added to every line (process id, ...). */
  readonly base?: LogFields;
}

/** The longest string a log field keeps: whatever a caller passes, an attacker cannot fill the log with it. */
export const MAX_LOGGED_CHARS = 300;

function bounded(value: unknown): unknown {
  return typeof value === "string" && value.length > MAX_LOGGED_CHARS
    ? `${value.slice(0, MAX_LOGGED_CHARS)}… (${value.length} characters)`
    : value;
}

/** Structured JSON lines: one object per event with a timestamp, level, event name and fields. */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const threshold = ORDER[options.level ?? "info"];
  const write = options.write ?? ((line: string) => console.log(line));
  const now = options.now ?? Date.now;
  function log(level: LogLevel, event: string, fields: LogFields = {}) {
    if (ORDER[level] < threshold) return;
    const line: Record<string, unknown> = {
      ts: new Date(now()).toISOString(),
      level,
      event,
      ...options.base,
    };
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      line[key] = SENSITIVE.test(key) ? "[redacted]" : bounded(value);
    }
    write(JSON.stringify(line));
  }
  return {
    info: (event, fields) => log("info", event, fields),
    warn: (event, fields) => log("warn", event, fields),
    error: (event, fields) => log("error", event, fields),
  };
}
