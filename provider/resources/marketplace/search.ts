import { type CloreClient, ownServerIds } from "../../sdk";
import type { GetMarketplaceResult } from "../generated/types";
import { type MarketplaceArgsResolved, cheapestOf, selectOffers } from "./filters";

/**
 * getMarketplace's one implementation, for both faces: the program's function (with the
 * program's client and its disk cache) and the plugin's `clore:index:getMarketplace` invoke
 * (with the provider's client). `args` are parsed already (defaults applied).
 */
export async function searchMarketplace(
  client: CloreClient,
  args: MarketplaceArgsResolved,
): Promise<GetMarketplaceResult> {
  const market = await client.read("marketplace", {}, { maxAgeMs: args.cacheTtlSeconds * 1000 });
  const own = args.includeOwnServers ? new Set<number>() : await ownServerIds(client, market.value);
  const offers = selectOffers(
    market.value.servers.filter((s) => !own.has(s.id)),
    args,
  );
  return { servers: offers, cheapest: cheapestOf(offers), fetchedAt: new Date(market.sentAt).toISOString() };
}
