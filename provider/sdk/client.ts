import { channel } from "node:diagnostics_channel";
import { z } from "zod";
import { resolveSettings, type KeySource } from "./api-key";
import { type Clock, systemClock } from "./clock";
import { ENDPOINTS, type EndpointName, type EndpointResponse, type EndpointSpec } from "./endpoints";
import {
  CloreApiError,
  DatabaseError,
  MalformedResponseError,
  MissingApiKeyError,
  NetworkError,
  OrderNotFoundError,
  OrderOutcomeUnknownError,
  RateLimitError,
  TimeoutError,
  ValidationError,
  errorFromApi,
  isCloreError,
} from "./errors";
import * as fields from "./fields";
import { filterMarketplace, type MarketplaceFilters } from "./marketplace-filter";
import type { GigaspotEditRequest, GigaspotOrderRequest } from "./models/gigaspot";
import type { Order } from "./models/order";
import { CreateOrderParams, createOrderBody } from "./order-params";
import { FileLedger } from "./file-ledger";
import { RateLimiter, type RateLimits, type SlotLedger, keyFingerprint, sharedRateLimiter } from "./rate-limiter";
import { DEFAULT_MRL_HOURS, ServerSettingsParams, serverSettingsBody } from "./server-settings-params";
import { type Transport, UndiciTransport } from "./transport";
import { issuesFromZod, parseOrThrow } from "./validate";

export interface CloreClientOptions {
  /** API key. Default: CLORE_API_KEY, then ~/.clore/config.json. */
  apiKey?: string;
  /** Default: CLORE_BASE_URL, then `base_url` in the config file, then https://api.clore.ai/v1. */
  baseUrl?: string;
  /** Per-request timeout in milliseconds. Default 30000. */
  timeout?: number;
  /** Retries on rate limits (backoff 1, 2, 4 s…) and on network errors of safe requests. Default 3. */
  maxRetries?: number;
  /** Limiter; by default the one shared by every client with this key in the process. */
  rateLimiter?: RateLimiter;
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

/** Published on `pulumi-clore:request` for every HTTP request: count API calls from here. */
export interface RequestEvent {
  endpoint: EndpointName;
  attempt: number;
  status?: number;
  apiCode?: number;
  error?: string;
}
export const requestChannel = channel("pulumi-clore:request");

/** Seconds the API's `ct` may differ from our clock when matching a new order. */
const CLOCK_SKEW_S = 120;
const FIND_DELAYS_MS = [0, 1000, 2000, 3000, 5000, 8000, 12000, 20000];

/**
 * Promise-based Clore API client (one class replaces the seed's CloreAI + AsyncCloreAI).
 *
 *     await using clore = new CloreClient();
 *     const servers = await clore.marketplace({ gpu: "RTX 4090", maxPriceUsd: 0.5 });
 */
export class CloreClient {
  readonly baseUrl: string;
  readonly keySource?: KeySource;
  readonly timeout: number;
  readonly maxRetries: number;
  readonly rateLimiter: RateLimiter;
  private readonly clock: Clock;
  private readonly transport: Transport;
  // Held in a closure-free private field; never serialized, logged or put in errors.
  readonly #apiKey?: string;
  #pendingMyOrders = new Map<string, Promise<Order[]>>();
  #lastMyOrders = new Map<string, { sentAt: number; orders: Promise<Order[]> }>();


