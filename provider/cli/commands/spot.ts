import type { SpotOffer } from "../../sdk";
import { defineCommand } from "../command";
import { NONE, money, perDay, perDayPrices, plural, usd, yesNo } from "../format";
import { positiveInt } from "../parse";
import type { ListResult } from "../render";

export const spotCommand = defineCommand({
  name: "spot",
  args: [{ syntax: "<server_id>", description: "marketplace server id", parse: positiveInt }],
  summary: "Show the spot market of a server",
  description:
    "Show the spot bids on one server (per day, in the bid's currency, with a USD estimate) and its minimum spot prices.",
  examples: ["clore spot 41873", "clore spot 41873 --json | jq '.offers | map(.bid)'"],
  async run(ctx, args): Promise<ListResult<SpotOffer>> {
    const serverId = args[0] as number;
    const market = await ctx.client().spotMarketplace(serverId);
    const rates = market.currency_rates_in_usd ?? {};
    const inUsd = (amount: number, currency: string | null | undefined) => {
      const rate = currency ? rates[currency] : undefined;
      return typeof rate === "number" ? perDay(usd(amount * rate)) : NONE;
    };
    const offers = [...market.offers].sort(
      (a, b) => Number(b.active ?? false) - Number(a.active ?? false) || b.bid - a.bid,
    );
    return {
      kind: "list",
      json: market,
      header: market.exists
        ? [
            ["Server", String(serverId)],
            ["Minimum bid", perDayPrices(market.server?.min_pricing)],
            ["Max rental", typeof market.server?.mrl === "number" ? `${market.server.mrl} h` : NONE],
            ["Online", yesNo(market.server?.online)],
          ]
        : undefined,
      rows: offers,
      columns: [
        { header: "Order", value: (o) => o.offer_id, align: "right" },
        { header: "Bid", value: (o) => perDay(money(o.bid, o.currency)), align: "right" },
        { header: "≈USD", value: (o) => inUsd(o.bid, o.currency), align: "right" },
        { header: "Active", value: (o) => yesNo(o.active) },
        { header: "Mine", value: (o) => yesNo(o.my) },
      ],
      summary: `${plural(offers.length, "spot offer")}; ${offers.filter((o) => o.active).length} active.`,
      empty: market.exists ? `No spot offers on server ${serverId}.` : `Server ${serverId} has no spot market.`,
    };
  },
});
