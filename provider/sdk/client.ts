import { z } from "zod";
import { resolveSettings, type KeySource } from "./api-key";
import { type Clock, systemClock } from "./clock";
import { ENDPOINTS, type EndpointName, type EndpointResponse } from "./endpoints";
import {
  CloreApiError,
  DatabaseError,
  MalformedResponseError,
  NetworkError,
  OrderNotFoundError,
  OrderOutcomeUnknownError,
  TimeoutError,
  ValidationError,
} from "./errors";
import * as fields from "./fields";
import { filterMarketplace, type MarketplaceFilters } from "./marketplace-filter";
import type { GigaspotEditRequest, GigaspotOrderRequest } from "./models/gigaspot";
import type { Order } from "./models/order";
import { type CreateOrderParams, createOrderBody, createOrderParamName } from "./order-fields";
import { newestOrderOn, pendingSince } from "./pending-order";
import {
  type Handler,
  cacheLayer,
  checkRequest,
  compose,
  exponentialBackoff,
  limitLayer,
  retryLayer,
  sendHandler,
} from "./pipeline";
import {
  accountId,
  checkSlotStoreSetting,
  chooseSlotStore,
  RateLimiter,
  type RateLimits,
  sharedRateLimiter,
  slotStoreSetting,
} from "./limiter";
import { DEFAULT_MRL_HOURS, ServerSettingsParams, serverSettingsBody } from "./server-settings-params";
import { type Transport, UndiciTransport } from "./transport";
import { type CacheStore, type Timed, TtlCache } from "./ttl-cache";
import { parseOrThrow } from "./validate";

export { type RequestEvent, requestChannel } from "./pipeline";

export interface CloreClientOptions {
  /** API key. Default: CLORE_API_KEY, then ~/.clore/config.json. */
  apiKey?: string;
  /** Default: CLORE_BASE_URL, then `base_url` in the config file, then https://api.clore.ai/v1. */
  baseUrl?: string;
  /** Per-request timeout in milliseconds. Default 30000. */
  timeout?: number;
  /** Retries on rate limits (backoff 1, 2, 4 s…) and on network errors of safe requests. Default 3. */
  maxRetries?: number;
  /** Wait before retry `attempt + 1`, ms. Default 1 s × 2^attempt (CLORE_BACKOFF_MS sets the base). */
  backoff?: (attempt: number) => number;
  /**
   * A 429 (the API did nothing) is retried beyond maxRetries, with the backoff capped at 8 s,
   * until this many ms have passed since the call began: a storm of 429s from machines sharing
   * the key slows calls down instead of failing them. 0: maxRetries only. Default 120 000
   * (CLORE_RATE_LIMIT_PATIENCE_MS).
   */
  rateLimitPatienceMs?: number;
  /** The wait taken after a 429 of `ms` backoff. Default: half to all of it at random. */
  jitter?: (ms: number) => number;
  /** Where cached `persist` reads (marketplace, renter_fees) are kept across processes. */
  cacheStore?: CacheStore;
  /** Limiter; by default the one shared by every client with this key in the process. */
  rateLimiter?: RateLimiter;
  /**
   * Where the key's rate-limit slots are kept: "file" (default: every process on this
   * machine), "memory" (this process) or a redis:// / rediss:// URL (every machine using the
   * key). Default: CLORE_RATE_LIMIT_STORE. Applies when this client creates the key's shared limiter.
   */
  rateLimitStore?: string;
  /** Where a Redis store says it fell back to this machine's ledger, and when it is back. Default: stderr. */
  onStoreNotice?: (message: string) => void;
  /** Names `rateLimitStore` in errors (the providers pass "clore:rateLimitStore"). Default "the rateLimitStore option". */
  rateLimitStoreSource?: string;
  /** Limits for a newly created shared limiter (tests and the emulator's time scale). */
  rateLimits?: Partial<RateLimits>;
  clock?: Clock;
  transport?: Transport;
  env?: NodeJS.ProcessEnv;
  configPath?: string;
}

export interface CreateOrderOptions {
  /** How long to look for the new order in my_orders. Default 60 s. */
  findTimeoutMs?: number;
  /** Orders known before the create (never mistaken for the new one). */
  excludeOrderIds?: Iterable<number>;
}

const FIND_DELAYS_MS = [0, 1000, 2000, 3000, 5000, 8000, 12000, 20000];

/**
 * Promise-based Clore API client (one class replaces the official Python SDK's CloreAI + AsyncCloreAI).
 *
 *     await using clore = new CloreClient();
 *     const servers = await clore.marketplace({ gpu: "RTX 4090", maxPriceUsd: 0.5 });
 */
