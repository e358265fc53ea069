import { z } from "zod";
import { CURRENCIES, type MarketplaceServer, ORDER_TYPES, matchesFilters } from "../../sdk";

/** What a server must offer: getMarketplace's filters and find-and-rent's criteria (CloreOrder `select`). */
export const SERVER_CRITERIA = {
  gpus: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .meta({ description: 'GPU model substrings, any of them, e.g. ["RTX 4090", "RTX 3090"].' }),
  minGpuCount: z.number().int().positive().optional().meta({ description: "Minimum number of GPUs." }),
  minRamGb: z.number().nonnegative().optional().meta({ description: "Minimum RAM in GB." }),
  minReliability: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .meta({ description: "Minimum reliability, a fraction 0..1 (e.g. 0.99)." }),
  minCudaVersion: z
    .string()
    .regex(/^\d+(\.\d+)*$/, 'must be a dotted version, e.g. "12.2"')
    .optional()
    .meta({ description: 'Minimum CUDA version, e.g. "12.2".' }),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, "must be a 2-letter ISO country code, e.g. FI")
    .optional()
    .meta({ description: "ISO country code of the host, e.g. FI." }),
};

/** getMarketplace's arguments: the official Python SDK's filters plus sort, limit and the rest. */
export const MarketplaceArgs = z.strictObject({
  gpu: z.string().min(1).optional().meta({ description: 'GPU model substring, case-insensitive, e.g. "RTX 4090".' }),
  ...SERVER_CRITERIA,
  maxPriceUsd: z
    .number()
    .positive()
    .optional()
    .meta({ description: "Maximum on-demand price in USD per hour (the official Python SDK's unit)." }),
  maxPricePerDay: z
    .number()
    .positive()
    .optional()
    .meta({ description: "Maximum price per day in `currency` (spot: the minimum bid)." }),
  availableOnly: z.boolean().default(true).meta({ description: "Only servers free to rent now. Default true." }),
  currency: z
    .enum(CURRENCIES)
    .optional()
    .meta({ description: "Only servers that accept this currency; prices are given in it." }),
  type: z.enum(ORDER_TYPES).default("on-demand").meta({ description: "Price by on-demand price or by spot minimum." }),
  sort: z.enum(["price", "reliability"]).default("price").meta({
    description: 'Order of `servers`: "price" (cheapest first, the default) or "reliability" (most reliable first).',
  }),
  limit: z
    .number()
    .int()
    .positive()
    .max(1000)
    .optional()
    .meta({ description: "At most this many servers, after sorting." }),
  includeOwnServers: z.boolean().default(false).meta({
    description: "Also list servers this API key hosts itself (so `cheapest` may be your own rig). Default false.",
  }),
  cacheTtlSeconds: z.number().int().nonnegative().max(3600).default(60).meta({
    description:
      "How long a marketplace answer is reused from the disk cache (shared by preview and up). 0 disables it.",
  }),
});
export type MarketplaceArgs = z.input<typeof MarketplaceArgs>;
export type MarketplaceArgsResolved = z.output<typeof MarketplaceArgs>;

/** A marketplace server as getMarketplace returns it: plain data, safe for stack outputs. */
export const MarketplaceOffer = z.object({
  id: z.number().int().meta({ description: "Server id, for CloreOrder's serverId." }),
  gpuModel: z.string().optional().meta({ description: 'GPU model, e.g. "NVIDIA GeForce RTX 4090".' }),
  gpuCount: z.number().int().meta({ description: "Number of GPUs." }),
  ramGb: z.number().optional().meta({ description: "RAM in GB." }),
  pricePerDay: z
    .number()
    .optional()
    .meta({ description: "Price per day in `currency` (or the USD equivalent when no currency was asked)." }),
  currency: z.string().optional().meta({ description: 'The currency of pricePerDay ("USD" for the USD equivalent).' }),
  priceUsdPerDay: z.number().optional().meta({ description: "On-demand price per day, in USD." }),
  priceUsdPerHour: z.number().optional().meta({ description: "On-demand price per hour, in USD." }),
  spotPriceUsdPerDay: z.number().optional().meta({ description: "Minimum spot price per day, in USD." }),
  reliability: z.number().optional().meta({ description: "Reliability, a fraction 0..1." }),
  cudaVersion: z.string().optional().meta({ description: "Highest CUDA version of the host." }),
  country: z.string().optional().meta({ description: "ISO country code of the host." }),
  allowedCurrencies: z.array(z.string()).meta({ description: "Currencies the host accepts." }),
  available: z.boolean().meta({ description: "Free to rent now." }),
  mrlHours: z.number().optional().meta({ description: "Maximum rental length, hours." }),
});
export type MarketplaceOffer = z.output<typeof MarketplaceOffer>;

