import {
  type CacheStore,
  CancelBatcher,
  CloreClient,
  EVENTS_CONFIG,
  type EventBus,
  RATE_LIMIT_STORE_CONFIG,
  accountId,
  eventBusFor,
  eventsSetting,
  flushEventsOnSignal,
  resolveSettings,
} from "../sdk";
import { engineLog, inPlugin } from "./engine-log";

/**
 * Process state of the provider plugin and of the program. The serialized shim captures
 * nothing; the plugin calls `configure` with the stack's config and we keep a *reader* of
 * it, so the key is looked up at call time: clore:apiKey → CLORE_API_KEY → ~/.clore/config.json.
 */
export interface ConfigReader {
  get(key: string): string | undefined;
}

let stackConfig: ConfigReader | undefined;

export function configure(config: ConfigReader | undefined): void {
  stackConfig = config;
}

const clients = new Map<string, CloreClient>();

/**
 * The client for the current key and base URL, one per account in the process, so every
 * resource shares its rate limiter and its cache (coalesced my_orders polls, marketplace).
 * `config` defaults to what the plugin was configured with; the program passes its own, and
 * a disk store for its cache.
 */
export function currentClient(
  config: ConfigReader | undefined = stackConfig,
  store?: (account: string) => CacheStore,
): CloreClient {
  const settings = resolveSettings({
    apiKey: config?.get("clore:apiKey") || undefined,
    baseUrl: config?.get("clore:baseUrl") || undefined,
  });
  const account = accountId(settings.apiKey, settings.baseUrl);
  const id = `${account}${store ? "+disk" : ""}`;
  let client = clients.get(id);
  if (!client) {
    client = new CloreClient({
      apiKey: settings.apiKey,
      baseUrl: settings.baseUrl,
      cacheStore: store?.(account),
      rateLimitStore: config?.get(RATE_LIMIT_STORE_CONFIG) || undefined,
      rateLimitStoreSource: RATE_LIMIT_STORE_CONFIG,
      // In `pulumi up`'s output, not only in the plugin's stderr.
      onStoreNotice: (m) => void engineLog("warning", `clore: ${m}`),
    });
    clients.set(id, client);
  }
  return client;
}

/**
 * At check (preview): the configured rate-limit store (`clore:rateLimitStore` or
 * CLORE_RATE_LIMIT_STORE) must answer, so a mistyped Redis URL or password fails here,
 * naming the setting, before anything is rented. No API call; one connect per process.
 */
export async function checkRateLimitStore(): Promise<void> {
  await currentClient().rateLimiter.ready();
}

/**
 * The process's lifecycle events for `clore:events`, else CLORE_EVENTS (off when neither is
 * set). A malformed setting throws, naming it: check calls this at preview, before any API call.
 */
export function currentEvents(config: ConfigReader | undefined = stackConfig): EventBus {
  const value = config?.get(EVENTS_CONFIG) || undefined;
  const bus = eventBusFor(eventsSetting(value ? { value, source: EVENTS_CONFIG } : undefined), {
    notice: (m) => void engineLog("warning", `clore: ${m}`),
  });
  // The engine stops a plugin with SIGINT right after the last operation: the events it just
  // queued (a destroy's cancel) are delivered first, within the webhook timeout.
  if (bus.enabled && inPlugin()) flushEventsOnSignal();
  return bus;
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

/** How old a my_orders answer may be for reads and delete checks (refresh of N costs one call). */
export const READ_MAX_AGE_MS = 2000;
