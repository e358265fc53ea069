/**
 * Human formats for the table view. Every money and time value carries its unit
 * (`$1.84/day`, `12 min`, `RTX 4090 ×2`) so nobody has to guess whether a price is per
 * hour or per day: the API prices per day, the official Python CLI's --max-price is per hour.
 */

export const NONE = "-";

/** Up to three significant digits, at least two decimals: 0.15 → "0.15", 0.0312 → "0.0312", 1.8437 → "1.84". */
function decimal(n: number): string {
  if (n === 0) return "0.00";
  const magnitude = Math.floor(Math.log10(Math.abs(n)));
  const digits = Math.min(8, Math.max(2, 2 - magnitude));
  let s = n.toFixed(digits);
  // Keep two decimals for cents, drop the rest of the trailing zeros.
  while (s.endsWith("0") && s.length - s.indexOf(".") - 1 > 2) s = s.slice(0, -1);
  return s;
}

export function usd(n: number | null | undefined): string {
  if (typeof n !== "number" || !Number.isFinite(n)) return NONE;
  return `${n < 0 ? "-" : ""}$${decimal(Math.abs(n))}`;
}

const CURRENCY_UNITS: Record<string, string> = { bitcoin: "BTC", "CLORE-Blockchain": "CLORE", "USD-Blockchain": "USD" };

/** Short unit of an API currency name: `CLORE-Blockchain` → `CLORE`. */
export function currencyUnit(currency: string | null | undefined): string {
  if (!currency) return "";
  return CURRENCY_UNITS[currency] ?? currency;
}

/** Decimals shown per currency: satoshis for BTC, hundredths for CLORE. */
const CURRENCY_DECIMALS: Record<string, number> = { bitcoin: 8, "CLORE-Blockchain": 2 };

/** An amount in an API currency: `$3.60` (USD-Blockchain), `350 CLORE`, `0.000022 BTC`. */
export function money(amount: number | null | undefined, currency: string | null | undefined): string {
  if (typeof amount !== "number" || !Number.isFinite(amount)) return NONE;
  if (currency === "USD-Blockchain" || currency === "usd") return usd(amount);
  const unit = currencyUnit(currency);
  const fixed = amount.toFixed(CURRENCY_DECIMALS[currency ?? ""] ?? 4);
  const plain = fixed.includes(".") ? fixed.replace(/0+$/, "").replace(/\.$/, "") : fixed;
  return unit ? `${plain} ${unit}` : plain;
}

export function perDay(s: string): string {
  return s === NONE ? s : `${s}/day`;
}

export function perHour(s: string): string {
  return s === NONE ? s : `${s}/h`;
}

/** `350 CLORE/day, $3.60/day` from a per-currency price map; currencies without a price are left out. */
export function perDayPrices(p: Readonly<Record<string, number | null | undefined>> | null | undefined): string {
  const parts = Object.entries(p ?? {})
    .filter(([, v]) => typeof v === "number")
    .map(([c, v]) => perDay(money(v, c)));
  return parts.length ? parts.join(", ") : NONE;
}

/** Seconds → `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`. */
export function duration(seconds: number | null | undefined): string {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return NONE;
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** Seconds since a Unix-seconds timestamp (`ct`), or undefined without one. */
export function ageSeconds(ct: number | null | undefined, nowMs: number = Date.now()): number | undefined {
  return typeof ct === "number" && ct > 0 ? Math.max(0, Math.round(nowMs / 1000 - ct)) : undefined;
}

/** `NVIDIA GeForce RTX 4090` → `RTX 4090`: the vendor prefix only costs table width. */
function shortGpuName(model: string | null | undefined): string {
  if (!model) return "";
  return model
    .replace(/^\s*\d+\s*x\s+/i, "")
    .replace(/^NVIDIA\s+(GeForce\s+)?/i, "")
    .replace(/^AMD\s+(Radeon\s+)?/i, "")
    .trim();
}

/** `RTX 4090 ×2`. */
export function gpu(model: string | null | undefined, count: number | null | undefined): string {
  const name = shortGpuName(model);
  if (!name) return count ? `${count} GPU${count === 1 ? "" : "s"}` : NONE;
  return count ? `${name} ×${count}` : name;
}

export function gigabytes(n: number | null | undefined): string {
  if (typeof n !== "number" || !Number.isFinite(n)) return NONE;
  return `${n >= 100 ? Math.round(n) : Math.round(n * 10) / 10} GB`;
}

/** Reliability is a fraction (0.9987); one source uses percent (98.5): accept both. */
export function percent(n: number | null | undefined): string {
  if (typeof n !== "number" || !Number.isFinite(n)) return NONE;
  const pct = n <= 1 ? n * 100 : n;
  return `${Math.round(pct * 100) / 100}%`;
}

/** `abcd…wxyz` for keys long enough that eight characters reveal little; `****` otherwise. */
export function maskSecret(value: string | null | undefined): string {
  if (!value) return NONE;
  return value.length >= 12 ? `${value.slice(0, 4)}…${value.slice(-4)}` : "****";
}

export function yesNo(b: boolean | null | undefined): string {
  return b === true ? "yes" : b === false ? "no" : NONE;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
