import { CancelBatcher, CloreClient, type MarketplaceServer, keyFingerprint, resolveSettings } from "../sdk";

/**
 * Process state of the provider plugin. The serialized shim captures nothing; the plugin
 * calls `configure` with the stack's config and we keep a *reader* of it, so the key is
 * looked up at call time: clore:apiKey → CLORE_API_KEY → ~/.clore/config.json.
 */
interface ConfigReader {
  get(key: string): string | undefined;
}

let stackConfig: ConfigReader | undefined;

export function configure(config: ConfigReader | undefined): void {
  stackConfig = config;
}

const clients = new Map<string, CloreClient>();

/**
 * The client for the current key and base URL. One per key in the process, so every
 * resource shares its rate limiter and its coalesced my_orders polls.
 */
export function currentClient(): CloreClient {
  const settings = resolveSettings({
    apiKey: stackConfig?.get("clore:apiKey") || undefined,
    baseUrl: stackConfig?.get("clore:baseUrl") || undefined,
  });
  const id = `${keyFingerprint(settings.apiKey)}@${settings.baseUrl}`;
  let client = clients.get(id);
  if (!client) {
    client = new CloreClient({ apiKey: settings.apiKey, baseUrl: settings.baseUrl });
    clients.set(id, client);
  }
  return client;
}

const batchers = new WeakMap<CloreClient, CancelBatcher>();

/** Cancel through the process-wide batcher of the client: concurrent deletes share calls. */
export function cancelOrder(client: CloreClient, orderId: number): Promise<void> {
  let batcher = batchers.get(client);
  if (!batcher) {
    batcher = new CancelBatcher(client);
    batchers.set(client, batcher);
  }
  return batcher.cancel(orderId);
}

const markets = new WeakMap<CloreClient, { at: number; servers: Promise<MarketplaceServer[]> }>();

/**
 * The whole marketplace for create-time checks (find-and-rent, maxPricePerDay): one request
 * shared by the orders being created together, reused for a few seconds. A stale entry only
 * costs a failover to the next candidate, never a wrong price (create_order checks it).
 */
export function marketplaceSnapshot(client: CloreClient, maxAgeMs = 5000): Promise<MarketplaceServer[]> {
  const cached = markets.get(client);
  if (cached && Date.now() - cached.at <= maxAgeMs) return cached.servers;
  const servers = client.call("marketplace").then((r) => r.servers);
  markets.set(client, { at: Date.now(), servers });
  servers.catch(() => markets.delete(client));
  return servers;
}

/** How old a my_orders answer may be for reads and delete checks (refresh of N costs one call). */
export const READ_MAX_AGE_MS = 2000;

