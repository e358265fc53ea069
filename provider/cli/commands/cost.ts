import { InvalidArgumentError } from "commander";
import { defineCommand } from "../command";
import { type CostGroup, type CostOrder, type CostReport, costReport, dailyChart } from "../cost/report";
import { CliError } from "../errors";
import { NONE, money, perDay, plural, usd } from "../format";
import { collect } from "../parse";
import type { CommandResult, ListResult } from "../render";
import { findStackFiles, readStateFile } from "../stack-state";
import type { Column } from "../table";

type By = "order" | "stack" | "day" | "gpu";
const BY: readonly By[] = ["order", "stack", "day", "gpu"];

interface CostOptions {
  state?: string[];
  backendDir?: string[];
  since?: number;
  until?: number;
  by: By;
  csv?: boolean;
  chart: boolean;
}

/** `2026-12-01`, `2026-12-01T12:00:00Z`, or `7d` (days before now) → ms since the epoch. */
export function parseWhen(value: string, nowMs: number = Date.now()): number {
  const rel = /^\s*(\d+)\s*d\s*$/.exec(value);
  if (rel) return nowMs - Number(rel[1]) * 86_400_000;
  if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())) {
    const ms = Date.parse(/T/.test(value) ? value : `${value.trim()}T00:00:00Z`);
    if (Number.isFinite(ms)) return ms;
  }
  throw new InvalidArgumentError("Expected a date (2026-12-01, UTC), a time (2026-12-01T12:00:00Z) or days ago (7d).");
}

function parseBy(value: string): By {
  if ((BY as readonly string[]).includes(value)) return value as By;
  throw new InvalidArgumentError(`Expected one of: ${BY.join(", ")}.`);
}

/** `$12.34`, or `350 CLORE (≈$0.88)`; `≈` where a rate is inferred or the range cut an order pro rata. */
function groupMoney(g: CostGroup): string {
  const parts = Object.entries(g.spend).map(([c, v]) => money(v, c));
  const native = parts.join(" + ") || money(0, "USD-Blockchain");
  const onlyUsd = Object.keys(g.spend).every((c) => c === "USD-Blockchain");
  if (onlyUsd) return `${g.approximate ? "≈" : ""}${native}`;
  const usdPart = g.usdComplete ? `≈${usd(g.spendUsd)}` : `≥${usd(g.spendUsd)}, some without a USD rate`;
  return `${native} (${usdPart})`;
}

function usdCell(g: { spendUsd: number | null; approximate: boolean; usdComplete?: boolean }): string {
  if (g.spendUsd === null) return "?";
  const mark = g.usdComplete === false ? "≥" : g.approximate ? "≈" : "";
  return `${mark}${usd(g.spendUsd)}`;
}

const orderColumns: Column<CostOrder>[] = [
  { header: "ID", value: (o) => o.id, align: "right" },
  { header: "Stack", value: (o) => o.stack },
  { header: "GPU", value: (o) => o.gpu },
  { header: "Server", value: (o) => o.serverId ?? NONE, align: "right" },
  { header: "Status", value: (o) => o.status },
  { header: "Created", value: (o) => (o.createdAt ? o.createdAt.slice(0, 16).replace("T", " ") : NONE) },
  { header: "Price", value: (o) => perDay(money(o.pricePerDay, o.currency)), align: "right" },
  { header: "Spent", value: (o) => money(o.spend, o.currency), align: "right" },
  { header: "USD", value: usdCell, align: "right" },
];

