import * as pulumi from "@pulumi/pulumi";
import { CloreClient, MarketplaceResponse, ValidationError, resolveSettings } from "../../sdk";
import { readCache, writeCache } from "./cache";
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
  const parsed = MarketplaceArgs.safeParse(args);
  if (!parsed.success) {
    throw new ValidationError("getMarketplace", parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })));
  }
  const settings = resolveSettings({ apiKey: programConfig("clore:apiKey"), baseUrl: programConfig("clore:baseUrl") });
  const ttlMs = parsed.data.cacheTtlSeconds * 1000;
  let entry = readCache<unknown>(settings.apiKey, settings.baseUrl, ttlMs);
  if (!entry) {
    await using client = new CloreClient({ apiKey: settings.apiKey, baseUrl: settings.baseUrl });
    const raw = await client.call("marketplace");
    entry = { value: raw, fetchedAt: Date.now() };
    writeCache(settings.apiKey, settings.baseUrl, raw);
  }
  // Cached entries hold the parsed answer; parse again to restore the convenience fields.
  const servers = MarketplaceResponse.parse(entry.value).servers;
  const offers = selectOffers(servers, args);
  return { servers: offers, cheapest: cheapestOf(offers), fetchedAt: new Date(entry.fetchedAt).toISOString() };
}

/** The Output form, for arguments that are themselves outputs. */
export function getMarketplaceOutput(args: pulumi.Input<MarketplaceArgs> = {}): pulumi.Output<MarketplaceResult> {
  return pulumi.output(args).apply((a) => getMarketplace(a as MarketplaceArgs));
}

/** Stack config read raw (the key stays a plain string in this process only, never an output). */
function programConfig(key: string): string | undefined {
  try {
    return pulumi.runtime.getConfig(key) || undefined;
  } catch {
    return undefined;
  }
}
