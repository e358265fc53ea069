import * as pulumi from "@pulumi/pulumi";
import { parseOrThrow } from "../../sdk";
import type { GetMarketplaceArgs, GetMarketplaceResult } from "../generated/types";
import { programClient } from "../program-api";
import { MarketplaceArgs } from "./filters";
import { searchMarketplace } from "./search";

/**
 * Search the Clore marketplace from a Pulumi program. Dynamic providers cannot serve
 * invokes, so this runs in the program itself (the plugin's `clore:index:getMarketplace`
 * invoke runs the same search in the provider), with the same key lookup as the provider
 * (clore:apiKey, CLORE_API_KEY, ~/.clore/config.json) and a short disk cache. Servers the
 * key hosts itself are left out unless `includeOwnServers` is set.
 *
 *     const gpus = await getMarketplace({ gpu: "RTX 4090", currency: "USD-Blockchain", maxPricePerDay: 5 });
 *     const serverId = gpus.cheapest?.id;
 */
export async function getMarketplace(args: GetMarketplaceArgs = {}): Promise<GetMarketplaceResult> {
  return searchMarketplace(programClient(), parseOrThrow(MarketplaceArgs, args, "getMarketplace"));
}

/** The Output form, for arguments that are themselves outputs. */
export function getMarketplaceOutput(args: pulumi.Input<GetMarketplaceArgs> = {}): pulumi.Output<GetMarketplaceResult> {
  return pulumi.output(args).apply((a) => getMarketplace(a as GetMarketplaceArgs));
}
