import { EXIT } from "./errors";
import { renderFields, renderTable, type Column } from "./table";
import type { Output } from "./output";

type Fields = ReadonlyArray<readonly [string, string | undefined]>;

interface ResultBase {
  /** The whole --json document: exactly this value, nothing else on stdout. */
  json: unknown;
  /** Human notes after the data (stdout; not printed with --json). */
  notes?: string[];
  /** Said on stderr in both modes, e.g. "2 stack files had no Clore orders". */
  warnings?: string[];
  /** Work done only in part: rendered, then reported on stderr with exit code 3. */
  partial?: { message: string; items: string[]; hint?: string };
}

/** A listing: a table, a count line, or the empty-state line when there are no rows. */
// biome-ignore lint/suspicious/noExplicitAny: a listing of any row type; CommandResult holds every command's.
export interface ListResult<Row = any> extends ResultBase {
  kind: "list";
  /** Label/value lines printed above the table (e.g. a server's minimum prices). */
  header?: Fields;
  rows: readonly Row[];
  columns: ReadonlyArray<Column<Row>>;
  /** Count line, e.g. "3 orders." */
  summary?: string;
  /** e.g. "No orders found." */
  empty: string;
}

/** One object: a title line and aligned label/value lines. */
export interface RecordResult extends ResultBase {
  kind: "record";
  title: string;
  fields: Fields;
}

/** A sentence (config set, cancel) or raw text (config get, ssh). */
export interface MessageResult extends ResultBase {
  kind: "message";
  text: string;
}

export type CommandResult = ListResult | RecordResult | MessageResult;

/** The one place command results become output. Returns the exit code. */
export function render(result: CommandResult, out: Output): number {
  if (out.json) {
    out.stdout(`${JSON.stringify(result.json, null, 2)}\n`);
  } else {
    const blocks: string[] = [];
    switch (result.kind) {
      case "list":
        if (result.header?.length) blocks.push(renderFields(result.header, ""));
        if (result.rows.length === 0) {
          blocks.push(result.empty);
        } else {
          blocks.push(renderTable(result.rows, result.columns));
          if (result.summary) blocks.push(result.summary);
        }
        break;
      case "record":
        blocks.push(result.fields.length ? `${result.title}\n${renderFields(result.fields)}` : result.title);
        break;
      case "message":
        if (result.text) blocks.push(result.text);
        break;
    }
    if (result.notes?.length) blocks.push(result.notes.join("\n"));
    if (blocks.length) out.stdout(`${blocks.join("\n\n")}\n`);
  }
  for (const w of result.warnings ?? []) out.warn(w);
  if (result.partial) {
    out.stderr(`Error: ${result.partial.message}\n`);
    for (const item of result.partial.items) out.stderr(`  ${item}\n`);
    if (result.partial.hint) out.stderr(`${result.partial.hint}\n`);
    return EXIT.PARTIAL;
  }
  return EXIT.OK;
}
