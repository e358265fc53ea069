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

// The program's own copy of each answer: N orders estimated at once (CloreBudget) or several
// getMarketplace calls share one request while it is in flight, and the answer while it is
// younger than the caller's ttl, without going back to the config file and the disk cache.
const memo = new Map<string, { entry: Promise<Entry<ProgramEndpoint>>; fetchedAt?: number }>();

export function cachedProgramCall<E extends ProgramEndpoint>(endpoint: E, ttlMs: number): Promise<Entry<E>> {
  const key = `${endpoint}:${ttlMs > 0}`;
  const hit = memo.get(key);
  if (hit && (hit.fetchedAt === undefined || Date.now() - hit.fetchedAt <= ttlMs)) return hit.entry as Promise<Entry<E>>;
  const slot: { entry: Promise<Entry<ProgramEndpoint>>; fetchedAt?: number } = { entry: fetchOrRead(endpoint, ttlMs) };
  memo.set(key, slot);
  slot.entry.then(
    (e) => (slot.fetchedAt = e.fetchedAt),
    () => memo.get(key) === slot && memo.delete(key),
  );
  return slot.entry as Promise<Entry<E>>;
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
