import * as pulumi from "@pulumi/pulumi";
import { CloreClient, type EndpointName, type EndpointResponse, ENDPOINTS, resolveSettings } from "../sdk";
import { readCache, writeCache } from "./marketplace/cache";

/**
 * Read-only API calls made by the Pulumi *program* (getMarketplace, cost estimates), with the
 * provider's key lookup (clore:apiKey, CLORE_API_KEY, ~/.clore/config.json) and the disk
 * cache, so `pulumi preview` and `pulumi up` a minute apart share one call per endpoint.
 */
type ProgramEndpoint = "marketplace" | "renter_fees";
type Entry<E extends ProgramEndpoint> = { value: EndpointResponse<E>; fetchedAt: number };

// Calls in flight in this program, so N orders estimated at once (CloreBudget) or several
// getMarketplace calls share one request before the disk cache has an entry.
const inFlight = new Map<string, Promise<Entry<ProgramEndpoint>>>();

export function cachedProgramCall<E extends ProgramEndpoint>(endpoint: E, ttlMs: number): Promise<Entry<E>> {
  const key = `${endpoint}:${ttlMs > 0}`;
  let p = inFlight.get(key);
  if (!p) {
    p = fetchOrRead(endpoint, ttlMs).finally(() => inFlight.delete(key));
    inFlight.set(key, p);
  }
  return p as Promise<Entry<E>>;
}

async function fetchOrRead<E extends ProgramEndpoint>(endpoint: E, ttlMs: number): Promise<Entry<E>> {
  const settings = resolveSettings({ apiKey: programConfig("clore:apiKey"), baseUrl: programConfig("clore:baseUrl") });
  const cached = readCache<unknown>(endpoint, settings.apiKey, settings.baseUrl, ttlMs);
  if (cached) {
    // Cached entries hold the parsed answer; parse again to restore the convenience fields.
    return { value: (ENDPOINTS[endpoint as EndpointName].response.parse(cached.value) as EndpointResponse<E>), fetchedAt: cached.fetchedAt };
  }
  await using client = new CloreClient({ apiKey: settings.apiKey, baseUrl: settings.baseUrl });
  const value = await client.call(endpoint);
  writeCache(endpoint, settings.apiKey, settings.baseUrl, value);
  return { value, fetchedAt: Date.now() };
}

/** Stack config read raw (the key stays a plain string in this process only, never an output). */
function programConfig(key: string): string | undefined {
  try {
    return pulumi.runtime.getConfig(key) || undefined;
  } catch {
    return undefined;
  }
}
