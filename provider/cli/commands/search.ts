import { Option } from "commander";
import type { MarketplaceServer } from "../../sdk";
import { defineCommand } from "../command";
import { NONE, gigabytes, gpu, percent, perDay, perHour, plural, usd } from "../format";
import { nonNegativeNumber, positiveInt, positiveNumber } from "../parse";
import type { ListResult } from "../render";

const SORT_KEYS = ["price", "gpu", "ram", "reliability"] as const;
type SortKey = (typeof SORT_KEYS)[number];

interface SearchOptions {
  gpu?: string;
  minGpu?: number;
  minRam?: number;
  maxPrice?: number;
  sort: SortKey;
  limit: number;
  all?: boolean;
}

const missingLast = (v: number | undefined | null, dir: 1 | -1) => (typeof v === "number" ? v * dir : Infinity);

/** Cheapest first; for gpu/ram/reliability the biggest first. Ties: cheaper, then lower id. */
function sortServers(servers: MarketplaceServer[], key: SortKey): MarketplaceServer[] {
  const by: Record<SortKey, (s: MarketplaceServer) => number> = {
    price: (s) => missingLast(s.priceUsdPerHour, 1),
    gpu: (s) => missingLast(s.gpuCount, -1),
    ram: (s) => missingLast(s.ramGb, -1),
    reliability: (s) => missingLast(s.reliability, -1),
  };
  const price = by.price;
  return [...servers].sort((a, b) => by[key](a) - by[key](b) || price(a) - price(b) || a.id - b.id);
}

export const searchCommand = defineCommand<SearchOptions>({
  name: "search",
  summary: "Search the GPU marketplace",
  description:
    "Search the GPU marketplace. Filters run on your machine (the API has none); prices are the on-demand USD price, " +
    "shown per hour and per day. Without --all, rented servers are left out.",
  configure(cmd) {
    cmd
      .option("--gpu <model>", 'GPU model substring, case-insensitive (e.g. "RTX 4090")')
      .option("--min-gpu <count>", "minimum number of GPUs", positiveInt)
      .option("--min-ram <gb>", "minimum RAM in GB", nonNegativeNumber)
      .option("--max-price <usd>", "maximum on-demand price in USD per hour", positiveNumber)
      .addOption(
        new Option("--sort <key>", "sort by: price (cheapest first), gpu, ram, reliability (largest first)")
          .choices(SORT_KEYS)
          .default("price"),
      )
      .option("--limit <n>", "show at most this many servers", positiveInt, 20)
      .option("--all", "include servers that are rented right now");
  },
  examples: [
    'clore search --gpu "RTX 4090" --max-price 0.5',
    "clore search --min-gpu 4 --sort reliability --limit 5",
    "clore search --gpu A100 --json | jq '.[0].id'",
  ],
  async run(ctx, _args, o): Promise<ListResult<MarketplaceServer>> {
    const servers = await ctx.client().marketplace({
      gpu: o.gpu,
      minGpuCount: o.minGpu,
      minRamGb: o.minRam,
      maxPriceUsd: o.maxPrice,
      availableOnly: !o.all,
    });
    const sorted = sortServers(servers, o.sort);
    const shown = sorted.slice(0, o.limit);
    const columns: ListResult<MarketplaceServer>["columns"] = [
      { header: "ID", value: (s) => s.id, align: "right" },
      { header: "GPU", value: (s) => gpu(s.gpuModel, s.gpuCount) },
      { header: "VRAM", value: (s) => gigabytes(s.specs?.gpuram), align: "right" },
      { header: "RAM", value: (s) => gigabytes(s.ramGb), align: "right" },
      { header: "CPU", value: (s) => s.specs?.cpus ?? NONE, align: "right" },
      { header: "Price/h", value: (s) => perHour(usd(s.priceUsdPerHour)), align: "right" },
      { header: "Price/day", value: (s) => perDay(usd(s.priceUsdPerDay)), align: "right" },
      { header: "Spot/day", value: (s) => perDay(usd(s.spotPriceUsdPerDay)), align: "right" },
      { header: "Reliability", value: (s) => percent(s.reliability), align: "right" },
      { header: "Location", value: (s) => s.location ?? NONE },
      ...(o.all ? [{ header: "Rented", value: (s: MarketplaceServer) => (s.available ? "no" : "yes") }] : []),
    ];
    const more = sorted.length > shown.length ? ` Use --limit ${sorted.length} to see all.` : "";
    return {
      kind: "list",
      json: shown,
      rows: shown,
      columns,
      summary: `Showing ${shown.length} of ${plural(sorted.length, o.all ? "server" : "available server")}, sorted by ${o.sort}.${more}`,
      empty: o.all
        ? "No servers match these filters."
        : "No available servers match these filters. Try --all or fewer filters.",
      notes: shown.length
        ? [`Rent one with: clore deploy ${shown[0].id} --image <image> --currency <currency> --port 22:tcp`]
        : undefined,
    };
  },
});
