import * as pulumi from "@pulumi/pulumi";
import { ValidationError, issuesFromZod } from "../../sdk";
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
  const parsed = MarketplaceArgs.safeParse(args, { reportInput: true });
  if (!parsed.success) {
    throw new ValidationError("getMarketplace", issuesFromZod(parsed.error));
  }
  const entry = await cachedProgramCall("marketplace", parsed.data.cacheTtlSeconds * 1000);
  const servers = entry.value.servers;
  const offers = selectOffers(servers, args);
  return { servers: offers, cheapest: cheapestOf(offers), fetchedAt: new Date(entry.fetchedAt).toISOString() };
}

/** The Output form, for arguments that are themselves outputs. */
export function getMarketplaceOutput(args: pulumi.Input<MarketplaceArgs> = {}): pulumi.Output<MarketplaceResult> {
  return pulumi.output(args).apply((a) => getMarketplace(a as MarketplaceArgs));
}
