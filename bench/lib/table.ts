/** One row of the bench table: our numbers beside the floor and the naive baseline. */
export interface Row {
  scenario: string;
  /** "calls / 429s / writes" */
  ours: string;
  /** Wall time, or peak RSS for the memory row. */
  oursResult: string;
  floor: string;
  naive: string;
  naiveResult: string;
  target: string;
  met: boolean;
}

const HEADER = [
  "Scenario",
  "Ours: calls / 429s / writes",
  "Ours: wall (or RSS)",
  "Floor from the limits",
  "Naive: calls / 429s / writes",
  "Naive: wall (or RSS)",
  "Target",
  "Met",
];

/** The API bench's table. */
export function renderTable(rows: Row[]): string {
  return renderMarkdown(
    HEADER,
    rows.map((r) => [
      r.scenario,
      r.ours,
      r.oursResult,
      r.floor,
      r.naive,
      r.naiveResult,
      r.target,
      r.met ? "yes" : "**no**",
    ]),
  );
}

/** A Markdown table (readable as plain text too), so the output pastes into PERFORMANCE.md as is. */
export function renderMarkdown(header: string[], cells: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.map(line)].join("\n");
}

export function fmtS(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function fmtMb(mb: number | undefined): string {
  return mb === undefined || !Number.isFinite(mb) ? "n/a" : `${mb.toFixed(0)} MB`;
}
