import { z } from "zod";
import { GpuArray, HOURS_PER_DAY, Pricing, Rating, Specs, parseGpuSpec } from "./common";

export const PriceUsd = z.looseObject({
  on_demand_clore: z.number().nullish(),
  on_demand_usd: z.number().nullish(),
  on_demand_btc: z.number().nullish(),
  spot: z.number().nullish(),
});

export const Price = z.looseObject({
  on_demand: Pricing.nullish(),
  spot: Pricing.nullish(),
  usd: PriceUsd.nullish(),
  original_usd: z
    .record(z.string(), z.looseObject({ on_demand: z.number().nullish(), spot: z.number().nullish() }))
    .nullish(),
});

const positive = (n: number | null | undefined): number | undefined => (typeof n === "number" && n > 0 ? n : undefined);

const MarketplaceServerWire = z.looseObject({
  id: z.number().int(),
  owner: z.number().nullish(),
  mrl: z.number().nullish(),
  price: Price.nullish(),
  rented: z.boolean().nullish(),
  specs: Specs.nullish(),
  reliability: z.number().nullish(),
  allowed_coins: z.array(z.string()).nullish(),
  rating: Rating.nullish(),
  gpu_array: GpuArray.nullish(),
  cuda_version: z.string().nullish(),
});

/**
 * A marketplace server with the official Python SDK's convenience values. Prices on the wire are
 * per day; we give per-day and per-hour USD so nobody has to guess the unit.
 */
export const MarketplaceServer = MarketplaceServerWire.transform((s) => {
  const gpu = parseGpuSpec(s.specs?.gpu);
  // on_demand_usd is 0 (not absent) when the server does not take USD-Blockchain; a 0 here
  // would make the server look free to the maxPriceUsd filter, so take the first positive one.
  const usdDay =
    positive(s.price?.usd?.on_demand_usd) ??
    positive(s.price?.usd?.on_demand_clore) ??
    positive(s.price?.usd?.on_demand_btc);
  const spotDay = s.price?.usd?.spot ?? undefined;
  return {
    ...s,
    /** GPU model, e.g. "NVIDIA GeForce RTX 4090". */
    gpuModel: s.gpu_array?.[0] ?? gpu.model,
    gpuCount: s.gpu_array?.length || gpu.count || 0,
    ramGb: s.specs?.ram ?? undefined,
    priceUsdPerDay: usdDay,
    priceUsdPerHour: usdDay === undefined ? undefined : usdDay / HOURS_PER_DAY,
    spotPriceUsdPerDay: spotDay,
    spotPriceUsdPerHour: spotDay === undefined ? undefined : spotDay / HOURS_PER_DAY,
    available: s.rented !== true,
    /** ISO country code of the host. */
    location: s.specs?.net?.cc ?? undefined,
  };
});
export type MarketplaceServer = z.output<typeof MarketplaceServer>;

export const MarketplaceResponse = z.looseObject({
  code: z.number().int(),
  servers: z.array(MarketplaceServer),
  /** Ids of the caller's own servers (docs example; absent from newer client types). */
  my_servers: z.array(z.number()).nullish(),
});