  constructor(options: CloreClientOptions = {}) {
    const settings = resolveSettings(options);
    this.#apiKey = settings.apiKey;
    this.keySource = settings.keySource;
    this.baseUrl = settings.baseUrl;
    this.timeout = options.timeout ?? envNumber("CLORE_TIMEOUT_MS", 1) ?? 30_000;
    this.maxRetries = options.maxRetries ?? 3;
    if (options.timeout !== undefined && !(options.timeout > 0)) throw new ValidationError("CloreClient", [{ path: "timeout", message: "must be > 0 (milliseconds)" }]);
    if (!Number.isInteger(this.maxRetries) || this.maxRetries < 0) throw new ValidationError("CloreClient", [{ path: "maxRetries", message: "must be an integer >= 0" }]);
    this.clock = options.clock ?? options.rateLimiter?.clock ?? systemClock;
    this.rateLimiter =
      options.rateLimiter ??
      sharedRateLimiter(this.#apiKey, () => new RateLimiter({ clock: this.clock, limits: options.rateLimits ?? limitsFromEnv(), ledger: defaultLedger(this.#apiKey, this.clock) }));
    this.transport = options.transport ?? new UndiciTransport();
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

  // ---- the seed's ten methods ----

  async wallets() {
    return (await this.call("wallets")).wallets;
  }

  /** All marketplace servers, filtered client-side like the seed (availableOnly defaults to true). */
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
    const completed = Boolean(options.includeCompleted);
    const key = String(completed);
    const last = this.#lastMyOrders.get(key);
    if (options.maxAgeMs && last && this.clock.now() - last.sentAt <= options.maxAgeMs) return last.orders;
    const pending = this.#pendingMyOrders.get(key);
    if (pending) return pending;
    const p: Promise<Order[]> = this.call("my_orders", { query: completed ? { return_completed: "true" } : {} }, () => {
      // Sent: later callers must get a fresh answer, not one from before their change;
      // readers that accept an answer this old share the one in flight.
      if (this.#pendingMyOrders.get(key) === p) this.#pendingMyOrders.delete(key);
      this.#lastMyOrders.set(key, { sentAt: this.clock.now(), orders: p });
    }).then((r) => r.orders);
    this.#pendingMyOrders.set(key, p);
    p.catch(() => {
      if (this.#lastMyOrders.get(key)?.orders === p) this.#lastMyOrders.delete(key);
    }).finally(() => {
      if (this.#pendingMyOrders.get(key) === p) this.#pendingMyOrders.delete(key);
    });
    return p;
  }

  /**
   * Rent a server. The API answers create_order with no order id, so we find the new order
   * in my_orders (same server, created after the request) and return it. If create_order
   * fails in a way that may still have rented the server (code 1, timeout, network error,
   * unreadable answer), we look in my_orders before giving up: an order that exists is
   * returned, never abandoned. Otherwise the error says the order may exist.
   */
  async createOrder(params: CreateOrderParams, options: CreateOrderOptions = {}): Promise<Order> {
    const p = parseOrThrow(CreateOrderParams, params, "createOrder");
    this.requireKey("create_order");
    const exclude = new Set(options.excludeOrderIds ?? []);
    const since = Math.floor(this.clock.now() / 1000) - CLOCK_SKEW_S;
    const findTimeoutMs = options.findTimeoutMs ?? envNumber("CLORE_FIND_TIMEOUT_MS", 1) ?? 60_000;
    try {
      await this.call("create_order", { body: createOrderBody(p) });
    } catch (e) {
      if (!outcomeUncertain(e)) throw e;
      const found = await this.findNewOrder(p.serverId, since, exclude, findTimeoutMs).catch(() => undefined);
      if (found) return found;
      throw new OrderOutcomeUnknownError(p.serverId, `the request failed (${(e as Error).message}) and no new order showed up in my_orders`, { cause: e, since });
    }
    // From here on the server is rented: whatever goes wrong, the caller must hear that.
    let found: Order | undefined;
    try {
      found = await this.findNewOrder(p.serverId, since, exclude, findTimeoutMs);
    } catch (e) {
      throw new OrderOutcomeUnknownError(p.serverId, `the API accepted the order but my_orders could not be read (${(e as Error).message})`, { cause: e, since });
    }
    if (found) return found;
    throw new OrderOutcomeUnknownError(p.serverId, `the API accepted the order but it did not appear in my_orders within ${Math.round(findTimeoutMs / 1000)} s`, { since });
  }

  /**
   * Poll my_orders for the newest active order on `serverId` created at or after `since`
   * (Unix s). A failed poll does not end the search before its deadline; if every poll
   * failed, the last error is thrown (the order may exist), else undefined (not found).
   */
  async findNewOrder(serverId: number, since: number, exclude: Set<number>, timeoutMs: number): Promise<Order | undefined> {
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

  // ---- beyond the seed ----

  /** Cancel many orders, 64 per request. Returns the ids the API could not cancel. */
  async cancelOrders(orderIds: number[]): Promise<{ failedToCancel: number[] }> {
    parseOrThrow(z.array(fields.orderId).min(1), orderIds, "cancelOrders", "orderIds");
    const failed: number[] = [];
    for (let i = 0; i < orderIds.length; i += fields.LIMITS.cancelBatch) {
      const r = await this.call("cancel_orders", { body: { order_ids: orderIds.slice(i, i + fields.LIMITS.cancelBatch) } });
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

  // ---- the request pipeline: validate → rate limit → send → decode → retry ----

  /**
   * One API call. Validates the request against the endpoint's schema before anything is
   * sent, waits for a rate-limit slot, retries 429s with backoff (1, 2, 4 s…) and, for
   * idempotent endpoints only, network errors and code 1.
   */
  async call<E extends EndpointName>(
    endpoint: E,
    input: { query?: Record<string, string>; body?: unknown } = {},
    onSent?: () => void,
  ): Promise<EndpointResponse<E>> {
    const spec: EndpointSpec = ENDPOINTS[endpoint];
    if (spec.auth === "required") this.requireKey(endpoint);
    if (spec.query) parseOrThrow(spec.query, input.query ?? {}, endpoint);
    if (spec.body) parseOrThrow(spec.body, input.body, endpoint);
    const qs = input.query && Object.keys(input.query).length ? `?${new URLSearchParams(input.query)}` : "";
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.#apiKey) headers.auth = this.#apiKey;
    if (input.body !== undefined) headers["content-type"] = "application/json";
    const body = input.body === undefined ? undefined : JSON.stringify(input.body);

    for (let attempt = 0; ; attempt++) {
      await this.rateLimiter.acquire(spec.lane);
      if (attempt === 0) onSent?.();
      // A write makes every earlier my_orders answer stale.
      if (spec.method === "POST") this.#lastMyOrders.clear();
      const event: RequestEvent = { endpoint, attempt };
      const retryDelay = 1000 * 2 ** attempt;
      const canRetry = attempt < this.maxRetries;
      try {
        const onWrite = () => this.rateLimiter.written(spec.lane);
        const res = await this.transport.send({ method: spec.method, url: this.baseUrl + spec.path + qs, headers, body, timeoutMs: this.timeout, endpoint, onWrite });
        event.status = res.status;
        const decoded = decode(endpoint, spec, res.status, res.text);
        event.apiCode = decoded.apiCode;
        if (decoded.ok) return decoded.value as EndpointResponse<E>;
        throw decoded.error;
      } catch (e) {
        event.error = isCloreError(e) ? e.code : String(e);
        const rateLimited = e instanceof CloreApiError && e.apiCode === 5;
        // An unreadable answer to a read (truncated JSON, a proxy's HTML page) is worth a retry.
        const transient = spec.idempotent && (e instanceof NetworkError || e instanceof TimeoutError || e instanceof DatabaseError || e instanceof MalformedResponseError);
        if (rateLimited && !canRetry) throw new RateLimitError({ apiCode: 5, endpoint, httpStatus: e.httpStatus, response: e.response }, attempt);
        if (!(rateLimited || transient) || !canRetry) throw e;
        // A 429 means the request was not processed, so even create_order is safe to resend.
        if (rateLimited) await this.rateLimiter.backOff(retryDelay);
        await this.clock.sleep(retryDelay);
      } finally {
        if (requestChannel.hasSubscribers) requestChannel.publish(event);
      }
    }
  }

  private requireKey(endpoint: string): void {
    if (!this.#apiKey) throw new MissingApiKeyError(endpoint);
  }
}

/**
 * Real clocks share the key's budget with every process on the machine (a file ledger);
 * a fake clock keeps its own timeline in memory. CLORE_RATE_LIMIT_SHARED=0 opts out.
 */
function defaultLedger(apiKey: string | undefined, clock: Clock): SlotLedger | undefined {
  if (clock !== systemClock || process.env.CLORE_RATE_LIMIT_SHARED === "0") return undefined;
  try {
    return new FileLedger(keyFingerprint(apiKey));
  } catch {
    return undefined; // No writable cache dir: fall back to this process's own limiter.
  }
}

/**
 * The order a create on `serverId` made: the newest active order there created at or after
 * `since` (Unix s), skipping `exclude`. my_orders is the only place the API reveals the id.
 */
export function newestOrderOn(orders: Order[], serverId: number, since: number, exclude: ReadonlySet<number> = new Set()): Order | undefined {
  return orders
    .filter((o) => o.serverId === serverId && !o.expired && !exclude.has(o.id) && (o.ct ?? since) >= since)
    .sort((a, b) => (b.ct ?? 0) - (a.ct ?? 0) || b.id - a.id)[0];
}

/**
 * Tuning from the environment, for a local emulator on a time scale (leave unset against the
 * real API): CLORE_MIN_INTERVAL_MS / CLORE_CREATE_INTERVAL_MS (limiter spacing),
 * CLORE_FIND_TIMEOUT_MS (how long createOrder looks for its order), CLORE_TIMEOUT_MS (per
 * request). A variable that is unset, not a number or below `min` is ignored.
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


type Decoded = { ok: true; value: unknown; apiCode: number } | { ok: false; error: Error; apiCode?: number };

/** HTTP answer → value or typed error. The API sends `code` on every answer, even 429s. */
function decode(endpoint: EndpointName, spec: EndpointSpec, status: number, text: string): Decoded {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: new MalformedResponseError(endpoint, status, text ? "not JSON" : "empty body") };
  }
  if (!json || typeof json !== "object" || Array.isArray(json)) {
    return { ok: false, error: new MalformedResponseError(endpoint, status, "not a JSON object") };
  }
  const obj = json as Record<string, unknown>;
  const code = obj.code;
  if (typeof code !== "number") {
    if (status === 429) return { ok: false, apiCode: 5, error: errorFromApi({ apiCode: 5, endpoint, httpStatus: status, response: obj }) };
    return { ok: false, error: new MalformedResponseError(endpoint, status, "no integer `code`") };
  }
  if (code !== 0) {
    const apiError = typeof obj.error === "string" ? obj.error : undefined;
    return { ok: false, apiCode: code, error: errorFromApi({ apiCode: code, endpoint, httpStatus: status, apiError, response: obj }) };
  }
  const parsed = spec.response.safeParse(obj);
  if (!parsed.success) {
    const first = issuesFromZod(parsed.error)[0];
    return { ok: false, apiCode: 0, error: new MalformedResponseError(endpoint, status, `unexpected shape at ${first?.path}: ${first?.message}`) };
  }
  return { ok: true, apiCode: 0, value: parsed.data };
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
