/**
 * One home for money: what an order costs per day and per hour (in its currency and in USD),
 * the renter fee on top, what it has spent so far and what it will cost for a duration.
 * Pure: no I/O, no clock of its own (pass `nowMs`). Figures built on inferred API facts
 * (`original_price_usd` as the USD price per day, the fee as a percentage of the host price)
 * are marked `approximate` so renderers can show "≈".
 */

export interface OrderMoneyInput {
  /** Host price per day in `currency` (spot: the bid). */
  price?: number | null;
  currency?: string | null;
  /** USD price per day as the API reports it [inferred]. */
  original_price_usd?: number | null;
  /** One-time creation fee in `currency`. */
  creation_fee?: number | null;
  /** Spend so far in `currency`, as the API reports it. */
  spend?: number | null;
  /** Creation time, Unix seconds. */
  ct?: number | null;
}

export interface Money {
  currency: string;
  perDay?: number;
  perHour?: number;
  feePerDay: number;
  usdPerDay?: number;
  usdPerHour?: number;
  /** Spend so far in `currency` (the API's figure when given, else estimated from `ct`). */
  spend?: number;
  spendUsd?: number;
  /** True when any figure rests on an inferred rate or fee. */
  approximate: boolean;
}

const HOURS_PER_DAY = 24;
const MS_PER_DAY = 86_400_000;

/** Money figures for one order. `feePercent` is the renter fee (percent of the host price). */
export function orderMoney(o: OrderMoneyInput, opts: { feePercent?: number; nowMs?: number } = {}): Money {
  const currency = o.currency ?? "unknown";
  const perDay = o.price ?? undefined;
  const feePerDay = perDay === undefined ? 0 : (perDay * (opts.feePercent ?? 0)) / 100;
  const rate = usdRate(o);
  const usdPerDay = o.original_price_usd ?? (rate && perDay !== undefined ? perDay * rate.rate : undefined);
  let spend = o.spend ?? undefined;
  let approximate = opts.feePercent !== undefined || Boolean(rate?.approximate);
  if (spend === undefined && perDay !== undefined && o.ct != null && opts.nowMs !== undefined) {
    spend = estimateCost(perDay + feePerDay, opts.nowMs - o.ct * 1000) + (o.creation_fee ?? 0);
    approximate = true;
  }
  return {
    currency,
    perDay,
    perHour: perDay === undefined ? undefined : perDay / HOURS_PER_DAY,
    feePerDay,
    usdPerDay,
    usdPerHour: usdPerDay === undefined ? undefined : usdPerDay / HOURS_PER_DAY,
    spend,
    spendUsd: spend === undefined || rate === undefined ? undefined : spend * rate.rate,
    approximate,
  };
}

/** Cost of running at `perDay` for `durationMs` (pro rata, never negative). */
export function estimateCost(perDay: number, durationMs: number): number {
  return (perDay * Math.max(0, durationMs)) / MS_PER_DAY;
}

/** "≈1.2345 CLORE" style rendering; `≈` when the figure is approximate. */
export function formatMoney(amount: number | undefined, currency: string, approximate = false): string {
  if (amount === undefined) return "?";
  return `${approximate ? "≈" : ""}${amount.toFixed(4)} ${currency}`;
}

/** The currency whose unit is one US dollar. */
export const USD_CURRENCY = "USD-Blockchain";

/**
 * USD per unit of the order's currency: exactly 1 for USD-Blockchain; otherwise
 * `original_price_usd / price` (approximate: an inferred field), or undefined when unknown.
 */
export function usdRate(o: OrderMoneyInput): { rate: number; approximate: boolean } | undefined {
  if (o.currency === USD_CURRENCY) return { rate: 1, approximate: false };
  if (o.price && o.original_price_usd != null) return { rate: o.original_price_usd / o.price, approximate: true };
  return undefined;
}

/**
 * When an order's spend accrued, in ms since the epoch: from `ct` for `spend / price` days.
 * The API gives no end time, so this window is inferred (billing may start at boot, and a
 * changed spot bid changes the rate); undefined without `ct`.
 */
export function spendWindow(o: OrderMoneyInput): { startMs: number; endMs: number } | undefined {
  if (o.ct == null) return undefined;
  const startMs = o.ct * 1000;
  const days = o.price && o.spend ? o.spend / o.price : 0;
  return { startMs, endMs: startMs + days * MS_PER_DAY };
}

/** `amount` spread evenly over [startMs, endMs], clipped to [fromMs, toMs] and split at UTC midnights. */
export function spreadByDay(
  amount: number,
  window: { startMs: number; endMs: number },
  range: { fromMs?: number; toMs?: number } = {},
): Array<{ day: string; amount: number }> {
  const { startMs, endMs } = window;
  const from = Math.max(startMs, range.fromMs ?? -Infinity);
  const to = Math.min(endMs, range.toMs ?? Infinity);
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  if (endMs <= startMs) {
    // No length (nothing spent yet, or no price): all of it on the start day, if in range.
    return startMs >= from && startMs <= to && amount ? [{ day: day(startMs), amount }] : [];
  }
  const out: Array<{ day: string; amount: number }> = [];
  for (let t = from; t < to; ) {
    const next = Math.min(to, (Math.floor(t / MS_PER_DAY) + 1) * MS_PER_DAY);
    out.push({ day: day(t), amount: (amount * (next - t)) / (endMs - startMs) });
    t = next;
  }
  return out;
}

/** What one order cost over a job: its spend in its currency and in USD. */
export interface OrderCost {
  currency: string;
  amount?: number;
  usd?: number;
  /** "spend": the API's own figure; "estimate": price × duration (the API gave no spend). */
  source: "spend" | "estimate";
  /** True when the figure is estimated or converted at an inferred rate. */
  approximate: boolean;
}

/**
 * The cost of an order that ran for `durationMs`: the API's `spend` when it reports one,
 * otherwise the price (plus the creation fee) pro rata for the duration, marked approximate.
 */
export function orderCost(o: OrderMoneyInput, durationMs: number): OrderCost {
  const rate = usdRate(o);
  const currency = o.currency ?? "unknown";
  const spent = o.spend ?? undefined;
  const amount = spent ?? (o.price == null ? undefined : estimateCost(o.price, durationMs) + (o.creation_fee ?? 0));
  return {
    currency,
    amount,
    usd: amount === undefined || rate === undefined ? undefined : amount * rate.rate,
    source: spent === undefined ? "estimate" : "spend",
    approximate: spent === undefined || Boolean(rate?.approximate),
  };
}

/** `0.0123 USD-Blockchain`, or `≈12.3400 CLORE-Blockchain (≈$0.0310)` when converted; "?" when unknown. */
export function formatCost(c: OrderCost | undefined): string {
  if (c?.amount === undefined) return "?";
  const native = formatMoney(c.amount, c.currency, c.approximate);
  if (c.currency === USD_CURRENCY || c.usd === undefined) return native;
  return `${native} (≈$${c.usd.toFixed(4)})`;
}

/**
 * How long an order may keep running from now before its spend reaches `capUsd`, with
 * `reserveMs` of running kept in hand (stopping, downloading and destroying bill too):
 * 0 means stop now, Infinity when it costs nothing per day.
 */
export function msUntilCap(capUsd: number, spentUsd: number, usdPerDay: number, reserveMs = 0): number {
  if (!(usdPerDay > 0)) return spentUsd >= capUsd ? 0 : Number.POSITIVE_INFINITY;
  return Math.max(0, ((capUsd - spentUsd) / usdPerDay) * MS_PER_DAY - reserveMs);
}
