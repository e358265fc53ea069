import * as pulumi from "@pulumi/pulumi";
import { parseOrThrow } from "../../sdk";
import { cachedProgramCall } from "../program-api";
import { MarketplaceArgs, type MarketplaceResult, cheapestOf, selectOffers } from "./filters";

/**
 * Search the Clore marketplace from a Pulumi program. Dynamic providers cannot serve
 * invokes, so this runs in the program itself, with the same key lookup as the provider
 * (clore:apiKey, CLORE_API_KEY, ~/.clore/config.json) and a short disk cache.
 *
 *     const gpus = await getMarketplace({ gpu: "RTX 4090", currency: "USD-Blockchain", maxPricePerDay: 5 });
 *     const serverId = gpus.cheapest?.id;
 */
export async function getMarketplace(args: MarketplaceArgs = {}): Promise<MarketplaceResult> {
  const parsed = parseOrThrow(MarketplaceArgs, args, "getMarketplace");
  const entry = await cachedProgramCall("marketplace", parsed.cacheTtlSeconds * 1000);
  const offers = selectOffers(entry.value.servers, parsed);
  return { servers: offers, cheapest: cheapestOf(offers), fetchedAt: new Date(entry.fetchedAt).toISOString() };
}

/** The Output form, for arguments that are themselves outputs. */
export function getMarketplaceOutput(args: pulumi.Input<MarketplaceArgs> = {}): pulumi.Output<MarketplaceResult> {
  return pulumi.output(args).apply((a) => getMarketplace(a as MarketplaceArgs));
}
