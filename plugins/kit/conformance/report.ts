/**
 * What a run of the kit reports: each scenario passed, failed (with what broke) or skipped (with what it
 * needs), its notes and time, and the report as the table `deno task conformance` prints.
 * @module
 */

export type ScenarioStatus = "passed" | "failed" | "skipped";

export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly status: ScenarioStatus;
  /** For a skipped scenario: what the manifest does not declare (`manualCapture`, `threeDSecure or redirect`). */
  readonly skippedBy: readonly string[];
  /** For a failed scenario: what broke, with card numbers masked. */
  readonly detail?: string;
  /** Observations that do not fail the scenario. */
  readonly notes: readonly string[];
  readonly ms: number;
}

export interface ConformanceReport {
  readonly plugin: string;
  readonly results: readonly ScenarioResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly ms: number;
}

/** The report as a table (scenario, result, time), failures and notes, and the final count line. */
export function formatReport(report: ConformanceReport): string {
  const width = Math.max(...report.results.map((r) => r.id.length), "scenario".length);
  const row = (a: string, b: string, c: string) => `${a.padEnd(width)}  ${b.padEnd(7)}  ${c.padStart(8)}`;
  const lines = [`conformance of plugin ${report.plugin}`, "", row("scenario", "result", "time")];
  lines.push(row("-".repeat(width), "-------", "--------"));
  for (const r of report.results) {
    const why = r.status === "skipped" ? `  (needs ${r.skippedBy.join(", ")})` : "";
    lines.push(`${row(r.id, r.status, r.status === "skipped" ? "-" : `${r.ms} ms`)}${why}`);
  }
  const failures = report.results.filter((r) => r.status === "failed");
  if (failures.length > 0) lines.push("", "failures:", ...failures.map((r) => `  ${r.id}: ${r.detail}`));
  const notes = report.results.flatMap((r) => r.notes.map((note) => `  ${r.id}: ${note}`));
  if (notes.length > 0) lines.push("", "notes:", ...notes);
  lines.push("", `total ${report.ms} ms`);
  lines.push(`${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`);
  return lines.join("\n");
}