export class CloreClient {
  readonly baseUrl: string;
  readonly keySource?: KeySource;
  /** The key (by fingerprint, never the key) and base URL as one name, for caches and journals on disk. */
  readonly account: string;
  readonly timeout: number;
  readonly maxRetries: number;
  readonly rateLimiter: RateLimiter;
  readonly clock: Clock;
  private readonly transport: Transport;
  // Held in a private field; never serialized, logged or put in errors.
  readonly #apiKey?: string;
  /** validate → cache → retry → rate limit → send: see pipeline/. */
  readonly #handle: Handler;

  constructor(options: CloreClientOptions = {}) {
    const settings = resolveSettings(options);
    this.#apiKey = settings.apiKey;
    this.keySource = settings.keySource;
    this.baseUrl = settings.baseUrl;
    this.account = accountId(this.#apiKey, this.baseUrl);
    this.timeout = options.timeout ?? envNumber("CLORE_TIMEOUT_MS", 1) ?? 30_000;
    this.maxRetries = options.maxRetries ?? 3;
    if (options.timeout !== undefined && !(options.timeout > 0))
      throw new ValidationError("CloreClient", [{ path: "timeout", message: "must be > 0 (milliseconds)" }]);
    if (!Number.isInteger(this.maxRetries) || this.maxRetries < 0)
      throw new ValidationError("CloreClient", [{ path: "maxRetries", message: "must be an integer >= 0" }]);
    this.clock = options.clock ?? options.rateLimiter?.clock ?? systemClock;
    const storeSetting = slotStoreSetting(
      options.rateLimitStore
        ? { value: options.rateLimitStore, source: options.rateLimitStoreSource ?? "the rateLimitStore option" }
        : undefined,
      options.env ?? process.env,
    );
    checkSlotStoreSetting(storeSetting);
    this.rateLimiter =
      options.rateLimiter ??
      sharedRateLimiter(
        this.#apiKey,
        () =>
          new RateLimiter({
            clock: this.clock,
            limits: options.rateLimits ?? limitsFromEnv(),
            store: chooseSlotStore(this.#apiKey, this.clock, storeSetting, options.onStoreNotice),
          }),
      );
    this.transport = options.transport ?? new UndiciTransport();
    this.#handle = compose(
      checkRequest(() => Boolean(this.#apiKey)),
      cacheLayer(new TtlCache(this.clock, options.cacheStore)),
      retryLayer({
        maxRetries: this.maxRetries,
        backoff: options.backoff ?? exponentialBackoff(envNumber("CLORE_BACKOFF_MS", 1) ?? 1000),
        rateLimitPatienceMs: options.rateLimitPatienceMs ?? envNumber("CLORE_RATE_LIMIT_PATIENCE_MS", 0) ?? 120_000,
        jitter: options.jitter,
        clock: this.clock,
        onRateLimited: (ms) => this.rateLimiter.backOff(ms),
      }),
      limitLayer(this.rateLimiter),
    )(
      sendHandler(this.transport, {
        baseUrl: this.baseUrl,
        timeoutMs: this.timeout,
        clock: this.clock,
        apiKey: () => this.#apiKey,
      }),
    );
  }

  /** Whether a key was found (the key itself is never exposed). */
  get hasApiKey(): boolean {
    return Boolean(this.#apiKey);
  }

  async close(): Promise<void> {
    await this.transport.close();
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- the official Python SDK's ten methods ----

  async wallets() {
    return (await this.call("wallets")).wallets;
  }

  /** All marketplace servers, filtered client-side like the official Python SDK (availableOnly defaults to true). */
  async marketplace(filters: MarketplaceFilters = {}) {
    const { servers } = await this.call("marketplace");
    return filterMarketplace(servers, filters);
  }

  async myServers() {
    return (await this.call("my_servers")).servers;
  }

  async serverConfig(serverName: string) {
    return (await this.call("server_config", { body: { server_name: serverName } })).config;
  }

  /**
   * Your orders; `includeCompleted` adds cancelled/expired ones. Concurrent callers that
   * arrive before the request is sent share one request (coalesced polling). With
   * `maxAgeMs`, an answer sent that recently is reused (refresh of N orders costs one call);
   * any write through this client makes the next call fresh.
   */
  myOrders(options: { includeCompleted?: boolean; maxAgeMs?: number } = {}): Promise<Order[]> {
    const query: Record<string, string> = options.includeCompleted ? { return_completed: "true" } : {};
    return this.call("my_orders", { query }, { maxAgeMs: options.maxAgeMs }).then((r) => r.orders);
  }

  /**
   * Rent a server. The API answers create_order with no order id, so we find the new order
   * in my_orders (same server, created after the request) and return it. If create_order
   * fails in a way that may still have rented the server (code 1, timeout, network error,
   * unreadable answer), we look in my_orders before giving up: an order that exists is
   * returned, never abandoned. Otherwise the error says the order may exist.
   */
  async createOrder(params: CreateOrderParams, options: CreateOrderOptions = {}): Promise<Order> {
    const body = createOrderBody(params);
    const serverId = params.serverId;
    const exclude = new Set(options.excludeOrderIds ?? []);
    const since = pendingSince(this.clock.now());
    const findTimeoutMs = options.findTimeoutMs ?? envNumber("CLORE_FIND_TIMEOUT_MS", 1) ?? 60_000;
    try {
      // Checked against the wire schema on the way out; mistakes are named by parameter.
      await this.call("create_order", { body }, { caller: { name: "createOrder", rename: createOrderParamName } });
    } catch (e) {
      if (!outcomeUncertain(e)) throw e;
      const found = await this.findNewOrder(serverId, since, exclude, findTimeoutMs).catch(() => undefined);
      if (found) return found;
      throw new OrderOutcomeUnknownError(
        serverId,
        `the request failed (${(e as Error).message}) and no new order showed up in my_orders`,
        { cause: e, since },
      );
    }
    // From here on the server is rented: whatever goes wrong, the caller must hear that.
    let found: Order | undefined;
    try {
      found = await this.findNewOrder(serverId, since, exclude, findTimeoutMs);
    } catch (e) {
      throw new OrderOutcomeUnknownError(
        serverId,
        `the API accepted the order but my_orders could not be read (${(e as Error).message})`,
        { cause: e, since },
      );
    }
    if (found) return found;
    throw new OrderOutcomeUnknownError(
      serverId,
      `the API accepted the order but it did not appear in my_orders within ${Math.round(findTimeoutMs / 1000)} s`,
      { since },
    );
  }

  /**
   * Poll my_orders for the newest active order on `serverId` created at or after `since`
   * (Unix s). A failed poll does not end the search before its deadline; if every poll
   * failed, the last error is thrown (the order may exist), else undefined (not found).
   */
  async findNewOrder(
    serverId: number,
    since: number,
    exclude: Set<number>,
    timeoutMs: number,
  ): Promise<Order | undefined> {
    const deadline = this.clock.now() + timeoutMs;
    let lastError: unknown;
    let answered = false;
    for (const delay of FIND_DELAYS_MS) {
      if (delay > 0) {
        if (this.clock.now() + delay > deadline) break;
        await this.clock.sleep(delay);
      }
      let orders: Order[];
      try {
        orders = await this.myOrders();
        answered = true;
      } catch (e) {
        lastError = e;
        continue;
      }
      const match = newestOrderOn(orders, serverId, since, exclude);
      if (match) return match;
    }
    if (!answered && lastError) throw lastError;
    return undefined;
  }

  /** One of your active orders by id (from the shared my_orders answer; `maxAgeMs` as for myOrders), or undefined. */
  async findOrder(orderId: number, options: { maxAgeMs?: number } = {}): Promise<Order | undefined> {
    return (await this.myOrders(options)).find((o) => o.id === orderId);
  }

  /** Like findOrder, but an order that is not active is an OrderNotFoundError. */
  async getOrder(orderId: number, options: { maxAgeMs?: number } = {}): Promise<Order> {
    const order = await this.findOrder(orderId, options);
    if (!order) throw new OrderNotFoundError(orderId);
    return order;
  }

  async cancelOrder(orderId: number, issue?: string) {
    parseOrThrow(fields.orderId, orderId, "cancelOrder", "orderId");
    if (issue !== undefined) parseOrThrow(z.string().max(fields.LIMITS.issueLength), issue, "cancelOrder", "issue");
    return this.call("cancel_order", { body: issue ? { id: orderId, issue } : { id: orderId } });
  }

  /** Spot market of one server: offers (bids per day), the server's minimums, USD rates. */
  async spotMarketplace(serverId: number) {
    parseOrThrow(fields.serverId, serverId, "spotMarketplace", "serverId");
    const r = await this.call("spot_marketplace", { query: { market: String(serverId) } });
    return { offers: [], ...r.market, exists: r.exists ?? Boolean(r.market) };
  }

  /** Change the bid (per day) of your spot order. Lowering: at most max_step, once per 600 s. */
  async setSpotPrice(orderId: number, price: number) {
    parseOrThrow(fields.orderId, orderId, "setSpotPrice", "orderId");
    parseOrThrow(fields.price, price, "setSpotPrice", "price");
    return this.call("set_spot_price", { body: { order_id: orderId, desired_price: price } });
  }

  /**
   * Update a hosted server's settings. The API requires availability and mrl; when you
   * leave them out we read the current values with server_config first (one more call).
   */
  async setServerSettings(params: ServerSettingsParams) {
    const p = parseOrThrow(ServerSettingsParams, params, "setServerSettings");
    let { availability, mrl } = p;
    if (availability === undefined || mrl === undefined) {
      const current = await this.serverConfig(p.name);
      availability ??= current.availability ?? true;
      mrl ??= current.mrl ?? DEFAULT_MRL_HOURS;
    }
    return this.call("set_server_settings", { body: serverSettingsBody({ ...p, availability, mrl }) });
  }

  // ---- beyond the official Python SDK ----

  /** Cancel many orders, 64 per request. Returns the ids the API could not cancel. */
  async cancelOrders(orderIds: number[]): Promise<{ failedToCancel: number[] }> {
    parseOrThrow(z.array(fields.orderId).min(1), orderIds, "cancelOrders", "orderIds");
    const failed: number[] = [];
    for (let i = 0; i < orderIds.length; i += fields.LIMITS.cancelBatch) {
      const r = await this.call("cancel_orders", {
        body: { order_ids: orderIds.slice(i, i + fields.LIMITS.cancelBatch) },
      });
      failed.push(...r.failed_to_cancel.map(Number));
    }
    return { failedToCancel: failed };
  }

  async renterFees() {
    return this.call("renter_fees");
  }

  async pohBalance() {
    return this.call("poh_balance");
  }

  async getGigaspot() {
    return this.call("get_gigaspot");
  }

  async createGigaspotOrders(orders: GigaspotOrderRequest[]) {
    return this.call("create_gigaspot_orders", { body: orders });
  }

  async editGigaspotOrders(edits: GigaspotEditRequest[]) {
    return this.call("edit_gigaspot_orders", { body: edits });
  }

  // ---- one API call, through the layers ----

  /**
   * One API call: checked against the endpoint's schemas before anything is sent, served
   * from the cache where the endpoint allows it and `maxAgeMs` accepts, spaced by the rate
   * limiter, retried where safe (see pipeline/).
   */
  async call<E extends EndpointName>(
    endpoint: E,
    input: CallInput = {},
    options: CallOptions = {},
  ): Promise<EndpointResponse<E>> {
    return (await this.read(endpoint, input, options)).value;
  }

  /** Like `call`, with when the answer's request was sent (a cached answer is older than now). */
  read<E extends EndpointName>(
    endpoint: E,
    input: CallInput = {},
    options: CallOptions = {},
  ): Promise<Timed<EndpointResponse<E>>> {
    return this.#handle({ endpoint, spec: ENDPOINTS[endpoint], ...input, ...options, attempt: 0 }) as Promise<
      Timed<EndpointResponse<E>>
    >;
  }
}

export interface CallInput {
  query?: Record<string, string>;
  body?: unknown;
}

export interface CallOptions {
  /** For cacheable reads: reuse an answer whose request was sent at most this long ago. */
  maxAgeMs?: number;
  /** Name the calling method and its parameters in validation errors. */
  caller?: { name: string; rename(wireKey: string): string };
}

/**
 * Tuning from the environment, for a local emulator on a time scale (leave unset against the
 * real API): CLORE_MIN_INTERVAL_MS / CLORE_CREATE_INTERVAL_MS (limiter spacing),
 * CLORE_FIND_TIMEOUT_MS (how long createOrder looks for its order), CLORE_TIMEOUT_MS (per
 * request), CLORE_BACKOFF_MS (first retry wait). A variable that is unset, not a number or below `min` is ignored.
 */
function envNumber(name: string, min: number): number | undefined {
  const raw = process.env[name];
  const n = Number(raw);
  return raw && Number.isFinite(n) && n >= min ? n : undefined;
}

function limitsFromEnv(): Partial<RateLimits> | undefined {
  const limits: Partial<RateLimits> = {};
  const min = envNumber("CLORE_MIN_INTERVAL_MS", 0);
  const create = envNumber("CLORE_CREATE_INTERVAL_MS", 0);
  if (min !== undefined) limits.minIntervalMs = min;
  if (create !== undefined) limits.createIntervalMs = create;
  return Object.keys(limits).length ? limits : undefined;
}

/** Failures after which create_order may still have rented the server. */
function outcomeUncertain(e: unknown): boolean {
  return (
    e instanceof DatabaseError ||
    e instanceof TimeoutError ||
    e instanceof NetworkError ||
    e instanceof MalformedResponseError ||
    (e instanceof CloreApiError && e.httpStatus >= 500)
  );
}