export const MarketplaceResult = z.object({
  servers: z.array(MarketplaceOffer).meta({ description: "Matching servers, sorted by `sort`." }),
  cheapest: MarketplaceOffer.optional().meta({ description: "The cheapest match, or undefined when nothing matches." }),
  fetchedAt: z.string().meta({ description: "When the marketplace answer was fetched (ISO 8601)." }),
});
export type MarketplaceResult = z.output<typeof MarketplaceResult>;

/** "12.4" >= "12.2": dotted numeric versions, missing parts count as 0. */
export function versionAtLeast(have: string | null | undefined, want: string): boolean {
  if (!have) return false;
  const a = have.split(".").map(Number);
  const b = want.split(".").map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

function toOffer(s: MarketplaceServer, a: Pick<MarketplaceArgsResolved, "currency" | "type">): MarketplaceOffer {
  const tier = a.type === "spot" ? s.price?.spot : s.price?.on_demand;
  const inCurrency = a.currency ? tier?.[a.currency] : undefined;
  const usdDay = a.type === "spot" ? s.spotPriceUsdPerDay : s.priceUsdPerDay;
  return {
    id: s.id,
    gpuModel: s.gpuModel,
    gpuCount: s.gpuCount,
    ramGb: s.ramGb,
    pricePerDay: a.currency ? (inCurrency ?? undefined) : usdDay,
    currency: a.currency ?? (usdDay !== undefined ? "USD" : undefined),
    priceUsdPerDay: s.priceUsdPerDay,
    priceUsdPerHour: s.priceUsdPerHour,
    spotPriceUsdPerDay: s.spotPriceUsdPerDay,
    reliability: s.reliability ?? undefined,
    cudaVersion: s.cuda_version ?? undefined,
    country: s.location,
    allowedCurrencies: s.allowed_coins ?? [],
    available: s.available,
    mrlHours: s.mrl ?? undefined,
  };
}

/** Filter, sort and limit. Pure: the same servers and args give the same answer. */
export function selectOffers(servers: MarketplaceServer[], args: MarketplaceArgs): MarketplaceOffer[] {
  const a = MarketplaceArgs.parse(args);
  const offers = servers
    .filter((s) => matchesFilters(s, a))
    .filter((s) => !a.gpus || a.gpus.some((g) => matchesFilters(s, { gpu: g, availableOnly: false })))
    .filter((s) => a.minReliability === undefined || (s.reliability ?? 0) >= a.minReliability)
    .filter((s) => !a.minCudaVersion || versionAtLeast(s.cuda_version, a.minCudaVersion))
    .filter((s) => !a.country || s.location?.toUpperCase() === a.country.toUpperCase())
    .filter((s) => !a.currency || (s.allowed_coins ?? []).includes(a.currency))
    .map((s) => toOffer(s, a))
    .filter(
      (o) => a.maxPricePerDay === undefined || (o.pricePerDay !== undefined && o.pricePerDay <= a.maxPricePerDay),
    );
  const byPrice = (x: MarketplaceOffer, y: MarketplaceOffer) =>
    (x.pricePerDay ?? Infinity) - (y.pricePerDay ?? Infinity) ||
    (y.reliability ?? 0) - (x.reliability ?? 0) ||
    x.id - y.id;
  const byReliability = (x: MarketplaceOffer, y: MarketplaceOffer) =>
    (y.reliability ?? 0) - (x.reliability ?? 0) || byPrice(x, y);
  offers.sort(a.sort === "reliability" ? byReliability : byPrice);
  return a.limit ? offers.slice(0, a.limit) : offers;
}

export function cheapestOf(offers: MarketplaceOffer[]): MarketplaceOffer | undefined {
  return offers
    .filter((o) => o.pricePerDay !== undefined)
    .sort((x, y) => x.pricePerDay! - y.pricePerDay! || x.id - y.id)[0];
}