function groupColumns(keyHeader: string): Column<CostGroup>[] {
  return [
    { header: keyHeader, value: (g) => g.key },
    { header: "Orders", value: (g) => g.orders, align: "right" },
    {
      header: "Spent",
      value: (g) =>
        Object.entries(g.spend)
          .map(([c, v]) => money(v, c))
          .join(" + ") || NONE,
      align: "right",
    },
    { header: "USD", value: usdCell, align: "right" },
  ];
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csv = (rows: unknown[][]) => `${rows.map((r) => r.map(csvCell).join(",")).join("\n")}\n`;

/** Machine-readable rows: raw numbers (no units), one row per order or group and currency. */
function csvText(report: CostReport, by: By): string {
  if (by === "order") {
    return csv([
      [
        "order_id",
        "stack",
        "gpu",
        "server_id",
        "status",
        "created_at",
        "currency",
        "price_per_day",
        "spend",
        "spend_usd",
        "approximate",
      ],
      ...report.orders.map((o) => [
        o.id,
        o.stack,
        o.gpu,
        o.serverId,
        o.status,
        o.createdAt,
        o.currency,
        o.pricePerDay,
        o.spend,
        o.spendUsd,
        o.approximate,
      ]),
    ]);
  }
  const groups = by === "stack" ? report.byStack : by === "day" ? report.byDay : report.byGpu;
  const rows: unknown[][] = [[by, "orders", "currency", "spend", "spend_usd", "usd_complete", "approximate"]];
  for (const g of groups) {
    const entries = Object.entries(g.spend);
    if (!entries.length) rows.push([g.key, g.orders, "", 0, 0, true, false]);
    // USD per currency row: the group's USD split over its currencies is not known, so it is on the first row only.
    for (const [i, [c, v]] of entries.entries())
      rows.push([g.key, g.orders, c, v, i === 0 ? g.spendUsd : "", g.usdComplete, g.approximate]);
  }
  return csv(rows);
}

export const costCommand = defineCommand<CostOptions>({
  name: "cost",
  summary: "What your orders spent: per order, stack, day and GPU, with a daily chart",
  description:
    "Spend of your orders, active and ended (my_orders with completed orders), as the API reports it, over an optional " +
    "time range. Each order's spend is spread evenly from its creation over spend ÷ price days (the API gives no end " +
    "time), so per-day figures and a range that cuts an order are estimates, marked ≈. Totals are per currency with " +
    "the USD equivalent (exact for USD orders, ≈ from original_price_usd otherwise). Give the Pulumi stack states " +
    "(--state, --backend-dir, as for `clore orphans`) to see spend per stack.",
  configure(cmd) {
    cmd
      .option(
        "--since <when>",
        "from this date/time (UTC; 2026-12-01, 2026-12-01T12:00:00Z, or 7d for 7 days ago)",
        (v) => parseWhen(v),
      )
      .option("--until <when>", "up to this date/time (same forms as --since)", (v) => parseWhen(v))
      .option("--by <what>", `rows of the table and CSV: ${BY.join(", ")}`, parseBy, "order")
      .option("--state <file>", "a `pulumi stack export` JSON file, for spend per stack; repeatable", collect)
      .option("--backend-dir <dir>", "a local backend directory (`pulumi login file://DIR`); repeatable", collect)
      .option("--csv", "print CSV (raw numbers) instead of the table")
      .option("--no-chart", "leave out the daily spend chart");
  },
  examples: [
    "clore cost",
    "clore cost --since 7d --by day",
    "clore cost --backend-dir ~/pulumi-state --by stack",
    "clore cost --since 2026-12-01 --until 2026-12-08 --csv > december.csv",
    "clore cost --json | jq .totals",
  ],
  async run(ctx, _args, o): Promise<CommandResult> {
    if (o.since !== undefined && o.until !== undefined && o.until <= o.since) {
      throw new CliError("--until must be after --since.", { hint: "Swap them, or widen the range." });
    }
    if (o.csv && ctx.output.json) {
      throw new CliError("--csv and --json cannot be used together.", { hint: "Pick one output format." });
    }
    const files = [...(o.state ?? [])];
    for (const dir of o.backendDir ?? []) {
      const found = findStackFiles(dir);
      if (!found.length) {
        throw new CliError(`no stack files under ${dir}/.pulumi/stacks.`, {
          hint: "Check the directory, or pass exported stacks with --state FILE.",
        });
      }
      files.push(...found);
    }
    const stackOf = new Map<number, string>();
    for (const s of files.map(readStateFile)) for (const k of s.orders) stackOf.set(k.orderId, s.stack ?? s.source);

    const orders = await ctx.client().myOrders({ includeCompleted: true });
    const report = costReport({ orders, stackOf, sinceMs: o.since, untilMs: o.until });
    if (o.csv) return { kind: "message", json: report, text: csvText(report, o.by).trimEnd() };

    const totals = report.totals.map(groupMoney).join(", ") || money(0, "USD-Blockchain");
    const anyUsd = report.total.spendUsd > 0 || report.total.usdComplete;
    const header: Array<[string, string]> = [
      [
        "Range",
        `${report.since?.slice(0, 16).replace("T", " ") ?? "start"} → ${report.until?.slice(0, 16).replace("T", " ") ?? "now"} (UTC)`,
      ],
      ["Total", totals],
    ];
    if (report.totals.length > 1 && anyUsd) header.push(["Total in USD", usdCell(report.total)]);
    const notes: string[] = [];
    if (o.chart && report.byDay.length) {
      notes.push(["Daily spend (USD):", ...dailyChart(report.byDay, usdCell)].join("\n"));
    }
    if (report.orders.some((x) => x.approximate))
      notes.push("≈: estimated (an inferred USD rate, or spend spread over days pro rata; see `clore cost --help`).");
    const base = { json: report, header, notes, summary: `${plural(report.orders.length, "order")}.` };
    const empty = o.since !== undefined || o.until !== undefined ? "No spend in that range." : "No orders found.";
    const result: ListResult =
      o.by === "order"
        ? { kind: "list", ...base, rows: report.orders, columns: orderColumns, empty }
        : {
            kind: "list",
            ...base,
            rows: o.by === "stack" ? report.byStack : o.by === "day" ? report.byDay : report.byGpu,
            columns: groupColumns(o.by === "stack" ? "Stack" : o.by === "day" ? "Day" : "GPU"),
            empty,
          };
    return result;
  },
});
