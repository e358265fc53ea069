import { type Order, orderMoney, spendWindow, spreadByDay, usdRate } from "../../sdk";
import { orderGpu } from "../order-view";

/**
 * What `clore cost` reports, computed from my_orders (active and ended) and the stacks'
 * order ids. Pure: no I/O, no clock. Each order's spend is the API's `spend`; spread over
 * days (and clipped to --since/--until) pro rata over the window money.ts infers for it.
 */

export const NO_STACK = "(no stack)";

export interface CostOrder {
  id: number;
  serverId: number | null;
  stack: string;
  gpu: string;
  status: "active" | "ended";
  /** Creation time, ISO. */
  createdAt: string | null;
  /** Inferred end of billing (ct + spend/price days), ISO. */
  billedUntil: string | null;
  currency: string;
  pricePerDay: number | null;
  pricePerDayUsd: number | null;
  /** Spent within the range, in `currency`. */
  spend: number;
  spendUsd: number | null;
  /** True when the USD figure rests on an inferred rate, or the range cut the order's spend pro rata. */
  approximate: boolean;
  /** Spent within the range per UTC day, in `currency`. */
  days: Array<{ day: string; amount: number }>;
}

/** Spend grouped by one key (stack, day or GPU): per currency, and in USD where every part has a rate. */
export interface CostGroup {
  key: string;
  orders: number;
  spend: Record<string, number>;
  /** USD equivalent of the part with a known rate. */
  spendUsd: number;
  /** Spend in a currency without a known USD rate is left out of `spendUsd`. */
  usdComplete: boolean;
  approximate: boolean;
}

export interface CostReport {
  since: string | null;
  until: string | null;
  orders: CostOrder[];
  byStack: CostGroup[];
  byDay: CostGroup[];
  byGpu: CostGroup[];
  /** One group per currency (key = currency). */
  totals: CostGroup[];
  total: CostGroup;
}

export interface CostInput {
  orders: readonly Order[];
  /** order id → `project/stack`. */
  stackOf?: ReadonlyMap<number, string>;
  sinceMs?: number;
  untilMs?: number;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function costOrder(o: Order, stackOf: ReadonlyMap<number, string>, range: { fromMs?: number; toMs?: number }) {
  const money = orderMoney(o);
  const window = spendWindow(o);
  const full = o.spend ?? 0;
  const ranged = range.fromMs !== undefined || range.toMs !== undefined;
  const days = window ? spreadByDay(full, window, range) : [];
  // Without a creation time the order cannot be placed in a range: counted only without one.
  const spend = window ? days.reduce((t, d) => t + d.amount, 0) : ranged ? 0 : full;
  const clipped = window !== undefined && Math.abs(spend - full) > 1e-12;
  const rate = usdRate(o);
  const row: CostOrder = {
    id: o.id,
    serverId: o.serverId ?? null,
    stack: stackOf.get(o.id) ?? NO_STACK,
    gpu: orderGpu(o),
    status: o.expired ? "ended" : "active",
    createdAt: iso(window?.startMs),
    billedUntil: iso(window?.endMs),
    currency: o.currency ?? "unknown",
    pricePerDay: o.price ?? null,
    pricePerDayUsd: money.usdPerDay ?? null,
    spend,
    spendUsd: rate ? spend * rate.rate : null,
    approximate: Boolean(rate?.approximate) || clipped,
    days,
  };
  return row;
}

class Grouper {
  readonly groups = new Map<string, CostGroup>();
  add(key: string, o: CostOrder, amount: number, approximate = o.approximate): void {
    let g = this.groups.get(key);
    if (!g) {
      g = { key, orders: 0, spend: {}, spendUsd: 0, usdComplete: true, approximate: false };
      this.groups.set(key, g);
    }
    g.orders += 1;
    g.spend[o.currency] = (g.spend[o.currency] ?? 0) + amount;
    if (o.spendUsd === null) g.usdComplete = false;
    else g.spendUsd += o.spend ? (o.spendUsd * amount) / o.spend : 0;
    g.approximate ||= approximate;
  }
  sorted(by: "key" | "usd"): CostGroup[] {
    const list = [...this.groups.values()];
    return by === "key"
      ? list.sort((a, b) => a.key.localeCompare(b.key))
      : list.sort((a, b) => b.spendUsd - a.spendUsd);
  }
}

export function costReport(input: CostInput): CostReport {
  const range = { fromMs: input.sinceMs, toMs: input.untilMs };
  const stackOf = input.stackOf ?? new Map();
  const orders = input.orders
    .map((o) => costOrder(o, stackOf, range))
    // Orders with nothing in the range (and no spend at all) are left out.
    .filter((o) => o.spend > 0 || o.days.length > 0)
    .sort((a, b) => (a.createdAt ?? "").localeCompare(b.createdAt ?? "") || a.id - b.id);
  const stacks = new Grouper();
  const gpus = new Grouper();
  const days = new Grouper();
  const currencies = new Grouper();
  const all = new Grouper();
  for (const o of orders) {
    stacks.add(o.stack, o, o.spend);
    gpus.add(o.gpu, o, o.spend);
    currencies.add(o.currency, o, o.spend);
    all.add("total", o, o.spend);
    // A day's share of an order that ran over several days is an estimate (see spendWindow).
    for (const d of o.days) days.add(d.day, o, d.amount, o.approximate || o.days.length > 1);
  }
  return {
    since: iso(input.sinceMs),
    until: iso(input.untilMs),
    orders,
    byStack: stacks.sorted("usd"),
    byDay: fillDays(days.sorted("key")),
    byGpu: gpus.sorted("usd"),
    totals: currencies.sorted("key"),
    total: all.groups.get("total") ?? {
      key: "total",
      orders: 0,
      spend: {},
      spendUsd: 0,
      usdComplete: true,
      approximate: false,
    },
  };
}

/** Days without spend between the first and the last are shown as empty, so the chart's time axis has no gaps. */
function fillDays(days: CostGroup[]): CostGroup[] {
  if (days.length < 2) return days;
  const out: CostGroup[] = [];
  const byKey = new Map(days.map((d) => [d.key, d]));
  const last = Date.parse(days[days.length - 1].key);
  for (let t = Date.parse(days[0].key); t <= last; t += 86_400_000) {
    const key = new Date(t).toISOString().slice(0, 10);
    out.push(byKey.get(key) ?? { key, orders: 0, spend: {}, spendUsd: 0, usdComplete: true, approximate: false });
  }
  return out;
}

const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/** A horizontal bar of `value / max` × `width` cells in block characters (eighths at the tip). */
export function bar(value: number, max: number, width = 40): string {
  if (!(max > 0) || !(value > 0)) return "";
  const cells = Math.min(width, (value / max) * width);
  const eighths = Math.round(cells * 8);
  const s = "█".repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
  return s || "▏";
}

/** The daily spend chart: one line per day, `2026-12-05 │████▌        $12.34`. */
export function dailyChart(days: CostGroup[], fmt: (g: CostGroup) => string, width = 40): string[] {
  const max = Math.max(0, ...days.map((d) => d.spendUsd));
  return days.map((d) => `${d.key} │${bar(d.spendUsd, max, width).padEnd(width)} ${fmt(d)}`);
}
