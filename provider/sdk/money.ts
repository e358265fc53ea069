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
  const usdRate = perDay && o.original_price_usd != null ? o.original_price_usd / perDay : undefined;
  let spend = o.spend ?? undefined;
  let approximate = opts.feePercent !== undefined || usdRate !== undefined;
  if (spend === undefined && perDay !== undefined && o.ct != null && opts.nowMs !== undefined) {
    spend = estimateCost(perDay + feePerDay, opts.nowMs - o.ct * 1000) + (o.creation_fee ?? 0);
    approximate = true;
  }
  return {
    currency,
    perDay,
    perHour: perDay === undefined ? undefined : perDay / HOURS_PER_DAY,
    feePerDay,
    usdPerDay: o.original_price_usd ?? undefined,
    usdPerHour: o.original_price_usd == null ? undefined : o.original_price_usd / HOURS_PER_DAY,
    spend,
    spendUsd: spend === undefined || usdRate === undefined ? undefined : spend * usdRate,
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
