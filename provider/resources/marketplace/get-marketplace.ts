import * as pulumi from "@pulumi/pulumi";
import { ownServerIds, parseOrThrow } from "../../sdk";
import type { GetMarketplaceArgs, GetMarketplaceResult } from "../generated/types";
import { programClient } from "../program-api";
import { MarketplaceArgs, cheapestOf, selectOffers } from "./filters";

/**
 * Search the Clore marketplace from a Pulumi program. Dynamic providers cannot serve
 * invokes, so this runs in the program itself, with the same key lookup as the provider
 * (clore:apiKey, CLORE_API_KEY, ~/.clore/config.json) and a short disk cache. Servers the
 * key hosts itself are left out unless `includeOwnServers` is set.
 *
 *     const gpus = await getMarketplace({ gpu: "RTX 4090", currency: "USD-Blockchain", maxPricePerDay: 5 });
 *     const serverId = gpus.cheapest?.id;
 */
export async function getMarketplace(args: GetMarketplaceArgs = {}): Promise<GetMarketplaceResult> {
  const parsed = parseOrThrow(MarketplaceArgs, args, "getMarketplace");
  const client = programClient();
  const maxAgeMs = parsed.cacheTtlSeconds * 1000;
  const market = await client.read("marketplace", {}, { maxAgeMs });
  const own = parsed.includeOwnServers ? new Set<number>() : await ownServerIds(client, market.value);
  const offers = selectOffers(market.value.servers.filter((s) => !own.has(s.id)), parsed);
  return { servers: offers, cheapest: cheapestOf(offers), fetchedAt: new Date(market.sentAt).toISOString() };
}

/** The Output form, for arguments that are themselves outputs. */
export function getMarketplaceOutput(args: pulumi.Input<GetMarketplaceArgs> = {}): pulumi.Output<GetMarketplaceResult> {
  return pulumi.output(args).apply((a) => getMarketplace(a as GetMarketplaceArgs));
}
