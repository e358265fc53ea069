import { NONE } from "./format";

export interface Column<Row> {
  header: string;
  value: (row: Row) => string | number | undefined;
  /** Numbers and money read better right-aligned. Default left. */
  align?: "left" | "right";
  /** Longer values are cut with `…` (image names, addresses). */
  maxWidth?: number;
}

/** Display width in terminal cells; our symbols (×, …, ≈) are all one cell wide. */
function width(s: string): number {
  return [...s].length;
}

function truncate(s: string, max: number | undefined): string {
  if (!max || width(s) <= max) return s;
  return `${[...s].slice(0, Math.max(1, max - 1)).join("")}…`;
}

function pad(s: string, w: number, align: "left" | "right"): string {
  const fill = " ".repeat(Math.max(0, w - width(s)));
  return align === "right" ? fill + s : s + fill;
}

/**
 * Aligned columns with an upper-case header, two spaces apart (kubectl / gh style, so the
 * output stays greppable). Returns the lines without a trailing newline.
 */
export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) =>
    columns.map((c) => {
      const v = c.value(row);
      const s = v === undefined || v === null || v === "" ? NONE : String(v).replace(/\s+/g, " ");
      return truncate(s, c.maxWidth);
    }),
  );
  const widths = columns.map((c, i) => Math.max(width(c.header), ...cells.map((r) => width(r[i]))));
  const line = (values: string[]) =>
    values
      .map((v, i) =>
        pad(
          v,
          widths[i],
          i === values.length - 1 && columns[i].align !== "right" ? "left" : (columns[i].align ?? "left"),
        ),
      )
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join("\n");
}

/** `Label   value` pairs, labels padded to one width. */
export function renderFields(fields: ReadonlyArray<readonly [string, string | undefined]>, indent = "  "): string {
  const shown = fields.filter(([, v]) => v !== undefined);
  const w = Math.max(0, ...shown.map(([k]) => width(k)));
  return shown.map(([k, v]) => `${indent}${pad(k, w, "left")}  ${v === "" ? NONE : v}`).join("\n");
}
