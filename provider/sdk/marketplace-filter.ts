import type { MarketplaceServer } from "./models/marketplace";

/** The official Python SDK's client-side marketplace filters (the API has none). */
export interface MarketplaceFilters {
  /** GPU model substring, case-insensitive, e.g. "RTX 4090". */
  gpu?: string;
  minGpuCount?: number;
  minRamGb?: number;
  /** Maximum on-demand price in USD per hour (the official Python SDK's unit; the API prices per day). */
  maxPriceUsd?: number;
  /** Only servers not currently rented. Default true, as in the official Python SDK. */
  availableOnly?: boolean;
}

export function matchesFilters(s: MarketplaceServer, f: MarketplaceFilters): boolean {
  if ((f.availableOnly ?? true) && !s.available) return false;
  if (f.gpu) {
    const needle = f.gpu.toLowerCase();
    const names = [...(s.gpu_array ?? []), s.specs?.gpu ?? ""].map((n) => n.toLowerCase());
    if (!names.some((n) => n.includes(needle))) return false;
  }
  if (f.minGpuCount !== undefined && s.gpuCount < f.minGpuCount) return false;
  if (f.minRamGb !== undefined && (s.ramGb ?? 0) < f.minRamGb) return false;
  if (f.maxPriceUsd !== undefined && (s.priceUsdPerHour === undefined || s.priceUsdPerHour > f.maxPriceUsd))
    return false;
  return true;
}

export function filterMarketplace(servers: MarketplaceServer[], f: MarketplaceFilters = {}): MarketplaceServer[] {
  return servers.filter((s) => matchesFilters(s, f));
}
