import { ok, strictEqual as equal } from "node:assert/strict";
import { createJsonLogger, MAX_LOGGED_CHARS } from "./json_logger.ts";

Deno.test("createJsonLogger() bounds every string it logs, and redacts fields named like secrets", () => {
  const lines: string[] = [];
  const logger = createJsonLogger({ write: (line) => lines.push(line), now: () => 0 });
  logger.warn("notification.rejected", { reference: "x".repeat(900_000), apiKey: "AQE-secret" });
  equal(lines.length, 1);
  ok(lines[0].length < MAX_LOGGED_CHARS + 200, `a line of ${lines[0].length} characters`);
  const line = JSON.parse(lines[0]);
  ok(String(line.reference).endsWith("… (900000 characters)"));
  equal(line.apiKey, "[redacted]");
});
